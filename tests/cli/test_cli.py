"""The real `surveylink` command, run as a user runs it, and its key used over HTTP."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx import ASGITransport, AsyncClient

from surveylink.app import create_app
from surveylink.auth import service as auth_service
from surveylink.core.config import Settings
from surveylink.core.context import app_context
from tests.conftest import ENCRYPTION_KEY, PG_URL


def _env(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENCRYPTION_KEY": ENCRYPTION_KEY,
        "SURVEYLINK_DATA_DIR": str(tmp_path / "data"),
        "SURVEYLINK_RUN_WORKER": "0",
        **extra,
    }


def _surveylink(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "surveylink", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _init(env: dict[str, str]) -> dict[str, Any]:
    result = _surveylink(env, "init", "--json")
    assert result.returncode == 0, result.stderr
    created: dict[str, Any] = json.loads(result.stdout)
    return created


async def test_init_json_prints_ids_and_a_working_key(
    tmp_path: Path, database_url: str, settings: Settings
) -> None:
    created = _init(_env(tmp_path, database_url))

    assert set(created) >= {
        "organizationId",
        "projectId",
        "environmentId",
        "developmentEnvironmentId",
        "apiKey",
    }
    assert created["apiKey"].startswith("fbk_")
    app = create_app(settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
        contact = await client.post(
            "/api/v2/management/contacts",
            json={
                "environmentId": created["developmentEnvironmentId"],
                "attributes": {"email": "a@example.com"},
            },
            headers={"x-api-key": created["apiKey"]},
        )
    await auth_service.drain()
    await app_context(app).close()
    assert contact.status_code == 201


async def test_api_keys_create_list_and_revoke(
    tmp_path: Path, database_url: str, settings: Settings
) -> None:
    env = _env(tmp_path, database_url)
    created = _init(env)
    made = _surveylink(
        env,
        "api-keys",
        "create",
        "--organization",
        created["organizationId"],
        "--environment",
        f"{created['environmentId']}:read",
        "--label",
        "reporting",
        "--json",
    )
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)

    listed = _surveylink(env, "api-keys", "list", "--json")
    revoked = _surveylink(env, "api-keys", "revoke", key["id"])

    assert key["apiKey"].startswith("fbk_")
    rows = {row["id"]: row for row in json.loads(listed.stdout)}
    assert rows[key["id"]]["label"] == "reporting"
    assert rows[key["id"]]["environments"] == [
        {"environmentId": created["environmentId"], "permission": "read"}
    ]
    assert key["apiKey"] not in listed.stdout
    assert revoked.returncode == 0
    app = create_app(settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get(
            "/api/v2/management/surveys/abc/contact-links/contacts/def",
            headers={"x-api-key": key["apiKey"]},
        )
    await app_context(app).close()
    assert response.status_code == 401


def test_api_keys_create_refuses_another_organizations_environment(
    tmp_path: Path, database_url: str
) -> None:
    env = _env(tmp_path, database_url)
    first, second = _init(env), _init(env)

    result = _surveylink(
        env,
        "api-keys",
        "create",
        "--organization",
        first["organizationId"],
        "--environment",
        f"{second['environmentId']}:manage",
    )

    assert result.returncode == 1
    assert second["environmentId"] in result.stdout


def test_production_mode_refuses_to_start_without_an_encryption_key(
    tmp_path: Path, database_url: str
) -> None:
    env = _env(tmp_path, database_url, SURVEYLINK_ENV="production", ENCRYPTION_KEY="")

    result = _surveylink(env, "migrate")

    assert result.returncode == 2
    assert "ENCRYPTION_KEY" in result.stdout


def test_local_mode_generates_and_keeps_one_encryption_key(tmp_path: Path) -> None:
    env = _env(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", ENCRYPTION_KEY="")

    first = _surveylink(env, "migrate")
    key = (tmp_path / "data" / "encryption_key").read_text()
    second = _surveylink(env, "migrate")

    assert first.returncode == 0, first.stderr
    assert "generated" in first.stderr
    assert len(key) == 64
    assert second.returncode == 0
    assert (tmp_path / "data" / "encryption_key").read_text() == key


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.skipif(bool(PG_URL), reason="the serve process test runs once, on SQLite")
def test_serve_answers_over_real_http(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}")
    created = _init(env)
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "surveylink", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base)
        headers = {"x-api-key": created["apiKey"]}
        survey = httpx.post(
            f"{base}/api/v1/management/surveys",
            json={
                "environmentId": created["environmentId"],
                "name": "Over HTTP",
                "questions": [
                    {
                        "id": "q1",
                        "type": "openText",
                        "headline": {"default": "Q?"},
                        "required": False,
                    }
                ],
            },
            headers=headers,
        ).json()["data"]
        contact = httpx.post(
            f"{base}/api/v2/management/contacts",
            json={
                "environmentId": created["environmentId"],
                "attributes": {"email": "http@example.com"},
            },
            headers=headers,
        ).json()["data"]

        link = httpx.get(
            f"{base}/api/v2/management/surveys/{survey['id']}/contact-links/contacts/"
            f"{contact['id']}/",
            headers=headers,
        )

        assert link.status_code == 200
        assert link.json()["data"]["surveyUrl"].startswith(f"http://localhost:{port}/c/")
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def _wait_for(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/api/v2/management/responses", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("surveylink serve did not start")
