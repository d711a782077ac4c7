"""GET /c/{token}: every state of the page, in upstream's order, with upstream's en-US texts."""

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import time_machine
from httpx import AsyncClient

from surveylink.links import tokens
from tests.conftest import ENCRYPTION_KEY
from tests.factories import ApiEnv
from tests.respondent.helpers import personal_link, survey_and_link

KEYS = tokens.LinkKeys.from_setting(ENCRYPTION_KEY)
EXPIRED = ("Your link is expired.", "The link you used is no longer valid.")
INVALID = ("Survey link invalid.", "This survey can only be taken by invitation.")
RESPONDED = (
    "Survey response submitted.",
    "A response linked to this survey and contact already exists",
)
NOT_FOUND = ("Page not found", "Sorry, we couldn&#39;t find the page you&#39;re looking for.")


def _shows(html: str, heading: str, text: str) -> bool:
    return f"<h1>{heading}</h1>" in html and f"<p>{text}</p>" in html


def _token(survey_id: str, contact_id: str, keys: tokens.LinkKeys = KEYS) -> str:
    claims = tokens.LinkClaims(contact_id=contact_id, survey_id=survey_id)
    return tokens.sign(claims, keys, now=int(time.time()))


async def test_open_link_shows_the_first_question_with_security_headers(
    client: AsyncClient, env: ApiEnv
) -> None:
    _, _, link = await survey_and_link(env)

    page = await client.get(link)

    assert page.status_code == 200
    assert "What would you like to know?" in page.text
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
    )
    assert page.headers["cache-control"] == "private, no-store"
    assert page.headers["referrer-policy"] == "no-referrer"


async def test_expired_link_shows_expired_page_with_410(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")
    response = await client.get(
        f"/api/v2/management/surveys/{survey['id']}/contact-links/contacts/{contact['id']}/"
        "?expirationDays=1",
        headers=env.headers,
    )
    link = response.json()["data"]["surveyUrl"].removeprefix("http://testserver")

    with time_machine.travel(datetime.now(UTC) + timedelta(days=1, seconds=1), tick=False):
        page = await client.get(link)

    assert page.status_code == 410
    assert _shows(page.text, *EXPIRED)


def _unsigned(survey_id: str, contact_id: str) -> str:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    good = _token(survey_id, contact_id)
    return header.rstrip(b"=").decode() + "." + good.split(".")[1] + "."


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda token: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), id="sig"),
        pytest.param(lambda token: "not-a-token", id="malformed"),
        pytest.param(lambda token: token.split(".")[0] + "." + token.split(".")[1], id="2parts"),
    ],
)
async def test_tampered_link_shows_invalid_page_with_404(
    client: AsyncClient, env: ApiEnv, tamper: object
) -> None:
    _, _, link = await survey_and_link(env)
    token = link.removeprefix("/c/")

    page = await client.get("/c/" + tamper(token))  # type: ignore[operator]

    assert page.status_code == 404
    assert _shows(page.text, *INVALID)


