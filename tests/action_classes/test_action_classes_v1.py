"""v1 action classes (v1 management spec §4): CRUD, zod's validation details, permissions."""

from typing import Any
from unittest.mock import ANY

import pytest
from httpx import AsyncClient

from tests.factories import ApiEnv

ACTION_CLASSES = "/api/v1/management/action-classes"
INVALID = "Fields are missing or incorrectly formatted"
UNAUTHORIZED = {
    "code": "unauthorized",
    "message": "You are not authorized to access this resource",
    "details": {},
}
CLICK = {
    "type": "click",
    "urlFilters": [{"value": "/pricing", "rule": "startsWith"}],
    "urlFiltersConnector": "or",
    "elementSelector": {"cssSelector": "#buy"},
}


def _code(env: ApiEnv, **fields: Any) -> dict[str, Any]:
    body = {"environmentId": env.environment_id, "type": "code", "name": "Clicked Download"}
    return {**body, "key": "clicked-download", **fields}


async def _create(client: AsyncClient, env: ApiEnv, **fields: Any) -> dict[str, Any]:
    response = await client.post(ACTION_CLASSES, json=_code(env, **fields), headers=env.headers)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()["data"]
    return created


async def test_a_fresh_key_lists_none(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.get(ACTION_CLASSES, headers=env.headers)

    assert (response.status_code, response.json()) == (200, {"data": []})


async def test_post_creates_a_code_class(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.post(
        ACTION_CLASSES,
        json=_code(env, name="  Clicked Download ", noCodeConfig=CLICK, extra=1),
        headers=env.headers,
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert list(data) == [
        *("id", "createdAt", "updatedAt", "name", "description", "type", "key"),
        *("noCodeConfig", "environmentId"),
    ]
    assert data == {
        "id": ANY,
        "createdAt": ANY,
        "updatedAt": data["createdAt"],
        "name": "Clicked Download",
        "description": None,
        "type": "code",
        "key": "clicked-download",
        "noCodeConfig": None,
        "environmentId": env.environment_id,
    }


async def test_post_creates_a_no_code_class(client: AsyncClient, env: ApiEnv) -> None:
    body = {
        "environmentId": env.environment_id,
        "type": "noCode",
        "name": "Pricing click",
        "description": "Buy button",
        "key": "ignored",
        "noCodeConfig": CLICK,
    }

    response = await client.post(ACTION_CLASSES, json=body, headers=env.headers)

    assert response.status_code == 200
    assert response.json()["data"] | {"id": 0, "createdAt": 0, "updatedAt": 0} == {
        "id": 0,
        "createdAt": 0,
        "updatedAt": 0,
        "name": "Pricing click",
        "description": "Buy button",
        "type": "noCode",
        "key": None,
        "noCodeConfig": CLICK,
        "environmentId": env.environment_id,
    }


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"name": "x"}, {"type": "Invalid input"}),
        ({"type": "other", "name": 1}, {"type": "Invalid input"}),
        (
            {"type": "code"},
            {
                "name": "Name is required",
                "environmentId": "Invalid input: expected string, received undefined",
                "key": "Invalid input: expected string, received undefined",
            },
        ),
        (
            {"type": "code", "name": "  ", "environmentId": "", "key": " "},
            {
                "name": "Name must be at least 1 character long",
                "environmentId": "Environment ID cannot be empty",
                "key": "Too small: expected string to have >=1 characters",
            },
        ),
        (
            {"type": "code", "name": "a", "environmentId": "ABC", "key": None, "description": 5},
            {
                "description": "Invalid input: expected string, received number",
                "environmentId": "Invalid cuid2",
            },
        ),
        (
            {"type": "noCode", "name": "a", "environmentId": "abc"},
            {"noCodeConfig": "Invalid input"},
        ),
        (
            {
                "type": "noCode",
                "name": "a",
                "environmentId": "abc",
                "noCodeConfig": {"type": "click", "urlFilters": [], "elementSelector": {}},
            },
            {"noCodeConfig.elementSelector": "Either cssSelector or innerHtml must be provided"},
        ),
        (
            {
                "type": "noCode",
                "name": "a",
                "environmentId": "abc",
                "noCodeConfig": {
                    "type": "pageView",
                    "urlFilters": [
                        {"value": "pricing", "rule": "exactMatch"},
                        {"value": "https://example", "rule": "startsWith"},
                        {"value": "pricing", "rule": "contains"},
                        {"value": "https://app.example.com/x", "rule": "notMatch"},
                    ],
                },
            },
            {
                "noCodeConfig.urlFilters.0.value": "Please enter a valid URL (e.g., https://example.com)",
                "noCodeConfig.urlFilters.1.value": "Please enter a valid URL (e.g., https://example.com)",
            },
        ),
        (
            {
                "type": "noCode",
                "name": "a",
                "environmentId": "abc",
                "noCodeConfig": {"type": "pageDwell", "urlFilters": [], "timeInSeconds": 0},
            },
            {"noCodeConfig.timeInSeconds": "Too small: expected number to be >=1"},
        ),
        ({"type": "code", "name": "n" * 256, "environmentId": "abc", "key": "k"}, None),
    ],
)
async def test_post_validates_as_upstream(
    client: AsyncClient, env: ApiEnv, body: dict[str, Any], details: dict[str, str] | None
) -> None:
    response = await client.post(ACTION_CLASSES, json=body, headers=env.headers)

    assert response.status_code == 400
    expected = details or {"name": "Too big: expected string to have <=255 characters"}
    assert response.json() == {"code": "bad_request", "message": INVALID, "details": expected}


