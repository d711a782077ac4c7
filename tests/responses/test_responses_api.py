"""GET/PUT/DELETE /api/v2/management/responses[/{responseId}] (resources spec §1)."""

from unittest.mock import ANY

from httpx import AsyncClient

from tests.factories import QUESTION_ID, ApiEnv

RESPONSES = "/api/v2/management/responses"
UNAUTHORIZED = {"error": {"code": 401, "message": "Unauthorized"}}
NOT_FOUND = {
    "error": {
        "code": 404,
        "message": "Not Found",
        "details": [{"field": "response", "issue": "not found"}],
    }
}


def unprocessable(*details: tuple[str, str]) -> dict[str, object]:
    return {
        "error": {
            "code": 422,
            "message": "Unprocessable Entity",
            "details": [{"field": field, "issue": issue} for field, issue in details],
        }
    }


async def test_list_without_key_is_401(client: AsyncClient) -> None:
    response = await client.get(RESPONSES)

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_list_has_no_meta_and_only_the_keys_environments(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"], data={QUESTION_ID: "a"})
    dev_survey = await env.create_survey(environmentId=env.workspace.development.id)
    await env.create_response(dev_survey["id"])
    production_only = await env.make_key([(env.environment_id, "read")])

    response = await client.get(RESPONSES, headers={"x-api-key": production_only})

    assert response.status_code == 200
    assert response.json() == {"data": [created]}


async def test_list_filters_by_survey_and_contact(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    other = await env.create_survey(name="Other")
    contact = await env.create_contact("ada@example.com")
    mine = await env.create_response(survey["id"], contact["id"])
    await env.create_response(survey["id"])
    await env.create_response(other["id"], contact["id"])

    response = await client.get(
        RESPONSES,
        params={"surveyId": survey["id"], "contactId": contact["id"]},
        headers=env.headers,
    )

    assert [item["id"] for item in response.json()["data"]] == [mine["id"]]


async def test_list_sorts_pages_and_windows_by_date(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    dates = ["2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"]
    ids = [(await env.create_response(survey["id"], createdAt=d))["id"] for d in dates]

    newest_first = await client.get(RESPONSES, params={"limit": "2"}, headers=env.headers)
    oldest_first = await client.get(
        RESPONSES, params={"order": "asc", "skip": "1"}, headers=env.headers
    )
    window = await client.get(
        RESPONSES,
        params={"startDate": "2026-01-15", "endDate": "2026-02-01T00:00:00.000Z"},
        headers=env.headers,
    )

    assert [item["id"] for item in newest_first.json()["data"]] == [ids[2], ids[1]]
    assert [item["id"] for item in oldest_first.json()["data"]] == [ids[1], ids[2]]
    assert [item["id"] for item in window.json()["data"]] == [ids[1]]


async def test_list_refuses_bad_filters_in_zods_words(client: AsyncClient, env: ApiEnv) -> None:
    bad_limit = await client.get(RESPONSES, params={"limit": "251"}, headers=env.headers)
    bad_sort = await client.get(RESPONSES, params={"sortBy": "name"}, headers=env.headers)
    bad_survey = await client.get(RESPONSES, params={"surveyId": "A-1"}, headers=env.headers)
    backwards = await client.get(
        RESPONSES,
        params={"startDate": "2026-02-01", "endDate": "2026-01-01"},
        headers=env.headers,
    )

    assert bad_limit.status_code == 422
    assert bad_limit.json() == unprocessable(("limit", "Too big: expected number to be <=250"))
    assert bad_sort.json() == unprocessable(
        ("sortBy", 'Invalid option: expected one of "createdAt"|"updatedAt"')
    )
    assert bad_survey.json() == unprocessable(("surveyId", "Invalid cuid2"))
    assert backwards.json() == unprocessable(("", "startDate must be before endDate"))


async def test_get_returns_the_row(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"], data={QUESTION_ID: "a"})

    response = await client.get(f"{RESPONSES}/{created['id']}", headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {"data": created}


async def test_get_unknown_is_404_and_bad_id_is_422(client: AsyncClient, env: ApiEnv) -> None:
    missing = await client.get(f"{RESPONSES}/nosuchresponse", headers=env.headers)
    malformed = await client.get(f"{RESPONSES}/Not-A-Cuid", headers=env.headers)

    assert missing.status_code == 404
    assert missing.json() == NOT_FOUND
    assert malformed.status_code == 422
    assert malformed.json() == unprocessable(("responseId", "Invalid cuid2"))


async def test_get_in_an_environment_the_key_lacks_is_401(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"])
    dev_only = await env.make_key([(env.workspace.development.id, "manage")])

    response = await client.get(f"{RESPONSES}/{created['id']}", headers={"x-api-key": dev_only})

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_put_with_upstreams_full_body_overwrites_every_column(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey()
    contact = await env.create_contact("ada@example.com")
    created = await env.create_response(survey["id"])
    body = {
        "createdAt": "2026-01-01T10:00:00.000Z",
        "updatedAt": "2026-01-02T10:00:00.000Z",
        "finished": True,
        "contactId": contact["id"],
        "endingId": "ending1",
        "data": {QUESTION_ID: "b"},
        "variables": {"v": 1},
        "ttc": {QUESTION_ID: 10},
        "meta": {"source": "api", "country": "CH"},
        "contactAttributes": {"email": "ada@example.com"},
        "singleUseId": "single",
        "language": "de",
        "displayId": None,
        "id": "ignored",
        "surveyId": "ignored",
    }

    response = await client.put(f"{RESPONSES}/{created['id']}", json=body, headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "id": created["id"],
            "createdAt": "2026-01-01T10:00:00.000Z",
            "updatedAt": "2026-01-02T10:00:00.000Z",
            "finished": True,
            "surveyId": survey["id"],
            "contactId": contact["id"],
            "endingId": "ending1",
            "data": {QUESTION_ID: "b"},
            "variables": {"v": 1},
            "ttc": {QUESTION_ID: 10},
            "meta": {"source": "api", "country": "CH"},
            "contactAttributes": {"email": "ada@example.com"},
            "singleUseId": "single",
            "language": "de",
            "displayId": None,
        }
    }


async def test_put_with_the_contracts_partial_body_keeps_the_rest(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"], data={QUESTION_ID: "a"}, language="en")

    response = await client.put(
        f"{RESPONSES}/{created['id']}", json={"finished": True}, headers=env.headers
    )

    assert response.status_code == 200
    assert response.json()["data"] == {
        **created,
        "finished": True,
        "updatedAt": ANY,
    }
    assert response.json()["data"]["updatedAt"] >= created["updatedAt"]


async def test_put_refuses_null_data_and_a_foreign_contact(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"])
    foreign = await env.create_contact("dev@example.com", env.workspace.development.id)
    path = f"{RESPONSES}/{created['id']}"

    null_data = await client.put(path, json={"data": None}, headers=env.headers)
    other_contact = await client.put(path, json={"contactId": foreign["id"]}, headers=env.headers)

    assert null_data.json() == unprocessable(
        ("data", "Invalid input: expected record, received null")
    )
    assert other_contact.status_code == 404
    assert other_contact.json()["error"]["details"] == [{"field": "contact", "issue": "not found"}]


async def test_put_needs_write_and_an_existing_response(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"])
    reader = await env.make_key([(env.environment_id, "read")])

    read_only = await client.put(
        f"{RESPONSES}/{created['id']}", json={}, headers={"x-api-key": reader}
    )
    missing = await client.put(f"{RESPONSES}/nosuchresponse", json={}, headers=env.headers)

    assert read_only.status_code == 401
    assert missing.json() == NOT_FOUND


async def test_required_element_answered_empty_is_400(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    body = {"surveyId": survey["id"], "finished": True, "data": {QUESTION_ID: ""}}

    response = await client.post(RESPONSES, json=body, headers=env.headers)

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": "Bad Request",
            "details": [
                {
                    "field": f"response.data.{QUESTION_ID}",
                    "issue": "Please fill out this field",
                    "meta": {
                        "elementId": QUESTION_ID,
                        "ruleId": "required",
                        "ruleType": "minLength",
                    },
                }
            ],
        }
    }


async def test_delete_returns_the_deleted_row(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"])

    deleted = await client.delete(f"{RESPONSES}/{created['id']}", headers=env.headers)
    again = await client.get(f"{RESPONSES}/{created['id']}", headers=env.headers)

    assert deleted.status_code == 200
    assert deleted.json() == {"data": created}
    assert again.status_code == 404


async def test_delete_needs_manage(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"])
    writer = await env.make_key([(env.environment_id, "write")])

    response = await client.delete(f"{RESPONSES}/{created['id']}", headers={"x-api-key": writer})

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
