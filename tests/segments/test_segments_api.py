"""/api/v2/management/segments (ours): CRUD, upstream's filter checks, members in SQL."""

import itertools
from typing import Any
from unittest.mock import ANY

import pytest
from httpx import AsyncClient

from surveylink.segments.checks import BAD_VALUE, WRONG_VALUE_TYPE
from tests.factories import ApiEnv

SEGMENTS = "/api/v2/management/segments"
_ids = (f"f{number}" for number in itertools.count())


def leaf(
    key: str, operator: str, value: object = "x", connector: str | None = None, root: str = ""
) -> dict[str, Any]:
    kind = root or "attribute"
    field = {"attribute": "contactAttributeKey", "person": "personIdentifier"}.get(kind, "x")
    resource = {
        "id": next(_ids),
        "root": {"type": kind, field: key},
        "qualifier": {"operator": operator},
        "value": value,
    }
    return {"id": next(_ids), "connector": connector, "resource": resource}


def member_of(segment_id: str, operator: str, connector: str | None = None) -> dict[str, Any]:
    resource = {
        "id": next(_ids),
        "root": {"type": "segment", "segmentId": segment_id},
        "qualifier": {"operator": operator},
        "value": segment_id,
    }
    return {"id": next(_ids), "connector": connector, "resource": resource}


def group(items: list[dict[str, Any]], connector: str | None) -> dict[str, Any]:
    return {"id": next(_ids), "connector": connector, "resource": items}


def error(code: int, message: str, field: str, issue: str, **meta: Any) -> dict[str, Any]:
    detail: dict[str, Any] = {"field": field, "issue": issue}
    if meta:
        detail["meta"] = meta
    return {"error": {"code": code, "message": message, "details": [detail]}}


async def create(env: ApiEnv, title: str, filters: Any, **fields: Any) -> Any:
    body = {"environmentId": env.environment_id, "title": title, "filters": filters, **fields}
    return await env.client.post(SEGMENTS, json=body, headers=env.headers)


async def created(env: ApiEnv, title: str, filters: Any) -> str:
    response = await create(env, title, filters)
    assert response.status_code == 201, response.text
    segment_id: str = response.json()["data"]["id"]
    return segment_id


async def emails(env: ApiEnv, segment_id: str) -> list[str]:
    response = await env.client.get(f"{SEGMENTS}/{segment_id}/members", headers=env.headers)
    assert response.status_code == 200, response.text
    return sorted(member["attributes"]["email"] for member in response.json()["data"])


async def test_create_get_list_update_delete(client: AsyncClient, env: ApiEnv) -> None:
    filters = [leaf("plan", "equals", "pro")]

    made = await create(env, "Pro customers", filters, description="Paying")
    segment_id = made.json()["data"]["id"]
    shown = await client.get(f"{SEGMENTS}/{segment_id}", headers=env.headers)
    listed = await client.get(SEGMENTS, headers=env.headers)
    changed = await client.put(
        f"{SEGMENTS}/{segment_id}", json={"title": "Pro"}, headers=env.headers
    )
    deleted = await client.delete(f"{SEGMENTS}/{segment_id}", headers=env.headers)
    gone = await client.get(f"{SEGMENTS}/{segment_id}", headers=env.headers)

    expected = {
        "id": segment_id,
        "createdAt": ANY,
        "updatedAt": ANY,
        "title": "Pro customers",
        "description": "Paying",
        "isPrivate": False,
        "filters": filters,
        "environmentId": env.environment_id,
        "surveys": [],
    }
    assert made.status_code == 201
    assert made.json() == {"data": expected}
    assert shown.json() == {"data": expected}
    assert listed.json() == {"data": [expected], "meta": {"total": 1, "limit": 50, "offset": 0}}
    assert changed.status_code == 200
    assert changed.json() == {"data": {**expected, "title": "Pro"}}
    assert deleted.json() == {"data": {**expected, "title": "Pro"}}
    assert gone.status_code == 404
    assert gone.json() == error(404, "Not Found", "segment", "not found")


