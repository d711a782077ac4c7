"""Upstream's v1 `/me` (v1 management spec §1): the bare environment object of a key that has
exactly one environment."""

from fastapi import APIRouter

from surveylink.auth.deps import AnyReadKey
from surveylink.core.db import SessionDep
from surveylink.core.routing import API_V1, V1Route
from surveylink.environments import service as environments
from surveylink.environments.schemas import EnvironmentV1, ProjectRef

router = APIRouter(prefix=API_V1, tags=["Management API - Me"], route_class=V1Route)


@router.get("/management/me", operation_id="getMeV1")
async def me(key: AnyReadKey, session: SessionDep) -> EnvironmentV1:
    """The environment of the API key and its project, without the `{data}` envelope. Only for
    keys with exactly one environment (others: 400); integrations call it to test a key."""
    environment, project = await environments.get_key_environment(session, key)
    return EnvironmentV1(
        id=environment.id,
        type=environment.type,
        created_at=environment.created_at,
        updated_at=environment.updated_at,
        app_setup_completed=environment.app_setup_completed,
        project=ProjectRef(id=project.id, name=project.name),
    )
