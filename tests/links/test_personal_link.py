"""GET /management/surveys/{surveyId}/contact-links/contacts/{contactId}: every row of §3.1."""

import time
from datetime import UTC, datetime
from unittest.mock import ANY
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from httpx import ASGITransport, AsyncClient

from surveylink.app import create_app
from surveylink.auth import service as auth_service
from surveylink.core.config import Settings
from surveylink.core.context import app_context
from surveylink.links import tokens
from tests.conftest import ENCRYPTION_KEY
from tests.factories import ApiEnv

LINK = "/api/v2/management/surveys/{}/contact-links/contacts/{}/"
UNAUTHORIZED = {"error": {"code": 401, "message": "Unauthorized"}}
KEYS = tokens.LinkKeys.from_setting(ENCRYPTION_KEY)


def _unprocessable(*details: tuple[str, str]) -> dict[str, object]:
    return {
        "error": {
            "code": 422,
            "message": "Unprocessable Entity",
            "details": [{"field": field, "issue": issue} for field, issue in details],
        }
    }


async def _survey_and_contact(env: ApiEnv, **survey: object) -> tuple[str, str]:
    created = await env.create_survey(**survey)
    contact = await env.create_contact("ada@example.com")
    return created["id"], contact["id"]


async def test_missing_api_key_is_401(client: AsyncClient) -> None:
    response = await client.get(LINK.format("abc", "def"))

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.parametrize(
    "key", ["", "fbk_", "fbk_unknownsecret", "fbk_bad*chars", "not-a-key", "FBK_abc"]
)
async def test_unknown_or_malformed_key_is_401(client: AsyncClient, key: str) -> None:
    response = await client.get(LINK.format("abc", "def"), headers={"x-api-key": key})

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_bad_key_wins_over_bad_query_and_path(client: AsyncClient) -> None:
    response = await client.get(
        LINK.format("BAD", "BAD") + "?expirationDays=0", headers={"x-api-key": "fbk_nope"}
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("value", "issue"),
    [
        ("0", "Too small: expected number to be >=1"),
        ("", "Too small: expected number to be >=1"),
        ("-3", "Too small: expected number to be >=1"),
        ("366", "Too big: expected number to be <=365"),
        ("1.5", "Invalid input: expected int, received number"),
        ("400.5", "Invalid input: expected int, received number"),
        ("-1.5", "Invalid input: expected int, received number"),
        ("abc", "Invalid input: expected number, received NaN"),
        ("7d", "Invalid input: expected number, received NaN"),
        ("1_0", "Invalid input: expected number, received NaN"),
        ("Infinity", "Invalid input: expected number, received number"),
        ("1e400", "Invalid input: expected number, received number"),
    ],
)
async def test_invalid_expiration_days_is_422(
    client: AsyncClient, env: ApiEnv, value: str, issue: str
) -> None:
    response = await client.get(
        LINK.format("abc", "def"), params={"expirationDays": value}, headers=env.headers
    )

    assert response.status_code == 422
    assert response.json() == _unprocessable(("expirationDays", issue))


@pytest.mark.parametrize(("value", "days"), [("3.0", 3), ("1e2", 100), (" 5", 5), ("0x10", 16)])
async def test_expiration_days_converts_like_javascript_number(
    client: AsyncClient, env: ApiEnv, value: str, days: int
) -> None:
    survey_id, contact_id = await _survey_and_contact(env)

    response = await client.get(
        LINK.format(survey_id, contact_id), params={"expirationDays": value}, headers=env.headers
    )

    assert response.status_code == 200
    token = response.json()["data"]["surveyUrl"].rsplit("/c/", 1)[1]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == days * 86_400


async def test_invalid_ids_are_422_one_item_each(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.get(LINK.format("Bad-Id", "also_bad"), headers=env.headers)

    assert response.status_code == 422
    assert response.json() == _unprocessable(
        ("surveyId", "Invalid cuid2"), ("contactId", "Invalid cuid2")
    )


async def test_bad_query_is_reported_before_bad_ids(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.get(
        LINK.format("Bad", "Bad") + "?expirationDays=0", headers=env.headers
    )

    assert response.status_code == 422
    assert response.json() == _unprocessable(
        ("expirationDays", "Too small: expected number to be >=1")
    )


async def test_unknown_survey_is_404(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.get(LINK.format("nosuchsurvey", "abc"), headers=env.headers)

    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": 404,
            "message": "Not Found",
            "details": [{"field": "survey", "issue": "not found"}],
        }
    }


async def test_key_without_the_surveys_environment_is_401(client: AsyncClient, env: ApiEnv) -> None:
    survey_id, contact_id = await _survey_and_contact(env)
    development_only = await env.make_key([(env.workspace.development.id, "manage")])

    response = await client.get(
        LINK.format(survey_id, contact_id), headers={"x-api-key": development_only}
    )

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.parametrize("permission", ["read", "write", "manage"])
async def test_any_permission_level_may_get_a_link(
    client: AsyncClient, env: ApiEnv, permission: str
) -> None:
    survey_id, contact_id = await _survey_and_contact(env)
    key = await env.make_key([(env.environment_id, permission)])

    response = await client.get(LINK.format(survey_id, contact_id), headers={"x-api-key": key})

    assert response.status_code == 200


async def test_app_survey_is_400_not_a_link_survey(client: AsyncClient, env: ApiEnv) -> None:
    survey_id, contact_id = await _survey_and_contact(env, type="app")

    response = await client.get(LINK.format(survey_id, contact_id), headers=env.headers)

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": "Bad Request",
            "details": [{"field": "surveyId", "issue": "Not a link survey"}],
        }
    }


