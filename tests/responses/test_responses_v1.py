"""v1 responses (v1 management spec §2): v1's envelope, object, list, merge-PUT and errors."""

from typing import Any
from unittest.mock import ANY

import pytest
from httpx import AsyncClient

from tests.factories import QUESTION_ID, ApiEnv

RESPONSES = "/api/v1/management/responses"
NOT_AUTHENTICATED = {
    "code": "not_authenticated",
    "message": "Not authenticated",
    "details": {"x-Api-Key": "Header not provided or API Key invalid"},
}
# Upstream's key order (v1 management spec §2.1).
V1_KEYS = [
    *("id", "createdAt", "updatedAt", "surveyId", "finished", "endingId", "data", "meta", "ttc"),
    *("variables", "contactAttributes", "singleUseId", "language", "displayId", "contact", "tags"),
]
UNAUTHORIZED = {
    "code": "unauthorized",
    "message": "You are not authorized to access this resource",
    "details": {},
}


def _not_found(kind: str, resource_id: str) -> dict[str, Any]:
    return {
        "code": "not_found",
        "message": f"{kind} not found",
        "details": {"resource_id": resource_id, "resource_type": kind},
    }


def _v1(created: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The v1 object of a response made through v2 (same row, v1 keys and order)."""
    contact = None
    if created["contactId"] is not None:
        contact = {"id": created["contactId"]}
        user_id = (created["contactAttributes"] or {}).get("userId")
        if user_id is not None:
            contact["userId"] = user_id
    body = {
        "id": created["id"],
        "createdAt": created["createdAt"],
        "updatedAt": created["updatedAt"],
        "surveyId": created["surveyId"],
        "finished": created["finished"],
        "endingId": created["endingId"],
        "data": created["data"],
        "meta": created["meta"],
        "ttc": created["ttc"],
        "variables": created["variables"],
        "contactAttributes": created["contactAttributes"],
        "singleUseId": created["singleUseId"],
        "language": created["language"],
        "displayId": created["displayId"],
        "contact": contact,
        "tags": [],
    }
    return {**body, **changes}


async def test_post_creates_a_response_in_v1s_shape(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    contact = await env.create_contact("ada@example.com", userId="u-1")
    body = {
        "environmentId": env.environment_id,
        "surveyId": survey["id"],
        "finished": True,
        "data": {QUESTION_ID: "Great product"},
        "ttc": {QUESTION_ID: 5120},
        "userId": "u-1",
        "endingId": "ending1",
        "tags": ["dropped"],
    }

    response = await client.post(RESPONSES, json=body, headers=env.headers)

    assert response.status_code == 200
    data = response.json()["data"]
    assert list(data) == V1_KEYS
    assert data == {
        "id": ANY,
        "createdAt": ANY,
        "updatedAt": data["createdAt"],
        "surveyId": survey["id"],
        "finished": True,
        "endingId": "ending1",
        "data": {QUESTION_ID: "Great product"},
        "meta": {},
        "ttc": {QUESTION_ID: 5120, "_total": 5120},
        "variables": {},
        "contactAttributes": {"email": "ada@example.com", "userId": "u-1"},
        "singleUseId": None,
        "language": None,
        "displayId": None,
        "contact": {"id": contact["id"], "userId": "u-1"},
        "tags": [],
    }
    v2 = await client.get(f"/api/v2/management/responses/{data['id']}", headers=env.headers)
    assert v2.json()["data"]["contactId"] == contact["id"]


async def test_post_without_environment_id_uses_a_one_environment_keys_environment(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey()
    single = await env.make_key([(env.environment_id, "write")])
    body = {"surveyId": survey["id"], "finished": False, "data": {}}

    accepted = await client.post(RESPONSES, json=body, headers={"x-api-key": single})
    refused = await client.post(RESPONSES, json=body, headers=env.headers)

    assert accepted.status_code == 200
    assert accepted.json()["data"]["surveyId"] == survey["id"]
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "bad_request",
        "message": "Fields are missing or incorrectly formatted",
        "details": {"environmentId": "Invalid input: expected string, received undefined"},
    }


async def test_post_validates_the_body_as_upstream(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.post(RESPONSES, json={}, headers=env.headers)

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": "Fields are missing or incorrectly formatted",
        "details": {
            "surveyId": "Invalid input: expected string, received undefined",
            "finished": "Invalid input: expected boolean, received undefined",
            "data": "Invalid input: expected record, received undefined",
            "environmentId": "Invalid input: expected string, received undefined",
        },
    }


@pytest.mark.parametrize("raw", [b"{", b"", b"not json"])
async def test_post_with_malformed_json_is_400(
    client: AsyncClient, env: ApiEnv, raw: bytes
) -> None:
    response = await client.post(
        RESPONSES, content=raw, headers={**env.headers, "content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": "Malformed JSON input, please check your request body",
        "details": {},
    }


async def test_post_checks_key_permission_survey_and_environment_in_order(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey()
    reader = await env.make_key([(env.environment_id, "read")])
    development = env.workspace.development.id
    body = {"environmentId": env.environment_id, "surveyId": survey["id"], "finished": False}
    body["data"] = {}
    missing = {**body, "surveyId": "clsurv0000000000000000001"}

    no_key = await client.post(RESPONSES, json=body)
    read_only = await client.post(RESPONSES, json=body, headers={"x-api-key": reader})
    unknown = await client.post(RESPONSES, json=missing, headers=env.headers)
    elsewhere = await client.post(
        RESPONSES, json={**body, "environmentId": development}, headers=env.headers
    )

    assert (no_key.status_code, no_key.json()) == (401, NOT_AUTHENTICATED)
    assert (read_only.status_code, read_only.json()) == (401, UNAUTHORIZED)
    assert (unknown.status_code, unknown.json()) == (
        404,
        _not_found("Survey", "clsurv0000000000000000001"),
    )
    assert elsewhere.status_code == 400
    assert elsewhere.json() == {
        "code": "bad_request",
        "message": "Survey does not belong to this environment",
        "details": {},
    }


async def test_post_refuses_another_organizations_environment(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey()
    other = await env.other_workspace()
    outsider = await env.make_key(
        [(other.production.id, "manage")], organization_id=other.organization.id
    )
    body = {"environmentId": env.environment_id, "surveyId": survey["id"], "finished": False}

    response = await client.post(
        RESPONSES, json={**body, "data": {}}, headers={"x-api-key": outsider}
    )

    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


async def test_post_refuses_an_empty_required_answer_with_v1s_validation_body(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey()
    body = {
        "environmentId": env.environment_id,
        "surveyId": survey["id"],
        "finished": True,
        "data": {QUESTION_ID: "  "},
    }

    response = await client.post(RESPONSES, json=body, headers=env.headers)

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": "Validation failed",
        "details": {f"response.data.{QUESTION_ID}": "Please fill out this field"},
    }


async def test_get_lists_newest_first_with_skip_and_limit(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    other = await env.create_survey(environmentId=env.workspace.development.id, name="Dev")
    times = ["2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z", "2026-01-03T00:00:00.000Z"]
    made = [await env.create_response(survey["id"], createdAt=at) for at in times]
    dev = await env.create_response(other["id"], createdAt="2026-01-04T00:00:00.000Z")

    everything = await client.get(RESPONSES, headers=env.headers)
    one_survey = await client.get(RESPONSES, params={"surveyId": survey["id"]}, headers=env.headers)
    paged = await client.get(
        RESPONSES, params={"surveyId": survey["id"], "limit": "1", "skip": "1"}, headers=env.headers
    )
    none = await client.get(
        RESPONSES, params={"surveyId": survey["id"], "limit": "0"}, headers=env.headers
    )
    all_with_zero = await client.get(RESPONSES, params={"limit": "0"}, headers=env.headers)

    assert everything.status_code == 200
    assert everything.json() == {"data": [_v1(row) for row in [dev, *reversed(made)]]}
    assert one_survey.json() == {"data": [_v1(row) for row in reversed(made)]}
    assert paged.json() == {"data": [_v1(made[1])]}
    assert none.json() == {"data": []}
    assert len(all_with_zero.json()["data"]) == 4


async def test_get_with_one_survey_defaults_to_25(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    for _ in range(26):
        await env.create_response(survey["id"])

    limited = await client.get(RESPONSES, params={"surveyId": survey["id"]}, headers=env.headers)
    unlimited = await client.get(RESPONSES, headers=env.headers)

    assert len(limited.json()["data"]) == 25
    assert len(unlimited.json()["data"]) == 26


@pytest.mark.parametrize(
    ("name", "value"), [("limit", "abc"), ("limit", "-1"), ("skip", "1.5"), ("skip", "x")]
)
async def test_get_with_a_bad_number_is_400(
    client: AsyncClient, env: ApiEnv, name: str, value: str
) -> None:
    response = await client.get(RESPONSES, params={name: value}, headers=env.headers)

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": f"Invalid {name}: expected a whole number >= 0",
        "details": {},
    }


async def test_get_of_an_unknown_or_foreign_survey(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    other = await env.other_workspace()
    outsider = await env.make_key(
        [(other.production.id, "manage")], organization_id=other.organization.id
    )

    unknown = await client.get(RESPONSES, params={"surveyId": "nosuch"}, headers=env.headers)
    foreign = await client.get(
        RESPONSES, params={"surveyId": survey["id"]}, headers={"x-api-key": outsider}
    )
    foreign_list = await client.get(RESPONSES, headers={"x-api-key": outsider})

    assert (unknown.status_code, unknown.json()) == (404, _not_found("Survey", "nosuch"))
    assert (foreign.status_code, foreign.json()) == (401, UNAUTHORIZED)
    assert foreign_list.json() == {"data": []}


async def test_get_one_and_its_errors(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"], data={QUESTION_ID: "Hi"})
    other = await env.other_workspace()
    outsider = await env.make_key(
        [(other.production.id, "manage")], organization_id=other.organization.id
    )
    path = f"{RESPONSES}/{created['id']}"

    found = await client.get(path, headers=env.headers)
    foreign = await client.get(path, headers={"x-api-key": outsider})
    unknown = await client.get(f"{RESPONSES}/clresp0000000000000000001", headers=env.headers)
    bad_id = await client.get(f"{RESPONSES}/ABC", headers=env.headers)
    no_key = await client.get(path)

    assert (found.status_code, found.json()) == (200, {"data": _v1(created)})
    assert (foreign.status_code, foreign.json()) == (401, UNAUTHORIZED)
    assert (unknown.status_code, unknown.json()) == (
        404,
        _not_found("Response", "clresp0000000000000000001"),
    )
    assert bad_id.status_code == 400
    assert bad_id.json() == {
        "code": "bad_request",
        "message": "Fields are missing or incorrectly formatted",
        "details": {"responseId": "Invalid cuid2"},
    }
    assert (no_key.status_code, no_key.json()) == (401, NOT_AUTHENTICATED)


async def test_put_merges_data_variables_and_ttc(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    created = await env.create_response(
        survey["id"], data={"a": "1", "b": "2"}, variables={"v": 1}, ttc={"a": 100}
    )
    body = {"data": {"b": "changed", "c": "3"}, "ttc": {"b": 50}, "finished": True}
    body |= {"variables": {"w": "x"}, "language": "de", "endingId": "end1", "unknown": 1}

    response = await client.put(f"{RESPONSES}/{created['id']}", json=body, headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {
        "data": _v1(
            created,
            updatedAt=ANY,
            finished=True,
            data={"a": "1", "b": "changed", "c": "3"},
            variables={"v": 1, "w": "x"},
            ttc={"a": 100, "b": 50, "_total": 150},
            language="de",
            endingId="end1",
        )
    }


async def test_put_without_data_keeps_what_is_stored(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"], data={"a": "1"}, finished=True)

    response = await client.put(
        f"{RESPONSES}/{created['id']}", json={"finished": False}, headers=env.headers
    )

    assert response.status_code == 200
    assert response.json()["data"]["data"] == {"a": "1"}
    assert response.json()["data"]["finished"] is False


async def test_put_errors(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"])
    reader = await env.make_key([(env.environment_id, "read")])
    path = f"{RESPONSES}/{created['id']}"

    read_only = await client.put(path, json={"data": {}}, headers={"x-api-key": reader})
    bad = await client.put(path, json={"finished": "yes", "data": []}, headers=env.headers)
    malformed = await client.put(
        path, content=b"{", headers={**env.headers, "content-type": "application/json"}
    )
    unknown = await client.put(
        f"{RESPONSES}/clresp0000000000000000001", content=b"{", headers=env.headers
    )
    no_key = await client.put(path, json={"data": {}})

    assert (read_only.status_code, read_only.json()) == (401, UNAUTHORIZED)
    assert bad.status_code == 400
    assert bad.json() == {
        "code": "bad_request",
        "message": "Fields are missing or incorrectly formatted",
        "details": {
            "finished": "Invalid input: expected boolean, received string",
            "data": "Invalid input: expected record, received array",
        },
    }
    assert malformed.status_code == 400
    assert malformed.json()["message"] == "Malformed JSON input, please check your request body"
    assert unknown.status_code == 404
    assert (no_key.status_code, no_key.json()) == (401, NOT_AUTHENTICATED)


async def test_put_refuses_an_empty_required_answer(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"])

    response = await client.put(
        f"{RESPONSES}/{created['id']}", json={"data": {QUESTION_ID: ""}}, headers=env.headers
    )

    assert response.status_code == 400
    assert response.json()["message"] == "Validation failed"


async def test_delete_needs_manage_and_answers_with_the_response(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"], data={"a": "1"})
    writer = await env.make_key([(env.environment_id, "write")])
    path = f"{RESPONSES}/{created['id']}"

    refused = await client.delete(path, headers={"x-api-key": writer})
    deleted = await client.delete(path, headers=env.headers)
    again = await client.get(path, headers=env.headers)

    assert (refused.status_code, refused.json()) == (401, UNAUTHORIZED)
    assert (deleted.status_code, deleted.json()) == (200, {"data": _v1(created)})
    assert (again.status_code, again.json()) == (404, _not_found("Response", created["id"]))


async def test_a_key_without_environments_is_not_authenticated(
    client: AsyncClient, env: ApiEnv
) -> None:
    key = await env.make_key([])

    response = await client.get(RESPONSES, headers={"x-api-key": key})

    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)


async def test_a_long_list_comes_whole_and_in_order_across_chunks(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey()
    # More than one chunk of 500, with createdAt ties (three per second) across its boundary.
    made = [
        await env.create_response(
            survey["id"], createdAt=f"2026-01-01T00:{i // 180:02d}:{i // 3 % 60:02d}.000Z"
        )
        for i in range(505)
    ]
    newest_first = sorted(made, key=lambda row: (row["createdAt"], row["id"]), reverse=True)

    everything = await client.get(RESPONSES, headers=env.headers)
    window = await client.get(
        RESPONSES,
        params={"surveyId": survey["id"], "skip": "3", "limit": "501"},
        headers=env.headers,
    )

    assert everything.status_code == window.status_code == 200
    assert everything.headers["content-type"] == "application/json"
    assert everything.json() == {"data": [_v1(row) for row in newest_first]}
    assert [row["id"] for row in window.json()["data"]] == [
        row["id"] for row in newest_first[3:504]
    ]
