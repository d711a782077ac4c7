"""GET /management/surveys/{surveyId}/contact-links/segments/{segmentId}: §3.2, in its order."""

from typing import Any
from unittest.mock import ANY

import jwt
import pytest
from httpx import AsyncClient
from sqlalchemy import event

from surveylink.core.context import app_context
from surveylink.links import tokens
from tests.conftest import ENCRYPTION_KEY
from tests.factories import ApiEnv

LINKS = "/api/v2/management/surveys/{}/contact-links/segments/{}"
KEYS = tokens.LinkKeys.from_setting(ENCRYPTION_KEY)
UNAUTHORIZED = {"error": {"code": 401, "message": "Unauthorized"}}


def _leaf(key: str, operator: str, value: object = "", connector: str | None = None) -> Any:
    resource = {
        "id": f"f{key}{operator}",
        "root": {"type": "attribute", "contactAttributeKey": key},
        "qualifier": {"operator": operator},
        "value": value,
    }
    return {"id": f"i{key}{operator}", "connector": connector, "resource": resource}


def _in_segment(segment_id: str, operator: str, connector: str | None = None) -> Any:
    resource = {
        "id": f"s{segment_id}",
        "root": {"type": "segment", "segmentId": segment_id},
        "qualifier": {"operator": operator},
        "value": segment_id,
    }
    return {"id": f"i{segment_id}", "connector": connector, "resource": resource}


