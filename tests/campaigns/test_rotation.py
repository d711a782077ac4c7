"""PREVIOUS_ENCRYPTION_KEYS and `surveylink keys rotate`/`reseal`: links and webhook secrets made
with a previous key keep working until it is removed."""

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr

from surveylink.app import create_app
from surveylink.auth import service as auth_service
from surveylink.core.config import ConfigError, Settings
from surveylink.core.context import app_context
from surveylink.links import tokens
from tests.conftest import ENCRYPTION_KEY
from tests.factories import ApiEnv
from tests.respondent.helpers import SEED

NEW_KEY = "9c1e2d3b4a5968778695a4b3c2d1e0f11223344556677889900aabbccddeeff0"
INVALID = "Survey link invalid."
RECEIVER = "http://127.0.0.1:9/hook"  # never called: these tests run no delivery worker


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Webhooks on loopback need this setting."""
    return settings.model_copy(update={"allow_internal_webhook_urls": True})


@asynccontextmanager
async def serving(settings: Settings, key: str, previous: str = "") -> AsyncIterator[AsyncClient]:
    """Another process of the same service, configured with these keys."""
    app = create_app(
        settings.model_copy(
            update={
                "encryption_key": SecretStr(key),
                "previous_encryption_keys": SecretStr(previous),
            }
        )
    )
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as http:
        yield http
    await auth_service.drain()
    await app_context(app).close()


async def _link(client: AsyncClient, env: ApiEnv, survey_id: str, contact_id: str) -> str:
    response = await client.get(SEED.format(survey_id, contact_id), headers=env.headers)
    assert response.status_code == 200, response.text
    parts = urlsplit(response.json()["data"]["surveyUrl"])
    return f"{parts.path}?{parts.query}" if parts.query else str(parts.path)


def _signed_by(link: str, key: str) -> bool:
    token = urlsplit(link).path.rsplit("/", 1)[1]
    try:
        tokens.verify(token, tokens.LinkKeys.from_setting(key), now=0)
    except tokens.TokenInvalid:
        return False
    return True


async def test_links_of_a_previous_key_work_until_it_is_removed(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    single_use = {"enabled": True, "isEncrypted": True}
    survey = await env.create_survey(status="inProgress", singleUse=single_use)
    contact = await env.create_contact("ada@example.com")
    old = await _link(client, env, survey["id"], contact["id"])

    async with serving(settings, NEW_KEY, previous=f" {ENCRYPTION_KEY} ,") as rotated:
        new = await _link(rotated, env, survey["id"], contact["id"])
        old_during = await rotated.get(old)
        new_during = await rotated.get(new)
    async with serving(settings, NEW_KEY) as finished:
        old_after = await finished.get(old)
        new_after = await finished.get(new)

    assert "?suId=" in old
    assert _signed_by(old, ENCRYPTION_KEY)
    assert _signed_by(new, NEW_KEY)
    assert not _signed_by(new, ENCRYPTION_KEY)
    assert (old_during.status_code, new_during.status_code) == (200, 200)
    assert "What would you like to know?" in old_during.text
    assert old_after.status_code == 404
    assert INVALID in old_after.text
    assert new_after.status_code == 200


def test_a_malformed_previous_key_refuses_to_start(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="PREVIOUS_ENCRYPTION_KEYS"):
        create_app(settings.model_copy(update={"previous_encryption_keys": SecretStr("short")}))


async def _surveylink(settings: Settings, tmp_path: Path, key: str, *args: str) -> str:
    """The real command, awaited: the test's own app keeps serving (and writing) meanwhile."""
    environment = {
        **os.environ,
        "DATABASE_URL": settings.sqlalchemy_url,
        "ENCRYPTION_KEY": key,
        "SURVEYLINK_DATA_DIR": str(tmp_path / "data"),
    }
    environment.pop("PREVIOUS_ENCRYPTION_KEYS", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "surveylink",
        *args,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    return stdout.decode()


async def _secret(settings: Settings, webhook_id: str, env: ApiEnv, key: str) -> Any:
    async with serving(settings, key) as http:
        response = await http.get(f"/api/v2/management/webhooks/{webhook_id}", headers=env.headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]["secret"]


async def test_webhook_secrets_survive_rotate_and_reseal(
    env: ApiEnv, settings: Settings, tmp_path: Path
) -> None:
    webhook = await env.create_webhook(RECEIVER)

    rotated: dict[str, Any] = json.loads(
        await _surveylink(settings, tmp_path, ENCRYPTION_KEY, "keys", "rotate", "--json")
    )
    new_key = rotated["encryptionKey"]
    while_restarting = [
        await _secret(settings, webhook["id"], env, ENCRYPTION_KEY),
        await _secret(settings, webhook["id"], env, new_key),
    ]
    resealed = await _surveylink(settings, tmp_path, new_key, "keys", "reseal")
    after_reseal = [
        await _secret(settings, webhook["id"], env, new_key),
        await _secret(settings, webhook["id"], env, ENCRYPTION_KEY),
    ]

    assert webhook["secret"].startswith("whsec_")
    assert len(new_key) == 64
    assert rotated["resealedSecrets"] == 1
    assert rotated["unreadableSecrets"] == []
    assert len(rotated["steps"]) == 3
    assert while_restarting == [webhook["secret"], webhook["secret"]]
    assert resealed == "Re-sealed 1 webhook secrets with the current key.\n"
    assert after_reseal == [webhook["secret"], None]


async def test_reseal_leaves_secrets_no_key_opens(
    env: ApiEnv, settings: Settings, tmp_path: Path
) -> None:
    webhook = await env.create_webhook(RECEIVER)

    output = await _surveylink(settings, tmp_path, NEW_KEY, "keys", "reseal")

    assert output.startswith("Re-sealed 0 webhook secrets with the current key.\n")
    assert webhook["id"] in output
    assert await _secret(settings, webhook["id"], env, ENCRYPTION_KEY) == webhook["secret"]