async def test_post_with_malformed_json_is_400(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.post(
        ACTION_CLASSES, content=b"{", headers={**env.headers, "content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": "Malformed JSON input, please check your request body",
        "details": {},
    }


async def test_duplicate_name_or_key_in_an_environment_is_400(
    client: AsyncClient, env: ApiEnv
) -> None:
    await _create(client, env)

    same_name = await client.post(ACTION_CLASSES, json=_code(env, key="k2"), headers=env.headers)
    same_key = await client.post(ACTION_CLASSES, json=_code(env, name="n2"), headers=env.headers)
    other_environment = await client.post(
        ACTION_CLASSES,
        json=_code(env, environmentId=env.workspace.development.id),
        headers=env.headers,
    )

    assert (same_name.status_code, same_name.json()) == (
        400,
        {
            "code": "bad_request",
            "message": "Action with name Clicked Download already exists",
            "details": {},
        },
    )
    assert (same_key.status_code, same_key.json()) == (
        400,
        {
            "code": "bad_request",
            "message": "Action with key clicked-download already exists",
            "details": {},
        },
    )
    assert other_environment.status_code == 200


async def test_post_needs_write_on_the_bodys_environment(client: AsyncClient, env: ApiEnv) -> None:
    reader = await env.make_key([(env.environment_id, "read")])
    other = await env.other_workspace()

    read_only = await client.post(ACTION_CLASSES, json=_code(env), headers={"x-api-key": reader})
    foreign = await client.post(
        ACTION_CLASSES, json=_code(env, environmentId=other.production.id), headers=env.headers
    )

    assert (read_only.status_code, read_only.json()) == (401, UNAUTHORIZED)
    assert (foreign.status_code, foreign.json()) == (401, UNAUTHORIZED)


async def test_post_without_environment_id_uses_a_one_environment_keys_environment(
    client: AsyncClient, env: ApiEnv
) -> None:
    single = await env.make_key([(env.workspace.development.id, "write")])
    body = {"type": "code", "name": "Signed up", "key": "signed-up"}

    response = await client.post(ACTION_CLASSES, json=body, headers={"x-api-key": single})

    assert response.status_code == 200
    assert response.json()["data"]["environmentId"] == env.workspace.development.id


async def test_get_lists_oldest_first_across_the_keys_environments(
    client: AsyncClient, env: ApiEnv
) -> None:
    first = await _create(client, env)
    second = await _create(client, env, name="Second", key="second")
    other = await env.other_workspace()
    outsider = await env.make_key(
        [(other.production.id, "manage")], organization_id=other.organization.id
    )

    mine = await client.get(ACTION_CLASSES, headers=env.headers)
    theirs = await client.get(ACTION_CLASSES, headers={"x-api-key": outsider})

    assert mine.json() == {"data": [first, second]}
    assert theirs.json() == {"data": []}


async def test_get_one_and_its_errors(client: AsyncClient, env: ApiEnv) -> None:
    created = await _create(client, env)
    other = await env.other_workspace()
    outsider = await env.make_key(
        [(other.production.id, "manage")], organization_id=other.organization.id
    )
    path = f"{ACTION_CLASSES}/{created['id']}"

    found = await client.get(path, headers=env.headers)
    foreign = await client.get(path, headers={"x-api-key": outsider})
    unknown = await client.get(f"{ACTION_CLASSES}/clac00000000000000000001", headers=env.headers)
    bad_id = await client.get(f"{ACTION_CLASSES}/A-B", headers=env.headers)

    assert (found.status_code, found.json()) == (200, {"data": created})
    assert (foreign.status_code, foreign.json()) == (401, UNAUTHORIZED)
    assert (unknown.status_code, unknown.json()) == (
        404,
        {
            "code": "not_found",
            "message": "Action Class not found",
            "details": {"resource_id": "clac00000000000000000001", "resource_type": "Action Class"},
        },
    )
    assert bad_id.status_code == 400
    assert bad_id.json() == {
        "code": "bad_request",
        "message": INVALID,
        "details": {"actionClassId": "Invalid cuid2"},
    }


async def test_put_replaces_the_class_and_keeps_the_other_kinds_field(
    client: AsyncClient, env: ApiEnv
) -> None:
    created = await _create(client, env, description="old")
    body = {
        "environmentId": env.environment_id,
        "type": "noCode",
        "name": "Renamed",
        "noCodeConfig": CLICK,
    }

    response = await client.put(f"{ACTION_CLASSES}/{created['id']}", json=body, headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {
        "data": {
            **created,
            "updatedAt": ANY,
            "name": "Renamed",
            "type": "noCode",
            "noCodeConfig": CLICK,
            "surveyTriggers": [],
        }
    }


async def test_put_may_move_only_to_an_environment_the_key_can_write(
    client: AsyncClient, env: ApiEnv
) -> None:
    created = await _create(client, env)
    other = await env.other_workspace()
    path = f"{ACTION_CLASSES}/{created['id']}"

    foreign = await client.put(
        path, json=_code(env, environmentId=other.production.id), headers=env.headers
    )
    moved = await client.put(
        path, json=_code(env, environmentId=env.workspace.development.id), headers=env.headers
    )

    assert (foreign.status_code, foreign.json()) == (401, UNAUTHORIZED)
    assert moved.status_code == 200
    assert moved.json()["data"]["environmentId"] == env.workspace.development.id


async def test_put_checks_the_class_before_the_body(client: AsyncClient, env: ApiEnv) -> None:
    created = await _create(client, env)
    reader = await env.make_key([(env.environment_id, "read")])
    path = f"{ACTION_CLASSES}/{created['id']}"

    unknown = await client.put(f"{ACTION_CLASSES}/clac00000000000000000001", content=b"{")
    read_only = await client.put(path, content=b"{", headers={"x-api-key": reader})
    invalid = await client.put(path, json={"type": "code"}, headers=env.headers)
    duplicate_target = await _create(client, env, name="Other", key="other")
    duplicate = await client.put(
        f"{ACTION_CLASSES}/{duplicate_target['id']}",
        json=_code(env, key="third"),
        headers=env.headers,
    )

    assert unknown.status_code == 401  # no key: authentication comes first
    assert (read_only.status_code, read_only.json()) == (401, UNAUTHORIZED)
    assert invalid.status_code == 400
    assert invalid.json()["message"] == INVALID
    assert duplicate.status_code == 400
    assert duplicate.json()["message"] == "Action with name Clicked Download already exists"


async def test_delete_needs_manage_and_answers_with_the_class(
    client: AsyncClient, env: ApiEnv
) -> None:
    created = await _create(client, env)
    writer = await env.make_key([(env.environment_id, "write")])
    path = f"{ACTION_CLASSES}/{created['id']}"

    refused = await client.delete(path, headers={"x-api-key": writer})
    deleted = await client.delete(path, headers=env.headers)
    gone = await client.get(path, headers=env.headers)

    assert (refused.status_code, refused.json()) == (401, UNAUTHORIZED)
    assert (deleted.status_code, deleted.json()) == (200, {"data": created})
    assert gone.status_code == 404
