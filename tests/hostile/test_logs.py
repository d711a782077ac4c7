"""What real servers write to their logs, read back from the log file: no link token, no SQL
parameter, one entry per unexpected error, and the connection kept after it."""

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import httpx
import pytest

from surveylink.core.config import Settings
from surveylink.core.errors import GENERIC_500_DETAIL
from tests.conftest import ENCRYPTION_KEY, free_port
from tests.hostile.failing_server import BOOM

ROOT = Path(__file__).parents[2]


def _env(settings: Settings, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": settings.sqlalchemy_url,
        "ENCRYPTION_KEY": ENCRYPTION_KEY,
        "SURVEYLINK_DATA_DIR": str(tmp_path / "data"),
        "SURVEYLINK_RUN_WORKER": "0",
        "RATE_LIMITING_DISABLED": "1",
        **extra,
    }


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    return tmp_path / "server.log"


@contextmanager
def _serve(arguments: list[str], env: dict[str, str], log_file: Path, port: int) -> Iterator[str]:
    """Runs a server process until the test is done; yields its base URL."""
    with log_file.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", *arguments],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(base)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=20)


def _wait_for(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/health", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def _init(env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "surveylink", "init", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    created: dict[str, Any] = json.loads(result.stdout)
    return created


def _personal_link(base: str, created: dict[str, Any]) -> str:
    headers = {"x-api-key": created["apiKey"]}
    survey = httpx.post(
        f"{base}/api/v1/management/surveys",
        json={
            "environmentId": created["environmentId"],
            "name": "Logged",
            "status": "inProgress",
            "questions": [
                {
                    "id": "email",
                    "type": "openText",
                    "headline": {"default": "Email?"},
                    "required": False,
                    "inputType": "email",
                }
            ],
        },
        headers=headers,
    ).json()["data"]
    contact = httpx.post(
        f"{base}/api/v2/management/contacts",
        json={
            "environmentId": created["environmentId"],
            "attributes": {"email": "ada@example.com"},
        },
        headers=headers,
    ).json()["data"]
    link = httpx.get(
        f"{base}/api/v2/management/surveys/{survey['id']}/contact-links/contacts/{contact['id']}",
        headers=headers,
    )
    url: str = link.json()["data"]["surveyUrl"]
    return urlsplit(url).path


def test_serve_logs_neither_link_tokens_nor_sql_parameters(
    settings: Settings, tmp_path: Path, log_file: Path
) -> None:
    env = _env(settings, tmp_path, LOG_LEVEL="debug")
    created = _init(env)
    port = free_port()
    arguments = ["surveylink", "serve", "--port", str(port)]
    with _serve(arguments, env, log_file, port) as base:
        path = _personal_link(base, created)
        page = httpx.get(f"{base}{path}", params={"email": "grace@example.com"})
        listed = httpx.get(
            f"{base}/api/v2/management/responses",
            params={"contactId": "zzparameter"},
            headers={"x-api-key": created["apiKey"]},
        )
    log = log_file.read_text()

    assert (page.status_code, listed.status_code) == (200, 200)
    token = path.removeprefix("/c/")
    assert token not in log
    assert '"GET /c/[redacted]?[redacted] HTTP/1.1" 200' in log
    assert '"GET /api/v2/management/responses?contactId=zzparameter HTTP/1.1" 200' in log
    assert log.count("zzparameter") == 1  # the access line only: no SQL parameters at DEBUG
    assert "ada@example.com" not in log
    assert "grace@example.com" not in log
    assert created["apiKey"] not in log


def _exchange(sock: socket.socket, reader: BinaryIO, path: str) -> tuple[int, Any]:
    """One HTTP/1.1 request on a kept-alive connection: (status, JSON body)."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    status_line = reader.readline()
    assert status_line, "the server closed the connection"
    headers: dict[str, str] = {}
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reader.read(int(headers["content-length"]))
    return int(status_line.split()[1]), json.loads(body)


def test_an_unexpected_error_is_answered_logged_once_and_keeps_the_connection(
    settings: Settings, tmp_path: Path, log_file: Path
) -> None:
    port = free_port()
    arguments = ["tests.hostile.failing_server", str(port)]
    with (
        _serve(arguments, _env(settings, tmp_path), log_file, port),
        socket.create_connection(("127.0.0.1", port), timeout=10) as sock,
    ):
        reader = sock.makefile("rb")
        failed = _exchange(sock, reader, BOOM)
        after = _exchange(sock, reader, "/health")
    log = log_file.read_text()

    assert failed == (
        500,
        {
            "error": {
                "code": 500,
                "message": "Internal Server Error",
                "details": [GENERIC_500_DETAIL],
            }
        },
    )
    assert after == (200, {"status": "ok"})
    assert log.count("unhandled error on request") == 1
    assert log.count("RuntimeError: a bug") == 1
    assert "Exception in ASGI application" not in log
