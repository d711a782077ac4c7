"""The v1 survey CRUD round trip upstream's own API end-to-end tests make (v1 spec §5)."""

from typing import Any
from unittest.mock import ANY

from httpx import AsyncClient
from tests.factories import E2E_SURVEY, QUESTION_ID, ApiEnv

SURVEYS = "/api/v1/management/surveys"

EXPECTED_QUESTION = {
    "id": QUESTION_ID,
    "type": "openText",
    "headline": {"default": "What would you like to know?"},
    "subheader": {"default": "This is an example survey."},
    "required": True,
    "placeholder": {"default": "Type your answer here..."},
    "inputType": "text",
    "insightsEnabled": False,
    "charLimit": {"enabled": False},
}


def _expected_survey(env: ApiEnv, **overrides: Any) -> dict[str, Any]:
    return {
        "id": ANY,
        "createdAt": ANY,
        "updatedAt": ANY,
        "name": "My new Survey from API",
        "type": "link",
        "environmentId": env.environment_id,
        "createdBy": None,
        "status": "draft",
        "welcomeCard": {"enabled": False, "timeToFinish": True, "showResponseCount": False},
        "questions": [EXPECTED_QUESTION],
        "blocks": [],
        "endings": [],
        "hiddenFields": {"enabled": False},
        "variables": [],
        "displayOption": "displayOnce",
        "recontactDays": None,
        "displayLimit": None,
        "autoClose": None,
        "delay": 0,
        "displayPercentage": None,
        "autoComplete": None,
        "isVerifyEmailEnabled": False,
        "isSingleResponsePerEmailEnabled": False,
        "isBackButtonHidden": False,
        "isAutoProgressingEnabled": False,
        "isCaptureIpEnabled": False,
        "redirectUrl": None,
        "projectOverwrites": None,
        "styling": None,
        "surveyClosedMessage": None,
        "singleUse": {"enabled": False, "isEncrypted": True},
        "pin": None,
        "showLanguageSwitch": None,
        "recaptcha": {"enabled": False, "threshold": 0.1},
        "metadata": {},
        "customHeadScripts": None,
        "customHeadScriptsMode": "add",
        "languages": [],
        "triggers": [],
        "segment": None,
        "followUps": [],
        "slug": None,
        **overrides,
    }


async def test_upstream_e2e_round_trip(client: AsyncClient, env: ApiEnv) -> None:
    created = await client.post(
        SURVEYS, json={**E2E_SURVEY, "environmentId": env.environment_id}, headers=env.headers
    )
    assert created.status_code == 200
    assert created.json() == {"data": _expected_survey(env)}
    survey_id = created.json()["data"]["id"]

    listed = await client.get(SURVEYS, headers=env.headers)
    assert listed.status_code == 200
    assert [survey["id"] for survey in listed.json()["data"]] == [survey_id]

    fetched = await client.get(f"{SURVEYS}/{survey_id}", headers=env.headers)
    assert fetched.status_code == 200
    assert fetched.json() == {"data": _expected_survey(env)}

    updated = await client.put(
        f"{SURVEYS}/{survey_id}", json={"name": "My updated Survey from API"}, headers=env.headers
    )
    assert updated.status_code == 200
    assert updated.json()["data"]["name"] == "My updated Survey from API"
    # PUT without questions returns the stored form: blocks, not questions.
    assert updated.json()["data"]["questions"] == []
    assert updated.json()["data"]["blocks"][0]["elements"] == [EXPECTED_QUESTION]

    deleted = await client.delete(f"{SURVEYS}/{survey_id}", headers=env.headers)
    assert deleted.status_code == 200
    assert deleted.json()["data"]["name"] == "My updated Survey from API"
    assert deleted.json()["data"]["segmentId"] is None

    gone = await client.get(f"{SURVEYS}/{survey_id}", headers=env.headers)
    assert gone.status_code == 404
    assert gone.json() == {
        "code": "not_found",
        "message": "Survey not found",
        "details": {"resource_id": survey_id, "resource_type": "Survey"},
    }


