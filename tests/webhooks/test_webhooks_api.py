"""CRUD on /api/v2/management/webhooks (resources spec §4.1 to §4.3)."""

import base64
from typing import Any
from unittest.mock import ANY

from httpx import AsyncClient
from sqlalchemy import select

from surveylink.core.config import Settings
from surveylink.core.db import make_engine, make_sessionmaker, transaction
from surveylink.webhooks.models import Webhook
from tests.factories import ApiEnv
from tests.webhooks.conftest import api

WEBHOOKS = "/api/v2/management/webhooks"
# Nothing listens there and no worker runs here: the URL only has to pass the check, which the
# setting (on for these tests, as in tests/webhooks/conftest.py) lets loopback do.
URL = "http://127.0.0.1:9/hook"
UNAUTHORIZED = {"error": {"code": 401, "message": "Unauthorized"}}


def body(env: ApiEnv, **fields: Any) -> dict[str, Any]:
    return {
        "name": "CRM sync",
        "url": URL,
        "source": "user",
        "environmentId": env.environment_id,
        "triggers": ["responseFinished"],
        "surveyIds": [],
        **fields,
    }


def error(code: int, message: str, *details: tuple[str, str]) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "details": [{"field": field, "issue": issue} for field, issue in details],
        }
    }


async def test_create_returns_the_webhook_with_a_fresh_secret(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    response = await client.post(
        WEBHOOKS, json=body(env, secret="ignored", id="ignored"), headers=env.headers
    )

    assert response.status_code == 201
    webhook = response.json()["data"]
    assert webhook == {
        "id": ANY,
        "name": "CRM sync",
        "createdAt": ANY,
        "updatedAt": ANY,
        "url": URL,
        "source": "user",
        "environmentId": env.environment_id,
        "triggers": ["responseFinished"],
        "surveyIds": [],
        "secret": ANY,
    }
    assert webhook["secret"].startswith("whsec_")
    assert len(base64.b64decode(webhook["secret"].removeprefix("whsec_"))) == 32
    stored = await _stored_secret(settings, webhook["id"])
    assert stored is not None
    assert webhook["secret"] not in stored
    assert webhook["secret"].removeprefix("whsec_") not in stored


async def _stored_secret(settings: Settings, webhook_id: str) -> str | None:
    engine = make_engine(settings.sqlalchemy_url)
    async with transaction(make_sessionmaker(engine)) as session:
        sealed = await session.scalar(select(Webhook.secret).where(Webhook.id == webhook_id))
    await engine.dispose()
    return sealed


async def test_create_validates_in_zods_words(client: AsyncClient, env: ApiEnv) -> None:
    missing = await client.post(WEBHOOKS, json={}, headers=env.headers)
    no_triggers = await client.post(WEBHOOKS, json=body(env, triggers=[]), headers=env.headers)
    bad_url = await client.post(WEBHOOKS, json=body(env, url="nope"), headers=env.headers)
    bad_source = await client.post(
        WEBHOOKS, json=body(env, source="activepieces"), headers=env.headers
    )

    assert missing.status_code == 422
    assert [detail["field"] for detail in missing.json()["error"]["details"]] == [
        "name",
        "url",
        "source",
        "environmentId",
        "triggers",
        "surveyIds",
    ]
    assert missing.json()["error"]["details"][0] == {
        "field": "name",
        "issue": "Invalid input: expected string, received undefined",
    }
    assert no_triggers.json() == error(
        422, "Unprocessable Entity", ("triggers", "At least one trigger is required")
    )
    assert bad_url.json() == error(422, "Unprocessable Entity", ("url", "Invalid URL"))
    assert bad_source.json() == error(
        422,
        "Unprocessable Entity",
        ("source", 'Invalid option: expected one of "user"|"zapier"|"make"|"n8n"'),
    )


async def test_create_checks_surveys_then_permission_then_url(
    settings: Settings, env: ApiEnv
) -> None:
    """With the default setting, which refuses the loopback URL last."""
    survey = await env.create_survey()
    dev_survey = await env.create_survey(environmentId=env.workspace.development.id)
    reader = await env.make_key([(env.environment_id, "read")])

    async with api(settings, allow_internal=False) as client:
        unknown = await client.post(
            WEBHOOKS, json=body(env, surveyIds=["nosuchsurvey"]), headers={"x-api-key": reader}
        )
        twice = await client.post(
            WEBHOOKS, json=body(env, surveyIds=[survey["id"], survey["id"]]), headers=env.headers
        )
        mixed = await client.post(
            WEBHOOKS,
            json=body(env, surveyIds=[survey["id"], dev_survey["id"]]),
            headers=env.headers,
        )
        forbidden = await client.post(WEBHOOKS, json=body(env), headers={"x-api-key": reader})
        loopback = await client.post(WEBHOOKS, json=body(env), headers=env.headers)

    assert unknown.json() == error(404, "Not Found", ("survey", "not found"))
    assert twice.status_code == 404
    assert mixed.json() == error(
        400, "Bad Request", ("surveyIds", "not all surveys are in the same environment")
    )
    assert forbidden.status_code == 403
    assert forbidden.json() == {"error": {"code": 403, "message": "Forbidden"}}
    assert loopback.json() == error(
        400,
        "Bad Request",
        ("url", "Webhook URL must not point to private or internal IP addresses"),
    )


async def test_internal_urls_pass_when_the_setting_allows_them(
    client: AsyncClient, env: ApiEnv
) -> None:
    response = await client.post(WEBHOOKS, json=body(env), headers=env.headers)

    assert response.status_code == 201


async def test_list_pages_with_meta_and_refuses_survey_ids(
    client: AsyncClient, env: ApiEnv
) -> None:
    first = (await client.post(WEBHOOKS, json=body(env, name="a"), headers=env.headers)).json()
    second = (await client.post(WEBHOOKS, json=body(env, name="b"), headers=env.headers)).json()

    page = await client.get(WEBHOOKS, params={"limit": "1"}, headers=env.headers)
    filtered = await client.get(WEBHOOKS, params={"surveyIds": "abc"}, headers=env.headers)

    assert page.status_code == 200
    assert page.json()["meta"] == {"total": 2, "limit": 1, "offset": 0}
    assert page.json()["data"] in ([second["data"]], [first["data"]])
    assert filtered.json() == error(
        422,
        "Unprocessable Entity",
        ("surveyIds", "Invalid input: expected array, received string"),
    )


async def test_get_404_then_401(client: AsyncClient, env: ApiEnv) -> None:
    created = (await client.post(WEBHOOKS, json=body(env), headers=env.headers)).json()["data"]
    dev_only = await env.make_key([(env.workspace.development.id, "manage")])

    found = await client.get(f"{WEBHOOKS}/{created['id']}", headers=env.headers)
    missing = await client.get(f"{WEBHOOKS}/nosuchwebhook", headers=env.headers)
    foreign = await client.get(f"{WEBHOOKS}/{created['id']}", headers={"x-api-key": dev_only})
    malformed = await client.get(f"{WEBHOOKS}/BAD", headers=env.headers)

    assert found.json() == {"data": created}
    assert missing.json() == error(404, "Not Found", ("webhook", "not found"))
    assert foreign.json() == UNAUTHORIZED
    assert malformed.json() == error(422, "Unprocessable Entity", ("webhookId", "Invalid cuid2"))


async def test_put_overwrites_and_keeps_the_secret(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    created = (await client.post(WEBHOOKS, json=body(env), headers=env.headers)).json()["data"]
    update = {
        "name": None,
        "url": "http://127.0.0.1:9/other",
        "source": "n8n",
        "triggers": ["responseCreated", "responseUpdated"],
        "surveyIds": [survey["id"]],
        "environmentId": "ignored",
    }

    response = await client.put(f"{WEBHOOKS}/{created['id']}", json=update, headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {
        "data": {
            **created,
            "name": None,
            "url": "http://127.0.0.1:9/other",
            "source": "n8n",
            "triggers": ["responseCreated", "responseUpdated"],
            "surveyIds": [survey["id"]],
            "updatedAt": ANY,
        }
    }


async def test_put_refuses_surveys_of_another_environment(client: AsyncClient, env: ApiEnv) -> None:
    dev_survey = await env.create_survey(environmentId=env.workspace.development.id)
    created = (await client.post(WEBHOOKS, json=body(env), headers=env.headers)).json()["data"]
    update = {**body(env, surveyIds=[dev_survey["id"]])}
    reader = await env.make_key([(env.environment_id, "read")])

    mismatch = await client.put(f"{WEBHOOKS}/{created['id']}", json=update, headers=env.headers)
    read_only = await client.put(
        f"{WEBHOOKS}/{created['id']}", json=body(env), headers={"x-api-key": reader}
    )
    missing = await client.put(f"{WEBHOOKS}/nosuchwebhook", json=body(env), headers=env.headers)

    assert mismatch.json() == error(
        400,
        "Bad Request",
        ("surveys id", "webhook environment does not match the surveys environment"),
    )
    assert read_only.json() == UNAUTHORIZED
    assert missing.status_code == 404


async def test_delete_returns_the_webhook_and_needs_manage(
    client: AsyncClient, env: ApiEnv
) -> None:
    created = (await client.post(WEBHOOKS, json=body(env), headers=env.headers)).json()["data"]
    writer = await env.make_key([(env.environment_id, "write")])

    refused = await client.delete(f"{WEBHOOKS}/{created['id']}", headers={"x-api-key": writer})
    deleted = await client.delete(f"{WEBHOOKS}/{created['id']}", headers=env.headers)
    again = await client.get(f"{WEBHOOKS}/{created['id']}", headers=env.headers)

    assert refused.json() == UNAUTHORIZED
    assert deleted.json() == {"data": created}
    assert again.status_code == 404


async def test_delivery_log_and_retry_check_access(client: AsyncClient, env: ApiEnv) -> None:
    created = (await client.post(WEBHOOKS, json=body(env), headers=env.headers)).json()["data"]
    dev_only = await env.make_key([(env.workspace.development.id, "manage")])
    log = f"{WEBHOOKS}/{created['id']}/deliveries"

    empty = await client.get(log, headers=env.headers)
    foreign = await client.get(log, headers={"x-api-key": dev_only})
    unknown = await client.post(f"{log}/nosuchdelivery/retry", headers=env.headers)

    assert empty.json() == {"data": [], "meta": {"total": 0, "limit": 50, "offset": 0}}
    assert foreign.json() == UNAUTHORIZED
    assert unknown.json() == error(404, "Not Found", ("delivery", "not found"))
