"""GET …/contact-links/segments/{segmentId}/export: every member's link, CSV or NDJSON."""

import csv
import io
import json
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
from httpx import ASGITransport, AsyncClient

from surveylink.app import create_app
from surveylink.auth import service as auth_service
from surveylink.core.config import Settings
from surveylink.core.context import app_context
from surveylink.links import tokens
from tests.conftest import ENCRYPTION_KEY
from tests.factories import QUESTION_ID, ApiEnv
from tests.respondent.helpers import post_step, stored_responses

EXPORT = "/api/v2/management/surveys/{}/contact-links/segments/{}/export"
BULK = "/api/v2/management/contacts/bulk"
KEYS = tokens.LinkKeys.from_setting(ENCRYPTION_KEY)


def _plan(key: str, value: str) -> list[dict[str, Any]]:
    resource = {
        "id": "planfilter",
        "root": {"type": "attribute", "contactAttributeKey": key},
        "qualifier": {"operator": "equals"},
        "value": value,
    }
    return [{"id": "planitem", "connector": None, "resource": resource}]


async def bulk_contacts(env: ApiEnv, count: int, prefix: str, **attributes: str) -> None:
    """`count` contacts through the bulk API, 250 a request."""
    people = [
        {
            "attributes": [
                {"attributeKey": {"key": key, "name": key}, "value": value}
                for key, value in {"email": f"{prefix}{index}@example.com", **attributes}.items()
            ]
        }
        for index in range(count)
    ]
    for start in range(0, count, 250):
        response = await env.client.put(
            BULK,
            json={"environmentId": env.environment_id, "contacts": people[start : start + 250]},
            headers=env.headers,
        )
        assert response.status_code == 200, response.text


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _claims(url: str) -> tokens.LinkClaims:
    return tokens.verify(urlsplit(url).path.removeprefix("/c/"), KEYS, now=0)


async def _live(env: ApiEnv) -> str:
    survey = await env.create_survey(status="inProgress", name="Onboarding NPS")
    return str(survey["id"])


