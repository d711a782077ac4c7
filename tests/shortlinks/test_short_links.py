"""`?short=true` on both link endpoints, and `/s/{code}` leading to the same personal link."""

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import ANY
from urllib.parse import urlsplit

import time_machine
from httpx import AsyncClient

from surveylink.links import tokens
from tests.conftest import ENCRYPTION_KEY
from tests.factories import ApiEnv

SEED = "/api/v2/management/surveys/{}/contact-links/contacts/{}/"
BY_SEGMENT = "/api/v2/management/surveys/{}/contact-links/segments/{}"
KEYS = tokens.LinkKeys.from_setting(ENCRYPTION_KEY)
EXPIRED = "<h1>Your link is expired.</h1>"
INVALID = "<h1>Survey link invalid.</h1>"
RESPONDED = "<h1>Survey response submitted.</h1>"


async def _short(env: ApiEnv, survey_id: str, contact_id: str, **query: str) -> dict[str, Any]:
    response = await env.client.get(
        SEED.format(survey_id, contact_id), params={"short": "true", **query}, headers=env.headers
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def _claims(location: str) -> tokens.LinkClaims:
    token = urlsplit(location).path.removeprefix("/c/")
    return tokens.verify(token, KEYS, now=0)


async def test_short_link_is_short_and_opens_the_contacts_survey(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey(status="inProgress", name="Onboarding NPS")
    contact = await env.create_contact("ada@example.com")

    link = await _short(env, survey["id"], contact["id"])
    url = urlsplit(link["surveyUrl"])
    hop = await client.get(url.path)
    page = await client.get(hop.headers["location"])

    assert link == {"surveyUrl": ANY, "expiresAt": None}
    assert f"{url.scheme}://{url.netloc}" == "http://testserver"
    assert url.path.startswith("/s/")
    assert len(url.path) <= 40
    assert hop.status_code == 302
    assert hop.headers["cache-control"] == "private, no-store"
    assert hop.headers["referrer-policy"] == "no-referrer"
    assert hop.headers["location"].startswith("http://testserver/c/")
    assert _claims(hop.headers["location"]) == tokens.LinkClaims(contact["id"], survey["id"])
    assert page.status_code == 200
    assert "What would you like to know?" in page.text


async def test_each_request_makes_a_new_code(env: ApiEnv) -> None:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")

    first = await _short(env, survey["id"], contact["id"])
    second = await _short(env, survey["id"], contact["id"])

    assert first["surveyUrl"] != second["surveyUrl"]


async def test_short_link_expires_with_its_personal_link(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")
    long = await env.client.get(
        SEED.format(survey["id"], contact["id"]),
        params={"expirationDays": "1"},
        headers=env.headers,
    )
    link = await _short(env, survey["id"], contact["id"], expirationDays="1")
    path = urlsplit(link["surveyUrl"]).path

    before = await client.get(path)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=1, seconds=1), tick=False):
        after = await client.get(path)

    assert link["expiresAt"] is not None
    assert abs(
        datetime.fromisoformat(link["expiresAt"])
        - datetime.fromisoformat(long.json()["data"]["expiresAt"])
    ) <= timedelta(seconds=2)
    assert before.status_code == 302
    assert after.status_code == 410
    assert EXPIRED in after.text


async def test_short_link_meets_every_check_of_the_personal_link(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")
    link = await _short(env, survey["id"], contact["id"])
    await env.create_response(survey["id"], contact["id"], finished=True)

    page = await client.get(urlsplit(link["surveyUrl"]).path, follow_redirects=True)

    assert page.status_code == 200
    assert RESPONDED in page.text


async def test_unknown_or_oversized_code_is_the_invalid_link_page(client: AsyncClient) -> None:
    unknown = await client.get("/s/AAAAAAAAAAAA")
    oversized = await client.get("/s/" + "A" * 200)

    for page in (unknown, oversized):
        assert page.status_code == 404
        assert INVALID in page.text
        assert page.headers["referrer-policy"] == "no-referrer"


async def test_short_must_be_true_or_false(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.get(
        SEED.format("abc", "def"), params={"short": "yes"}, headers=env.headers
    )

    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": 422,
            "message": "Unprocessable Entity",
            "details": [
                {"field": "short", "issue": 'Invalid option: expected one of "true"|"false"'}
            ],
        }
    }


async def test_short_false_is_the_personal_link(env: ApiEnv) -> None:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")

    response = await env.client.get(
        SEED.format(survey["id"], contact["id"]), params={"short": "false"}, headers=env.headers
    )

    assert response.json()["data"]["surveyUrl"].startswith("http://testserver/c/")


async def test_segment_links_can_be_short(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey(status="inProgress")
    ada = await env.create_contact("ada@example.com")
    grace = await env.create_contact("grace@example.com")
    segment = await env.create_segment("everyone", [])

    response = await client.get(
        BY_SEGMENT.format(survey["id"], segment),
        params={"short": "true", "expirationDays": "2"},
        headers=env.headers,
    )

    items = response.json()["data"]
    assert [item["contactId"] for item in items] == [grace["id"], ada["id"]]
    for item in items:
        path = urlsplit(item["surveyUrl"]).path
        assert path.startswith("/s/")
        assert len(path) <= 40
        assert item["expiresAt"] is not None
        hop = await client.get(path)
        assert _claims(hop.headers["location"]) == tokens.LinkClaims(
            item["contactId"], survey["id"]
        )


async def test_a_percent_encoded_short_flag_counts(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")

    response = await client.get(
        SEED.format(survey["id"], contact["id"]) + "?sh%6Frt=true", headers=env.headers
    )

    assert response.json()["data"]["surveyUrl"].startswith("http://testserver/s/")
