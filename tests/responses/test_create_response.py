"""POST /api/v2/management/responses, including the `contactId` upstream drops."""

from unittest.mock import ANY

from httpx import AsyncClient

from tests.factories import QUESTION_ID, ApiEnv

RESPONSES = "/api/v2/management/responses"


async def test_response_is_attached_to_the_contact_with_a_snapshot(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey()
    contact = await env.create_contact("ada@example.com", userId="u-1")
    body = {
        "surveyId": survey["id"],
        "contactId": contact["id"],
        "finished": True,
        "data": {QUESTION_ID: "answer1"},
        "ttc": {QUESTION_ID: 1200},
        "meta": {"source": "api", "unknown": "dropped"},
    }

    response = await client.post(RESPONSES, json=body, headers=env.headers)

    assert response.status_code == 201
    assert response.json() == {
        "data": {
            "id": ANY,
            "createdAt": ANY,
            "updatedAt": ANY,
            "finished": True,
            "surveyId": survey["id"],
            "contactId": contact["id"],
            "endingId": None,
            "data": {QUESTION_ID: "answer1"},
            "variables": {},
            "ttc": {QUESTION_ID: 1200, "_total": 1200},
            "meta": {"source": "api"},
            "contactAttributes": {"email": "ada@example.com", "userId": "u-1"},
            "singleUseId": None,
            "language": None,
            "displayId": None,
        }
    }


async def test_user_id_finds_the_contact_as_upstream(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    contact = await env.create_contact("ada@example.com", userId="u-1")
    body = {"surveyId": survey["id"], "userId": "u-1", "finished": False, "data": {}}

    response = await client.post(RESPONSES, json=body, headers=env.headers)

    assert response.json()["data"]["contactId"] == contact["id"]


async def test_unknown_user_id_gives_an_anonymous_response(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey()
    body = {"surveyId": survey["id"], "userId": "nobody", "finished": False, "data": {}}

    response = await client.post(RESPONSES, json=body, headers=env.headers)

    assert response.status_code == 201
    assert response.json()["data"]["contactId"] is None
    assert response.json()["data"]["contactAttributes"] is None


async def test_contact_of_another_environment_is_refused(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    contact = await env.create_contact("dev@example.com", env.workspace.development.id)
    body = {"surveyId": survey["id"], "contactId": contact["id"], "finished": False, "data": {}}

    response = await client.post(RESPONSES, json=body, headers=env.headers)

    assert response.status_code == 404
    assert response.json()["error"]["details"] == [{"field": "contact", "issue": "not found"}]


async def test_second_response_of_a_contact_is_409(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    contact = await env.create_contact("ada@example.com")
    await env.create_response(survey["id"], contact["id"])
    body = {"surveyId": survey["id"], "contactId": contact["id"], "finished": True, "data": {}}

    response = await client.post(RESPONSES, json=body, headers=env.headers)

    assert response.status_code == 409
    assert response.json()["error"]["details"] == [
        {"field": "contactId", "issue": "Already responded"}
    ]


async def test_unknown_survey_is_404(client: AsyncClient, env: ApiEnv) -> None:
    body = {"surveyId": "nosuchsurvey", "finished": False, "data": {}}

    response = await client.post(RESPONSES, json=body, headers=env.headers)

    assert response.status_code == 404
    assert response.json()["error"]["details"] == [{"field": "survey", "issue": "not found"}]


async def test_read_key_cannot_create_responses(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    read_key = await env.make_key([(env.environment_id, "read")])
    body = {"surveyId": survey["id"], "finished": False, "data": {}}

    response = await client.post(RESPONSES, json=body, headers={"x-api-key": read_key})

    assert response.status_code == 401
    assert response.json() == {"error": {"code": 401, "message": "Unauthorized"}}


async def test_invalid_body_is_422_in_zods_words(client: AsyncClient, env: ApiEnv) -> None:
    body = {"surveyId": "abc", "finished": "yes", "data": {"q": True}}

    response = await client.post(RESPONSES, json=body, headers=env.headers)

    assert response.status_code == 422
    assert response.json()["error"]["details"] == [
        {"field": "finished", "issue": "Invalid input: expected boolean, received string"},
        {"field": "data.q", "issue": "Invalid input"},
    ]