async def test_csv_holds_every_member_with_the_attributes_asked_for(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await _live(env)
    await env.create_attribute_key("plan")
    ada = await env.create_contact("ada@example.com", plan="pro", firstName='Ada, "the" first')
    grace = await env.create_contact("grace@example.com", plan="pro")
    await env.create_contact("alan@example.com", plan="free")
    segment = await env.create_segment("pro", _plan("plan", "pro"))

    response = await client.get(
        EXPORT.format(survey, segment),
        params={"attributes": "email,firstName"},
        headers=env.headers,
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="links-{survey}-{segment}.csv"'
    )
    assert response.text.splitlines()[0] == "contactId,email,firstName,surveyUrl,expiresAt"
    assert "\r\n" in response.text
    rows = _rows(response.text)
    assert sorted(rows, key=lambda row: row["email"]) == [
        {
            "contactId": ada["id"],
            "email": "ada@example.com",
            "firstName": 'Ada, "the" first',
            "surveyUrl": rows[[r["contactId"] for r in rows].index(ada["id"])]["surveyUrl"],
            "expiresAt": "",
        },
        {
            "contactId": grace["id"],
            "email": "grace@example.com",
            "firstName": "",
            "surveyUrl": rows[[r["contactId"] for r in rows].index(grace["id"])]["surveyUrl"],
            "expiresAt": "",
        },
    ]
    for row in rows:
        assert _claims(row["surveyUrl"]) == tokens.LinkClaims(row["contactId"], survey)
        page = await client.get(urlsplit(row["surveyUrl"]).path)
        assert page.status_code == 200
        assert "What would you like to know?" in page.text


async def test_thousands_of_members_stream_out_once_each(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey = await _live(env)
    await bulk_contacts(env, 2100, "in", plan="pro")
    await bulk_contacts(env, 300, "out", plan="free")
    segment = await env.create_segment("pro", _plan("plan", "pro"))

    response = await client.get(
        EXPORT.format(survey, segment),
        params={"attributes": "email", "expirationDays": "3"},
        headers=env.headers,
    )

    rows = _rows(response.text)
    assert len(rows) == 2100
    assert len({row["contactId"] for row in rows}) == 2100
    assert {row["email"] for row in rows} == {f"in{index}@example.com" for index in range(2100)}
    assert [row["contactId"] for row in rows] == sorted(row["contactId"] for row in rows)
    assert len({row["expiresAt"] for row in rows}) == 1
    sample = rows[::700]
    for row in sample:
        claims = _claims(row["surveyUrl"])
        assert claims == tokens.LinkClaims(row["contactId"], survey)
        payload = jwt.decode(
            urlsplit(row["surveyUrl"]).path[3:], options={"verify_signature": False}
        )
        assert payload["exp"] - payload["iat"] == 3 * 86_400
        # Answered through the page: the response is stored against that very contact.
        answered = await post_step(
            client, urlsplit(row["surveyUrl"]).path, 0, {QUESTION_ID: row["email"]}
        )
        assert answered.status_code == 200
    stored = {
        response.contact_id: (response.data, (response.contact_attributes or {}).get("email"))
        for response in await stored_responses(settings, survey)
    }
    assert stored == {
        row["contactId"]: ({QUESTION_ID: row["email"]}, row["email"]) for row in sample
    }


@pytest.mark.parametrize(
    ("params", "headers"),
    [({}, {"accept": "application/x-ndjson"}), ({"format": "ndjson"}, {"accept": "text/csv"})],
)
async def test_ndjson_by_accept_or_format(
    client: AsyncClient, env: ApiEnv, params: dict[str, str], headers: dict[str, str]
) -> None:
    survey = await _live(env)
    ada = await env.create_contact("ada@example.com", firstName="Ada")
    grace = await env.create_contact("grace@example.com")
    segment = await env.create_segment("everyone", [])

    response = await client.get(
        EXPORT.format(survey, segment),
        params={"attributes": "firstName", **params},
        headers={**env.headers, **headers},
    )

    assert response.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in response.text.splitlines()]
    by_contact = {line["contactId"]: line for line in lines}
    assert by_contact == {
        ada["id"]: {
            "contactId": ada["id"],
            "attributes": {"firstName": "Ada"},
            "surveyUrl": by_contact[ada["id"]]["surveyUrl"],
            "expiresAt": None,
        },
        grace["id"]: {
            "contactId": grace["id"],
            "attributes": {},
            "surveyUrl": by_contact[grace["id"]]["surveyUrl"],
            "expiresAt": None,
        },
    }
    for line in lines:
        assert _claims(line["surveyUrl"]) == tokens.LinkClaims(line["contactId"], survey)


async def test_short_links_in_the_export_lead_to_each_contacts_link(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await _live(env)
    await env.create_contact("ada@example.com")
    await env.create_contact("grace@example.com")
    segment = await env.create_segment("everyone", [])

    response = await client.get(
        EXPORT.format(survey, segment),
        params={"short": "true", "expirationDays": "1"},
        headers=env.headers,
    )

    rows = _rows(response.text)
    assert len(rows) == 2
    for row in rows:
        path = urlsplit(row["surveyUrl"]).path
        assert path.startswith("/s/")
        assert len(path) <= 40
        assert row["expiresAt"].endswith("Z")
        hop = await client.get(path)
        assert hop.status_code == 302
        assert _claims(hop.headers["location"]) == tokens.LinkClaims(row["contactId"], survey)


def _error(code: int, message: str, *details: tuple[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if code not in (401, 403, 429):
        body["details"] = [{"field": field, "issue": issue} for field, issue in details]
    return {"error": body}


async def test_refusals_come_before_the_stream(client: AsyncClient, env: ApiEnv) -> None:
    survey = await _live(env)
    draft = await env.create_survey(status="draft")
    segment = await env.create_segment("everyone", [])
    url = EXPORT.format(survey, segment)

    no_key = await client.get(url)
    bad_query = await client.get(url, params={"format": "xml"}, headers=env.headers)
    unknown_key = await client.get(url, params={"attributes": "email,shoe"}, headers=env.headers)
    column = await client.get(url, params={"attributes": "surveyUrl"}, headers=env.headers)
    no_survey = await client.get(EXPORT.format("nosurvey", segment), headers=env.headers)
    not_live = await client.get(EXPORT.format(draft["id"], segment), headers=env.headers)
    no_segment = await client.get(EXPORT.format(survey, "nosegment"), headers=env.headers)

    assert no_key.json() == _error(401, "Unauthorized")
    assert bad_query.json() == _error(
        422, "Unprocessable Entity", ("format", 'Invalid option: expected one of "csv"|"ndjson"')
    )
    assert unknown_key.status_code == 400
    assert unknown_key.json() == _error(
        400, "Bad Request", ("attributes", "Unknown attribute keys: shoe")
    )
    assert column.json() == _error(
        400, "Bad Request", ("attributes", "Not an attribute column: surveyUrl")
    )
    assert no_survey.json() == _error(404, "Not Found", ("survey", "not found"))
    assert not_live.json() == _error(403, "Forbidden")
    assert no_segment.json() == _error(404, "Not Found", ("segment", "not found"))


async def test_empty_segment_is_a_header_only(client: AsyncClient, env: ApiEnv) -> None:
    survey = await _live(env)
    await env.create_contact("ada@example.com")
    segment = await env.create_segment("nobody", _plan("email", "nobody@example.com"))

    response = await client.get(EXPORT.format(survey, segment), headers=env.headers)

    assert response.status_code == 200
    assert response.text == "contactId,surveyUrl,expiresAt\r\n"


async def test_a_public_url_that_needs_quoting_is_quoted(settings: Settings, env: ApiEnv) -> None:
    survey = await _live(env)
    ada = await env.create_contact("ada@example.com")
    segment = await env.create_segment("everyone", [])
    app = create_app(settings.model_copy(update={"public_url": 'http://testserver/a,"b"'}))

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as http:
        response = await http.get(
            EXPORT.format(survey, segment), params={"attributes": "email"}, headers=env.headers
        )
    await auth_service.drain()
    await app_context(app).close()

    [row] = _rows(response.text)
    assert row["contactId"] == ada["id"]
    assert row["email"] == "ada@example.com"
    assert row["surveyUrl"].startswith('http://testserver/a,"b"/c/')
