"""`displayId` names a display of the response's own survey; another organization's display
can neither be claimed nor deleted through a response."""

from httpx import AsyncClient
from sqlalchemy import select

from surveylink.core.config import Settings
from surveylink.core.db import make_engine, make_sessionmaker, transaction
from surveylink.responses.models import Display
from tests.factories import ApiEnv
from tests.respondent.helpers import displays_of, personal_link

RESPONSES = "/api/v2/management/responses"
REFUSED = {
    "error": {
        "code": 400,
        "message": "Bad Request",
        "details": [{"field": "displayId", "issue": "Display not found or already has a response"}],
    }
}


async def _other_organization(env: ApiEnv) -> ApiEnv:
    workspace = await env.other_workspace()
    key = await env.make_key(
        [(workspace.production.id, "manage")], organization_id=workspace.organization.id
    )
    return ApiEnv(env.client, env.settings, workspace, key)


async def _opened_display(other: ApiEnv) -> tuple[str, str]:
    """(survey id, display id): the other organization's contact opened its link."""
    survey = await other.create_survey(status="inProgress")
    contact = await other.create_contact("grace@example.com")
    await other.client.get(await personal_link(other, survey["id"], contact["id"]))
    return survey["id"], await _display_of(other.settings, survey["id"])


async def _display_of(settings: Settings, survey_id: str) -> str:
    """The survey's one display (the API has no display route; read-only)."""
    engine = make_engine(settings.sqlalchemy_url)
    async with transaction(make_sessionmaker(engine)) as session:
        found = await session.scalar(select(Display.id).where(Display.survey_id == survey_id))
    await engine.dispose()
    assert found is not None
    return found


async def test_a_response_cannot_claim_another_organizations_display(
    client: AsyncClient, env: ApiEnv
) -> None:
    other_survey, display_id = await _opened_display(await _other_organization(env))
    survey = await env.create_survey()
    body = {"surveyId": survey["id"], "finished": False, "data": {}, "displayId": display_id}

    response = await client.post(RESPONSES, json=body, headers=env.headers)

    assert response.status_code == 400
    assert response.json() == REFUSED
    assert await displays_of(env.settings, other_survey) == 1


async def test_an_update_cannot_claim_another_organizations_display(
    client: AsyncClient, env: ApiEnv
) -> None:
    other_survey, display_id = await _opened_display(await _other_organization(env))
    survey = await env.create_survey()
    created = await env.create_response(survey["id"])

    response = await client.put(
        f"{RESPONSES}/{created['id']}", json={"displayId": display_id}, headers=env.headers
    )

    assert response.status_code == 400
    assert response.json() == REFUSED
    deleted = await client.delete(f"{RESPONSES}/{created['id']}", headers=env.headers)
    assert deleted.status_code == 200
    assert await displays_of(env.settings, other_survey) == 1


async def test_a_display_of_another_survey_of_the_same_environment_is_refused(
    client: AsyncClient, env: ApiEnv
) -> None:
    _, display_id = await _opened_display(env)
    survey = await env.create_survey()
    body = {"surveyId": survey["id"], "finished": False, "data": {}, "displayId": display_id}

    response = await client.post(RESPONSES, json=body, headers=env.headers)

    assert response.status_code == 400
    assert response.json() == REFUSED


async def test_a_display_of_the_same_survey_is_answered_and_deleted_with_its_response(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey_id, display_id = await _opened_display(env)
    body = {"surveyId": survey_id, "finished": False, "data": {}, "displayId": display_id}

    created = await client.post(RESPONSES, json=body, headers=env.headers)
    deleted = await client.delete(
        f"{RESPONSES}/{created.json()['data']['id']}", headers=env.headers
    )

    assert created.status_code == 201
    assert created.json()["data"]["displayId"] == display_id
    assert deleted.status_code == 200
    assert await displays_of(env.settings, survey_id) == 0