async def test_alg_none_and_wrong_key_show_invalid_page(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")
    other_keys = tokens.LinkKeys.from_setting("x" * 32)

    unsigned = await client.get("/c/" + _unsigned(survey["id"], contact["id"]))
    wrong_key = await client.get("/c/" + _token(survey["id"], contact["id"], other_keys))

    assert (unsigned.status_code, wrong_key.status_code) == (404, 404)
    assert _shows(unsigned.text, *INVALID)
    assert _shows(wrong_key.text, *INVALID)


async def test_expired_token_with_bad_signature_is_invalid_not_expired(
    client: AsyncClient, env: ApiEnv
) -> None:
    payload = {"contactId": "x", "surveyId": "y", "iat": 1, "exp": 2}
    token = jwt.encode(payload, b"another secret, long enough for HS256 keys", algorithm="HS256")

    page = await client.get(f"/c/{token}")

    assert page.status_code == 404
    assert _shows(page.text, *INVALID)


async def test_finished_response_shows_submitted_page_before_the_survey_status(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey, contact_id, link = await survey_and_link(env)
    await env.create_response(survey["id"], contact_id, finished=True)
    await client.put(
        f"/api/v1/management/surveys/{survey['id']}", json={"status": "paused"}, headers=env.headers
    )

    page = await client.get(link)

    assert page.status_code == 200
    assert _shows(page.text, *RESPONDED)


async def test_unfinished_response_resumes_instead_of_locking_out(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey, contact_id, link = await survey_and_link(env)
    await env.create_response(survey["id"], contact_id, finished=False)

    page = await client.get(link)

    assert page.status_code == 200
    assert "What would you like to know?" in page.text


async def test_deleted_survey_shows_invalid_page_not_500(client: AsyncClient, env: ApiEnv) -> None:
    survey, _, link = await survey_and_link(env)
    deleted = await client.delete(f"/api/v1/management/surveys/{survey['id']}", headers=env.headers)
    assert deleted.status_code == 200

    page = await client.get(link)

    assert page.status_code == 404
    assert _shows(page.text, *INVALID)


async def test_unknown_contact_shows_invalid_page(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey(status="inProgress")

    page = await client.get("/c/" + _token(survey["id"], "clxxxxxxxxxxxxxxxxxxxxxxx"))

    assert page.status_code == 404
    assert _shows(page.text, *INVALID)


async def test_contact_of_another_environment_shows_invalid_page(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey(status="inProgress")
    stranger = await env.create_contact("eve@example.com", env.workspace.development.id)

    page = await client.get("/c/" + _token(survey["id"], stranger["id"]))

    assert page.status_code == 404
    assert _shows(page.text, *INVALID)


@pytest.mark.parametrize(
    ("single_use", "su_id", "status"),
    [
        ({"enabled": True, "isEncrypted": False}, None, 200),
        ({"enabled": True, "isEncrypted": True}, None, 200),
        ({"enabled": True, "isEncrypted": False}, "", 404),
        ({"enabled": True, "isEncrypted": True}, "plain-text-id", 404),
    ],
)
async def test_single_use_id_is_checked(
    client: AsyncClient,
    env: ApiEnv,
    single_use: dict[str, bool],
    su_id: str | None,
    status: int,
) -> None:
    _, _, link = await survey_and_link(env, singleUse=single_use)
    if su_id is not None:
        link = link.split("?")[0] + f"?suId={su_id}"

    page = await client.get(link)

    assert page.status_code == status
    if status == 404:
        assert _shows(page.text, *INVALID)


async def test_draft_survey_is_page_not_found(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey(status="draft")
    contact = await env.create_contact("ada@example.com")

    page = await client.get("/c/" + _token(survey["id"], contact["id"]))

    assert page.status_code == 404
    assert _shows(page.text, *NOT_FOUND)


async def test_paused_survey_shows_paused_page(client: AsyncClient, env: ApiEnv) -> None:
    _, _, link = await survey_and_link(env, status="paused")

    page = await client.get(link)

    assert page.status_code == 200
    assert _shows(page.text, "Survey paused.", "This survey is temporarily paused.")


async def test_completed_survey_shows_closed_page(client: AsyncClient, env: ApiEnv) -> None:
    _, _, link = await survey_and_link(env, status="completed")

    page = await client.get(link)

    assert page.status_code == 200
    assert _shows(page.text, "Survey completed.", "This survey is closed.")


async def test_completed_survey_shows_its_closed_message_escaped(
    client: AsyncClient, env: ApiEnv
) -> None:
    closed = {"enabled": True, "heading": "Thanks <b>all</b>", "subheading": "1 < 2 & soon"}
    _, _, link = await survey_and_link(env, status="completed", surveyClosedMessage=closed)

    page = await client.get(link)

    assert page.status_code == 200
    assert _shows(page.text, "Thanks all", "1 &lt; 2 &amp; soon")


async def test_link_for_contact_who_finished_is_refused_by_seed_endpoint(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey, contact_id, _ = await survey_and_link(env)
    await env.create_response(survey["id"], contact_id, finished=True)

    response = await client.get(
        f"/api/v2/management/surveys/{survey['id']}/contact-links/contacts/{contact_id}/",
        headers=env.headers,
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": "Bad Request",
            "details": [{"field": "contactId", "issue": "Already responded"}],
        }
    }


async def test_link_keeps_working_for_a_second_contact(client: AsyncClient, env: ApiEnv) -> None:
    survey, _, _ = await survey_and_link(env)
    other = await env.create_contact("bob@example.com")

    page = await client.get(await personal_link(env, survey["id"], other["id"]))

    assert page.status_code == 200