async def test_unknown_keys_are_dropped_from_stored_filters(env: ApiEnv) -> None:
    item = leaf("plan", "equals", "pro")
    item["note"] = "dropped"
    item["resource"]["root"]["extra"] = 1

    response = await create(env, "Pro", [item])

    stored = response.json()["data"]["filters"][0]
    assert "note" not in stored
    assert stored["resource"]["root"] == {"type": "attribute", "contactAttributeKey": "plan"}


@pytest.mark.parametrize(
    ("filters", "field", "issue"),
    [
        ([], "filters", "At least one filter is required"),
        ([leaf("plan", "equals", "pro", connector="and")], "filters", "Invalid filters applied"),
        (
            [group([leaf("a", "isSet", connector="or")], None)],
            "filters.0.resource",
            "Invalid filters applied",
        ),
        ([leaf("plan", "contains", 5)], "filters.0.resource", WRONG_VALUE_TYPE),
        ([leaf("age", "lessThan", "5")], "filters.0.resource", WRONG_VALUE_TYPE),
        ([leaf("d", "isNewerThan", "5")], "filters.0.resource", WRONG_VALUE_TYPE),
        ([leaf("plan", "equals", "")], "filters.0.resource", BAD_VALUE),
        ([leaf("d", "isBetween", ["2026-01-01", ""])], "filters.0.resource", BAD_VALUE),
        (
            [leaf("d", "isOlderThan", {"amount": 0, "unit": "days"})],
            "filters.0.resource",
            BAD_VALUE,
        ),
        (
            [leaf("d", "isOlderThan", {"amount": 1, "unit": "decades"})],
            "filters.0.resource.value",
            "Invalid input",
        ),
        (
            [leaf("userId", "lessThan", 3, root="person")],
            "filters.0.resource.qualifier.operator",
            'Invalid option: expected one of "equals"|"notEquals"|"isSet"|"isNotSet"|'
            '"contains"|"doesNotContain"|"startsWith"|"endsWith"',
        ),
        (
            [{**leaf("plan", "isSet"), "id": "Not-A-Cuid"}],
            "filters.0.id",
            "Invalid cuid2",
        ),
        (
            [{**leaf("plan", "isSet"), "connector": "xor"}],
            "filters.0.connector",
            'Invalid option: expected one of "and"|"or"',
        ),
        ({"not": "a list"}, "filters", "Invalid input: expected array, received object"),
        (
            [leaf("plan", "isSet")] * 101,
            "filters",
            "Too many filters: a segment has at most 100",
        ),
    ],
)
async def test_filter_tree_is_checked_with_upstreams_messages(
    env: ApiEnv, filters: Any, field: str, issue: str
) -> None:
    response = await create(env, "Checked", filters)

    assert response.status_code == 422
    assert response.json() == error(422, "Unprocessable Entity", field, issue)


async def test_a_filter_naming_a_missing_segment_is_400(env: ApiEnv) -> None:
    other = await env.create_segment("dev", [], environment_id=env.workspace.development.id)

    response = await create(env, "Broken", [member_of("nosuchsegment", "userIsIn")])
    across = await create(env, "Across", [member_of(other, "userIsIn")])

    assert response.status_code == 400
    assert response.json() == error(
        400, "Bad Request", "filters", "Invalid segment filters", segmentIds=["nosuchsegment"]
    )
    assert across.status_code == 400


async def test_self_reference_and_cycles_are_refused(client: AsyncClient, env: ApiEnv) -> None:
    first = await created(env, "First", [leaf("plan", "isSet")])
    second = await created(env, "Second", [member_of(first, "userIsIn")])
    third = await created(env, "Third", [member_of(second, "userIsNotIn")])

    itself = await client.put(
        f"{SEGMENTS}/{first}", json={"filters": [member_of(first, "userIsIn")]}, headers=env.headers
    )
    cycle = await client.put(
        f"{SEGMENTS}/{first}",
        json={"filters": [leaf("plan", "isSet"), member_of(third, "userIsIn", "and")]},
        headers=env.headers,
    )

    recursive = error(400, "Bad Request", "filters", "Recursive segment filter is not allowed")
    assert itself.status_code == 400
    assert itself.json() == recursive
    assert cycle.json() == recursive