CONTACT_NOT_FOUND = {
    "error": {
        "code": 404,
        "message": "Not Found",
        "details": [{"field": "contact", "issue": "not found"}],
    }
}


async def test_unknown_contact_is_404(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()

    response = await client.get(LINK.format(survey["id"], "nosuchcontact"), headers=env.headers)

    assert response.status_code == 404
    assert response.json() == CONTACT_NOT_FOUND


async def test_contact_of_another_environment_is_404(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    contact = await env.create_contact("dev@example.com", env.workspace.development.id)

    response = await client.get(LINK.format(survey["id"], contact["id"]), headers=env.headers)

    assert response.status_code == 404
    assert response.json() == CONTACT_NOT_FOUND


@pytest.mark.parametrize("finished", [True, False])
async def test_contact_who_responded_is_400(
    client: AsyncClient, env: ApiEnv, finished: bool
) -> None:
    survey_id, contact_id = await _survey_and_contact(env)
    await env.create_response(survey_id, contact_id, finished=finished)

    response = await client.get(LINK.format(survey_id, contact_id), headers=env.headers)

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": "Bad Request",
            "details": [{"field": "contactId", "issue": "Already responded"}],
        }
    }


@pytest.mark.parametrize("status", ["draft", "inProgress", "paused", "completed"])
async def test_link_is_issued_whatever_the_survey_status(
    client: AsyncClient, env: ApiEnv, status: str
) -> None:
    survey_id, contact_id = await _survey_and_contact(env, status=status)

    response = await client.get(LINK.format(survey_id, contact_id), headers=env.headers)

    assert response.status_code == 200


async def test_link_without_expiry(client: AsyncClient, env: ApiEnv) -> None:
    survey_id, contact_id = await _survey_and_contact(env)

    response = await client.get(LINK.format(survey_id, contact_id), headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {"data": {"surveyUrl": ANY, "expiresAt": None}}
    assert list(response.json()["data"]) == ["surveyUrl", "expiresAt"]
    url = response.json()["data"]["surveyUrl"]
    assert url.startswith("http://testserver/c/")
    token = url.removeprefix("http://testserver/c/")
    claims = tokens.verify(token, KEYS, now=int(time.time()))
    assert claims == tokens.LinkClaims(contact_id=contact_id, survey_id=survey_id)
    assert list(jwt.decode(token, options={"verify_signature": False})) == [
        "contactId",
        "surveyId",
        "iat",
    ]
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["access-control-allow-origin"] == "*"


async def test_expires_at_is_the_tokens_exp(client: AsyncClient, env: ApiEnv) -> None:
    survey_id, contact_id = await _survey_and_contact(env)

    response = await client.get(
        LINK.format(survey_id, contact_id), params={"expirationDays": 7}, headers=env.headers
    )

    data = response.json()["data"]
    claims = jwt.decode(data["surveyUrl"].rsplit("/c/", 1)[1], options={"verify_signature": False})
    assert claims["exp"] == claims["iat"] + 7 * 86_400
    expected = datetime.fromtimestamp(claims["exp"], UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert data["expiresAt"] == expected


async def test_path_without_trailing_slash_is_answered_directly(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey_id, contact_id = await _survey_and_contact(env)

    response = await client.get(LINK.format(survey_id, contact_id)[:-1], headers=env.headers)

    assert response.status_code == 200
    assert response.json()["data"]["surveyUrl"].startswith("http://testserver/c/")


async def test_each_call_mints_a_new_token(client: AsyncClient, env: ApiEnv) -> None:
    survey_id, contact_id = await _survey_and_contact(env)

    first = await client.get(LINK.format(survey_id, contact_id), headers=env.headers)
    second = await client.get(LINK.format(survey_id, contact_id), headers=env.headers)

    assert first.json()["data"]["surveyUrl"] != second.json()["data"]["surveyUrl"]


@pytest.mark.parametrize("encrypted", [True, False])
async def test_single_use_survey_links_carry_a_su_id(
    client: AsyncClient, env: ApiEnv, encrypted: bool
) -> None:
    single_use = {"enabled": True, "isEncrypted": encrypted}
    survey_id, contact_id = await _survey_and_contact(env, singleUse=single_use)

    response = await client.get(LINK.format(survey_id, contact_id), headers=env.headers)

    url = urlsplit(response.json()["data"]["surveyUrl"])
    single_use_id = parse_qs(url.query)["suId"][0]
    if encrypted:
        assert len(single_use_id.split(":")) == 3
        assert len(tokens.decrypt_id(single_use_id, KEYS.aes)) == 24
    else:
        assert len(single_use_id) == 24
        assert single_use_id.isalnum()


async def test_public_url_trailing_slash_never_gives_a_double_slash(
    env: ApiEnv, settings: Settings
) -> None:
    survey_id, contact_id = await _survey_and_contact(env)
    app = create_app(settings.model_copy(update={"public_url": "https://surveys.example.com/"}))

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as http:
        response = await http.get(LINK.format(survey_id, contact_id), headers=env.headers)
    await auth_service.drain()
    await app_context(app).close()

    assert response.json()["data"]["surveyUrl"].startswith("https://surveys.example.com/c/ey")