async def test_element_id_survives_into_responses(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()

    response = await client.post(
        "/api/v2/management/responses",
        json={"surveyId": survey["id"], "finished": True, "data": {QUESTION_ID: "answer1"}},
        headers=env.headers,
    )

    assert response.status_code == 201
    assert response.json()["data"]["data"] == {QUESTION_ID: "answer1"}


async def test_blocks_input_is_stored_and_shown_as_questions(
    client: AsyncClient, env: ApiEnv
) -> None:
    block = {
        "id": "blockone00000000000000001",
        "name": "Block 1",
        "elements": [
            {"id": "q1", "type": "openText", "headline": {"default": "Q?"}, "required": False}
        ],
    }
    body = {"environmentId": env.environment_id, "name": "Blocks", "blocks": [block]}

    created = await client.post(SURVEYS, json=body, headers=env.headers)
    fetched = await client.get(f"{SURVEYS}/{created.json()['data']['id']}", headers=env.headers)

    assert created.status_code == 200
    assert created.json()["data"]["questions"] == []
    assert created.json()["data"]["blocks"][0]["id"] == block["id"]
    assert [q["id"] for q in fetched.json()["data"]["questions"]] == ["q1"]


async def test_validation_errors_use_v1s_flat_details(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.post(SURVEYS, json={}, headers=env.headers)

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": "Fields are missing or incorrectly formatted",
        "details": {
            "name": "Invalid input: expected string, received undefined",
            "environmentId": "Invalid input: expected string, received undefined",
        },
    }


async def test_malformed_json_is_400(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.post(
        SURVEYS, content=b"{", headers={**env.headers, "content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": "Malformed JSON input, please check your request body",
        "details": {},
    }


async def test_missing_key_is_not_authenticated(client: AsyncClient) -> None:
    response = await client.get(SURVEYS)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


async def test_write_needs_write_and_delete_needs_manage(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    read_key = {"x-api-key": await env.make_key([(env.environment_id, "read")])}
    write_key = {"x-api-key": await env.make_key([(env.environment_id, "write")])}
    unauthorized = {
        "code": "unauthorized",
        "message": "You are not authorized to access this resource",
        "details": {},
    }

    read_get = await client.get(f"{SURVEYS}/{survey['id']}", headers=read_key)
    read_put = await client.put(f"{SURVEYS}/{survey['id']}", json={}, headers=read_key)
    write_delete = await client.delete(f"{SURVEYS}/{survey['id']}", headers=write_key)
    read_create = await client.post(
        SURVEYS, json={**E2E_SURVEY, "environmentId": env.environment_id}, headers=read_key
    )

    assert read_get.status_code == 200
    assert (read_put.status_code, read_put.json()) == (401, unauthorized)
    assert (write_delete.status_code, write_delete.json()) == (401, unauthorized)
    assert (read_create.status_code, read_create.json()) == (401, unauthorized)


async def test_surveys_of_other_organizations_are_not_listed_or_readable(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey()
    other = await env.other_workspace()
    stranger_key = await env.make_key([(other.production.id, "manage")], other.organization.id)
    stranger = {"x-api-key": stranger_key}

    listed = await client.get(SURVEYS, headers=stranger)
    fetched = await client.get(f"{SURVEYS}/{survey['id']}", headers=stranger)

    assert listed.json() == {"data": []}
    assert fetched.status_code == 401


async def test_list_limit_and_offset(client: AsyncClient, env: ApiEnv) -> None:
    for name in ("one", "two", "three"):
        await env.create_survey(name=name)

    page = await client.get(SURVEYS, params={"limit": "1", "offset": "1"}, headers=env.headers)
    empty = await client.get(SURVEYS, params={"limit": ""}, headers=env.headers)

    assert [survey["name"] for survey in page.json()["data"]] == ["two"]
    assert empty.json() == {"data": []}


async def test_grants_on_another_organizations_environment_are_ignored(
    client: AsyncClient, env: ApiEnv
) -> None:
    other = await env.other_workspace()
    survey = await env.create_survey()
    # A key of the other organization holding a grant on our environment (upstream honours it).
    crossing = await env.make_key([(env.environment_id, "manage")], other.organization.id)

    fetched = await client.get(f"{SURVEYS}/{survey['id']}", headers={"x-api-key": crossing})

    assert fetched.status_code == 401