async def test_titles_are_unique_per_environment(client: AsyncClient, env: ApiEnv) -> None:
    await created(env, "Taken", [leaf("plan", "isSet")])
    other = await created(env, "Other", [leaf("plan", "isSet")])

    again = await create(env, "Taken", [leaf("plan", "isSet")])
    renamed = await client.put(f"{SEGMENTS}/{other}", json={"title": "Taken"}, headers=env.headers)

    conflict = error(409, "Conflict", "title", "Segment with this title already exists")
    assert again.status_code == 409
    assert again.json() == conflict
    assert renamed.json() == conflict


async def test_permissions_follow_upstreams_order(client: AsyncClient, env: ApiEnv) -> None:
    segment = await created(env, "Mine", [leaf("plan", "isSet")])
    reader = {"x-api-key": await env.make_key([(env.environment_id, "read")])}
    stranger = {"x-api-key": await env.make_key([(env.workspace.development.id, "manage")])}
    body = {"environmentId": env.environment_id, "title": "X", "filters": [leaf("a", "isSet")]}

    create_as_reader = await client.post(SEGMENTS, json=body, headers=reader)
    read_as_reader = await client.get(f"{SEGMENTS}/{segment}", headers=reader)
    delete_as_reader = await client.delete(f"{SEGMENTS}/{segment}", headers=reader)
    read_as_stranger = await client.get(f"{SEGMENTS}/{segment}", headers=stranger)
    list_as_stranger = await client.get(
        SEGMENTS, params={"environmentId": env.environment_id}, headers=stranger
    )
    missing = await client.get(f"{SEGMENTS}/nosuchsegment", headers=stranger)

    assert create_as_reader.status_code == 403
    assert create_as_reader.json() == {"error": {"code": 403, "message": "Forbidden"}}
    assert read_as_reader.status_code == 200
    assert delete_as_reader.status_code == 401
    assert read_as_stranger.status_code == 401
    assert read_as_stranger.json() == {"error": {"code": 401, "message": "Unauthorized"}}
    assert list_as_stranger.status_code == 401
    assert missing.status_code == 404


async def test_a_segment_other_segments_use_cannot_be_deleted(
    client: AsyncClient, env: ApiEnv
) -> None:
    used = await created(env, "Used", [leaf("plan", "isSet")])
    user = await created(env, "User", [group([member_of(used, "userIsIn")], None)])

    refused = await client.delete(f"{SEGMENTS}/{used}", headers=env.headers)
    await client.delete(f"{SEGMENTS}/{user}", headers=env.headers)
    allowed = await client.delete(f"{SEGMENTS}/{used}", headers=env.headers)

    assert refused.status_code == 409
    assert refused.json() == error(
        409,
        "Conflict",
        "segment",
        "Cannot delete a segment that other segments' filters refer to",
        segmentIds=[user],
    )
    assert allowed.status_code == 200


async def test_members_are_paged_with_their_attributes_and_counted(
    client: AsyncClient, env: ApiEnv
) -> None:
    await env.create_attribute_key("plan")
    first = await env.create_contact("ada@example.com", plan="pro")
    second = await env.create_contact("grace@example.com", plan="PRO", firstName="Grace")
    await env.create_contact("alan@example.com", plan="free")
    segment = await created(env, "Pro", [leaf("plan", "equals", "pro")])

    page = await client.get(
        f"{SEGMENTS}/{segment}/members", params={"limit": "1"}, headers=env.headers
    )
    rest = await client.get(
        f"{SEGMENTS}/{segment}/members", params={"limit": "1", "skip": "1"}, headers=env.headers
    )

    assert page.json() == {
        "data": [
            {
                "id": second["id"],
                "attributes": {"email": "grace@example.com", "plan": "PRO", "firstName": "Grace"},
            }
        ],
        "meta": {"total": 2, "limit": 1, "offset": 0},
    }
    assert rest.json()["data"] == [
        {"id": first["id"], "attributes": {"email": "ada@example.com", "plan": "pro"}}
    ]


