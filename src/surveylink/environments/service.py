from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.attribute_keys import service as attribute_keys
from surveylink.auth.permissions import AuthKey
from surveylink.core.errors import BadRequest
from surveylink.environments import repository
from surveylink.environments.models import Environment, Organization, Project


@dataclass(frozen=True)
class Workspace:
    organization: Organization
    project: Project
    production: Environment
    development: Environment


async def create_workspace(
    session: AsyncSession, organization_name: str, project_name: str
) -> Workspace:
    """An organization with one project and its production and development environments."""
    organization = Organization(name=organization_name)
    session.add(organization)
    await session.flush()
    project = Project(name=project_name, organization_id=organization.id)
    session.add(project)
    await session.flush()
    production = Environment(type="production", project_id=project.id)
    development = Environment(type="development", project_id=project.id)
    session.add_all([production, development])
    await session.flush()
    for environment in (production, development):
        await attribute_keys.create_default_keys(session, environment.id)
    return Workspace(organization, project, production, development)


async def check_environments(
    session: AsyncSession, organization_id: str, environment_ids: Sequence[str]
) -> list[str]:
    """The ids among `environment_ids` that are not environments of the organization."""
    owners = await repository.get_organization_ids(session, environment_ids)
    return [env for env in environment_ids if owners.get(env) != organization_id]


ONE_ENVIRONMENT_ONLY = "You can't use this method with this API key"


async def get_key_environment(session: AsyncSession, key: AuthKey) -> tuple[Environment, Project]:
    """The environment of a key that has exactly one, and its project (v1 `/me`); any other
    key is a 400, as upstream."""
    environment_id = key.only_environment_id
    found = None
    if environment_id is not None:
        found = await repository.get_environment_with_project(session, environment_id)
    if found is None:
        raise BadRequest(message=ONE_ENVIRONMENT_ONLY)
    return found