def _error(code: int, message: str, *details: tuple[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if code not in (401, 403, 429):
        body["details"] = [{"field": field, "issue": issue} for field, issue in details]
    return {"error": body}


async def _live_survey(env: ApiEnv, **fields: Any) -> str:
    survey = await env.create_survey(**{"status": "inProgress", **fields})
    return str(survey["id"])


async def _emails(client: AsyncClient, env: ApiEnv, survey: str, segment: str) -> list[str]:
    response = await client.get(
        LINKS.format(survey, segment), params={"attributeKeys": "email"}, headers=env.headers
    )
    assert response.status_code == 200, response.text
    return [item["attributes"]["email"] for item in response.json()["data"]]


async def test_missing_key_is_401(client: AsyncClient) -> None:
    response = await client.get(LINKS.format("abc", "def"))

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.parametrize(
    ("params", "field", "issue"),
    [
        ({"limit": "0"}, "limit", "Too small: expected number to be >=1"),
        ({"limit": ""}, "limit", "Too small: expected number to be >=1"),
        ({"limit": "251"}, "limit", "Too big: expected number to be <=250"),
        ({"limit": "ten"}, "limit", "Invalid input: expected number, received NaN"),
        ({"limit": "2.5"}, "limit", "Invalid input: expected int, received number"),
        ({"skip": "-1"}, "skip", "Too small: expected number to be >=0"),
        ({"expirationDays": "0"}, "expirationDays", "Too small: expected number to be >=1"),
        ({"expirationDays": "366"}, "expirationDays", "Too big: expected number to be <=365"),
        ({"attributeKeys": ",".join("k" * 21)}, "attributeKeys", "You can have max 20 keys."),
    ],
)
async def test_invalid_query_is_422(
    client: AsyncClient, env: ApiEnv, params: dict[str, str], field: str, issue: str
) -> None:
    response = await client.get(LINKS.format("abc", "def"), params=params, headers=env.headers)

    assert response.status_code == 422
    assert response.json() == _error(422, "Unprocessable Entity", (field, issue))


async def test_query_is_reported_before_path_and_in_schema_order(
    client: AsyncClient, env: ApiEnv
) -> None:
    response = await client.get(
        LINKS.format("BAD", "BAD"),
        params={"attributeKeys": ",".join("k" * 21), "limit": "0"},
        headers=env.headers,
    )

    assert response.status_code == 422
    assert response.json() == _error(
        422,
        "Unprocessable Entity",
        ("limit", "Too small: expected number to be >=1"),
        ("attributeKeys", "You can have max 20 keys."),
    )


async def test_two_bad_ids_are_two_items(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.get(LINKS.format("Bad-Id", "also_bad"), headers=env.headers)

    assert response.json() == _error(
        422, "Unprocessable Entity", ("surveyId", "Invalid cuid2"), ("segmentId", "Invalid cuid2")
    )


async def test_unknown_survey_is_404(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.get(LINKS.format("nosuchsurvey", "abc"), headers=env.headers)

    assert response.status_code == 404
    assert response.json() == _error(404, "Not Found", ("survey", "not found"))


async def test_key_without_the_environment_is_401(client: AsyncClient, env: ApiEnv) -> None:
    survey = await _live_survey(env)
    key = await env.make_key([(env.workspace.development.id, "manage")])

    response = await client.get(LINKS.format(survey, "abc"), headers={"x-api-key": key})

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.parametrize(
    "survey", [{"type": "app"}, {"status": "draft"}, {"status": "paused"}, {"status": "completed"}]
)
async def test_survey_not_a_live_link_survey_is_403(
    client: AsyncClient, env: ApiEnv, survey: dict[str, str]
) -> None:
    survey_id = await _live_survey(env, **survey)

    response = await client.get(LINKS.format(survey_id, "abc"), headers=env.headers)

    assert response.status_code == 403
    assert response.json() == {"error": {"code": 403, "message": "Forbidden"}}


async def test_unknown_segment_is_404(client: AsyncClient, env: ApiEnv) -> None:
    survey = await _live_survey(env)

    response = await client.get(LINKS.format(survey, "nosuchsegment"), headers=env.headers)

    assert response.status_code == 404
    assert response.json() == _error(404, "Not Found", ("segment", "not found"))


async def test_segment_of_another_environment_is_400(client: AsyncClient, env: ApiEnv) -> None:
    survey = await _live_survey(env)
    segment = await env.create_segment("dev", [], environment_id=env.workspace.development.id)

    response = await client.get(LINKS.format(survey, segment), headers=env.headers)

    assert response.status_code == 400
    assert response.json() == _error(400, "Bad Request", ("segmentId", "Environment mismatch"))


async def test_segment_naming_a_missing_segment_is_400(client: AsyncClient, env: ApiEnv) -> None:
    survey = await _live_survey(env)
    segment = await env.create_segment("broken", [_in_segment("gone", "userIsIn")])

    response = await client.get(LINKS.format(survey, segment), headers=env.headers)

    assert response.status_code == 400
    assert response.json() == _error(400, "Bad Request", ("segment", "Invalid segment filters"))


async def test_links_for_every_contact_newest_first(client: AsyncClient, env: ApiEnv) -> None:
    survey = await _live_survey(env)
    first = await env.create_contact("ada@example.com", firstName="Ada")
    second = await env.create_contact("grace@example.com")
    await env.create_contact("other@example.com", environment_id=env.workspace.development.id)
    await env.create_response(survey, first["id"])  # responded contacts are not left out
    segment = await env.create_segment("everyone", [])

    response = await client.get(
        LINKS.format(survey, segment),
        params={"attributeKeys": " firstName ,nosuchkey"},
        headers=env.headers,
    )

    assert response.status_code == 200
    assert response.json() == {
        "data": [
            {"contactId": second["id"], "surveyUrl": ANY, "expiresAt": None},
            {
                "contactId": first["id"],
                "attributes": {"firstName": "Ada"},
                "surveyUrl": ANY,
                "expiresAt": None,
            },
        ],
        "meta": {"total": 2, "limit": 50, "offset": 0},
    }
    for item in response.json()["data"]:
        token = item["surveyUrl"].removeprefix("http://testserver/c/")
        claims = tokens.verify(token, KEYS, now=0)
        assert claims == tokens.LinkClaims(contact_id=item["contactId"], survey_id=survey)


async def test_pages_and_total(client: AsyncClient, env: ApiEnv) -> None:
    survey = await _live_survey(env)
    for index in range(5):
        await env.create_contact(f"c{index}@example.com")
    segment = await env.create_segment("everyone", [])

    response = await client.get(
        LINKS.format(survey, segment),
        params={"limit": "2", "skip": "1", "attributeKeys": "email"},
        headers=env.headers,
    )

    body = response.json()
    assert [item["attributes"]["email"] for item in body["data"]] == [
        "c3@example.com",
        "c2@example.com",
    ]
    assert body["meta"] == {"total": 5, "limit": 2, "offset": 1}


async def test_fractional_expiration_days_share_one_instant(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await _live_survey(env)
    await env.create_contact("ada@example.com")
    await env.create_contact("grace@example.com")
    segment = await env.create_segment("everyone", [])

    response = await client.get(
        LINKS.format(survey, segment), params={"expirationDays": "1.5"}, headers=env.headers
    )

    items = response.json()["data"]
    claims = [
        jwt.decode(item["surveyUrl"].rsplit("/c/", 1)[1], options={"verify_signature": False})
        for item in items
    ]
    assert claims[0]["exp"] - claims[0]["iat"] == 129_600
    assert {item["expiresAt"] for item in items} == {items[0]["expiresAt"]}


async def test_attribute_filters_compare_case_insensitively(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await _live_survey(env)
    await env.create_contact("ada@example.com", language="DE")
    await env.create_contact("grace@example.com", language="en")
    await env.create_contact("alan@example.com")
    cases = {
        "equals": ([_leaf("language", "equals", "de")], ["ada@example.com"]),
        "notEquals": ([_leaf("language", "notEquals", "de")], ["grace@example.com"]),
        "isNotSet": ([_leaf("language", "isNotSet")], ["alan@example.com"]),
        "contains": (
            [_leaf("email", "contains", "A")],
            ["alan@example.com", "grace@example.com", "ada@example.com"],
        ),
        "startsWith": ([_leaf("email", "startsWith", "AL")], ["alan@example.com"]),
        "endsWith": (
            [_leaf("email", "endsWith", "E.COM")],
            ["alan@example.com", "grace@example.com", "ada@example.com"],
        ),
        "doesNotContain": (
            [_leaf("email", "doesNotContain", "GRACE")],
            ["alan@example.com", "ada@example.com"],
        ),
        "like": ([_leaf("email", "contains", "%")], []),
    }

    for name, (filters, expected) in cases.items():
        segment = await env.create_segment(name, filters)
        assert await _emails(client, env, survey, segment) == expected, name


async def test_connectors_follow_upstreams_buckets(client: AsyncClient, env: ApiEnv) -> None:
    survey = await _live_survey(env)
    await env.create_contact("a@example.com", language="de", firstName="Ada")
    await env.create_contact("b@example.com", language="en")
    await env.create_contact("c@example.com", firstName="Cy")
    de, en = _leaf("language", "equals", "de"), _leaf("language", "equals", "en")
    named = _leaf("firstName", "isSet")
    # "de or en and named": de and en go to the OR bucket, named to the AND bucket.
    either_and_named = await env.create_segment(
        "mixed", [de, {**en, "connector": "or"}, {**named, "connector": "and"}]
    )
    # "de and en or named": all three ANDed (upstream's rule, not standard precedence).
    all_three = await env.create_segment(
        "anded", [de, {**en, "connector": "and"}, {**named, "connector": "or"}]
    )
    group = await env.create_segment(
        "group",
        [named, {"id": "g", "connector": "and", "resource": [en, {**de, "connector": "or"}]}],
    )

    assert await _emails(client, env, survey, either_and_named) == ["a@example.com"]
    assert await _emails(client, env, survey, all_three) == []
    assert await _emails(client, env, survey, group) == ["a@example.com"]


async def test_segment_filters_nest_other_segments(client: AsyncClient, env: ApiEnv) -> None:
    survey = await _live_survey(env)
    await env.create_contact("a@example.com", language="de")
    await env.create_contact("b@example.com", language="en")
    german = await env.create_segment("german", [_leaf("language", "equals", "de")])
    inside = await env.create_segment("in", [_in_segment(german, "userIsIn")])
    outside = await env.create_segment("out", [_in_segment(german, "userIsNotIn")])
    everyone = await env.create_segment("everyone", [])
    nobody = await env.create_segment("nobody", [_in_segment(everyone, "userIsNotIn")])

    assert await _emails(client, env, survey, inside) == ["a@example.com"]
    assert await _emails(client, env, survey, outside) == ["b@example.com"]
    assert await _emails(client, env, survey, nobody) == []


async def test_queries_do_not_grow_with_the_page(client: AsyncClient, env: ApiEnv) -> None:
    survey = await _live_survey(env)
    segment = await env.create_segment("everyone", [_leaf("email", "isSet")])
    await env.create_contact("first@example.com", firstName="X")
    small = await _count_statements(client, env, LINKS.format(survey, segment))
    for index in range(10):
        await env.create_contact(f"{index}@example.com", firstName="X")

    large = await _count_statements(client, env, LINKS.format(survey, segment))

    assert (small[0], large[0]) == (1, 11)
    assert small[1] == large[1]


async def _count_statements(client: AsyncClient, env: ApiEnv, url: str) -> tuple[int, int]:
    """(links returned, SQL statements run) for one request."""
    statements: list[str] = []
    engine = app_context(client.app).engine.sync_engine  # type: ignore[attr-defined]

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    response = await client.get(
        url, params={"attributeKeys": "email,firstName"}, headers=env.headers
    )
    event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return len(response.json()["data"]), len(statements)