async def test_filter_semantics_through_the_api(env: ApiEnv) -> None:
    for name, data_type in (("plan", "string"), ("age", "number"), ("signup", "date")):
        await env.create_attribute_key(name, data_type)
    await env.create_contact("a@example.com", plan="pro", age="42", signup="2001-01-01")
    await env.create_contact("b@example.com", plan="free", age="17", signup="2099-06-01")
    await env.create_contact("c@example.com", userId="u-77")
    cases: dict[str, tuple[list[Any], list[str]]] = {
        "text ignores case": ([leaf("plan", "equals", "PRO")], ["a@example.com"]),
        "notEquals needs the key": ([leaf("plan", "notEquals", "pro")], ["b@example.com"]),
        "isNotSet": ([leaf("plan", "isNotSet")], ["c@example.com"]),
        "number": ([leaf("age", "greaterEqual", 18)], ["a@example.com"]),
        "date older": (
            [leaf("signup", "isOlderThan", {"amount": 1, "unit": "years"})],
            ["a@example.com"],
        ),
        "date between": (
            [leaf("signup", "isBetween", ["2099-01-01", "2099-12-31"])],
            ["b@example.com"],
        ),
        "person userId": ([leaf("userId", "startsWith", "U-", root="person")], ["c@example.com"]),
        "or": (
            [leaf("plan", "equals", "pro"), leaf("userId", "isSet", connector="or")],
            ["a@example.com", "c@example.com"],
        ),
        # Upstream's buckets: "A and B or C" means all three, not "(A and B) or C".
        "and before or": (
            [
                leaf("plan", "isSet"),
                leaf("age", "lessThan", 18, connector="and"),
                leaf("userId", "isSet", connector="or"),
            ],
            [],
        ),
        "group": (
            [
                leaf("email", "endsWith", "EXAMPLE.COM"),
                group(
                    [leaf("plan", "equals", "free"), leaf("userId", "isSet", connector="or")],
                    "and",
                ),
            ],
            ["b@example.com", "c@example.com"],
        ),
    }

    for name, (filters, expected) in cases.items():
        segment = await created(env, name, filters)
        assert await emails(env, segment) == expected, name


async def test_segment_filters_nest(env: ApiEnv) -> None:
    await env.create_attribute_key("plan")
    await env.create_contact("a@example.com", plan="pro")
    await env.create_contact("b@example.com", plan="free")
    pro = await created(env, "pro", [leaf("plan", "equals", "pro")])
    inside = await created(env, "inside", [member_of(pro, "userIsIn")])
    outside = await created(env, "outside", [member_of(pro, "userIsNotIn")])
    deeper = await created(env, "deeper", [member_of(outside, "userIsIn")])

    assert await emails(env, inside) == ["a@example.com"]
    assert await emails(env, outside) == ["b@example.com"]
    assert await emails(env, deeper) == ["b@example.com"]


async def test_list_is_scoped_to_the_keys_environments(client: AsyncClient, env: ApiEnv) -> None:
    mine = await created(env, "Mine", [leaf("plan", "isSet")])
    await env.create_segment("dev", [], environment_id=env.workspace.development.id)
    key = await env.make_key([(env.environment_id, "read")])

    response = await client.get(SEGMENTS, headers={"x-api-key": key})

    assert [segment["id"] for segment in response.json()["data"]] == [mine]
    assert response.json()["meta"] == {"total": 1, "limit": 50, "offset": 0}
