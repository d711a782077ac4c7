"""Clients that trickle their body hold nothing: writes of everyone else keep succeeding; and a
write lock held elsewhere is waited for a bounded time, then answered 503.

Against a real `surveylink serve` on loopback (the test's database), 25 connections send the
headers of a write and a first byte of its body, then stall: more than a worker's connection
pool, and on SQLite any one of them used to hold the write lock (issue #9).
"""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from surveylink.core.config import Settings
from tests.conftest import ENCRYPTION_KEY, PG_URL, free_port
from tests.factories import ApiEnv
from tests.respondent.helpers import personal_link

STALLED = 25  # more than a worker's pool (10 + 10 overflow)


@pytest.fixture
def server(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """`surveylink serve` (one worker) on a free loopback port, on the test's database."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.sqlalchemy_url,
        "ENCRYPTION_KEY": ENCRYPTION_KEY,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SURVEYLINK_DATA_DIR": str(tmp_path / "serve"),
        "RATE_LIMITING_DISABLED": "1",
        "SURVEYLINK_RUN_WORKER": "0",
        "LOG_LEVEL": "warning",
    }
    command = [sys.executable, "-m", "surveylink", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        _wait_until_listening(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _stall(base: str, path: str, headers: dict[str, str], content_type: str) -> socket.socket:
    """A connection that sent a write's headers and one byte of a 1,000-byte body."""
    host, port = base.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)))
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}",
        f"Content-Type: {content_type}",
        "Content-Length: 1000",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    connection.sendall(("\r\n".join(lines) + "\r\n\r\n{").encode())
    return connection


def _still_waiting(connection: socket.socket) -> bool:
    """Nothing was answered: the server is still waiting for the rest of the body."""
    connection.setblocking(False)
    try:
        connection.recv(1)
    except BlockingIOError:
        return True
    return False  # an answer, or the connection closed


def _wait_until_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60  # it migrates first; the machine may be busy
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("surveylink serve exited")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


@pytest.mark.parametrize("target", ["page", "v1", "v2"])
async def test_writes_succeed_while_bodies_trickle(server: str, env: ApiEnv, target: str) -> None:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")
    link = await personal_link(env, survey["id"], contact["id"])
    stalls = {
        "page": (link, {}, "application/x-www-form-urlencoded"),
        "v1": ("/api/v1/management/surveys", env.headers, "application/json"),
        "v2": ("/api/v2/management/responses", env.headers, "application/json"),
    }
    body = {"surveyId": survey["id"], "finished": True, "data": {}}

    with ExitStack() as stack:
        stalled = [stack.enter_context(_stall(server, *stalls[target])) for _ in range(STALLED)]
        async with httpx.AsyncClient(base_url=server, timeout=60) as http:
            writes = [
                await http.post("/api/v2/management/responses", json=body, headers=env.headers)
                for _ in range(5)
            ]
            health = await http.get("/api/v2/health")

        waiting = [_still_waiting(connection) for connection in stalled]

    assert [write.status_code for write in writes] == [201] * 5
    assert health.status_code == 200
    assert waiting == [True] * STALLED


sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="SQLite's write lock; PostgreSQL locks rows")


@contextmanager
def _write_lock_held_elsewhere(settings: Settings) -> Iterator[None]:
    """Another process's writer (here: another connection) holding SQLite's write lock."""
    holder = sqlite3.connect(make_url(settings.sqlalchemy_url).database or "", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@sqlite_only
async def test_a_forged_link_never_waits_for_the_write_lock(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    with _write_lock_held_elsewhere(settings):
        response = await client.get("/c/forged-token")

    assert response.status_code == 404
    assert "Survey link invalid" in response.text


@sqlite_only
async def test_a_write_that_cannot_get_the_lock_is_a_503_not_a_500(
    client: httpx.AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey = await env.create_survey(status="inProgress")
    body = {"surveyId": survey["id"], "finished": True, "data": {}}

    with _write_lock_held_elsewhere(settings):
        response = await client.post("/api/v2/management/responses", json=body, headers=env.headers)

    assert response.status_code == 503
    assert response.json()["error"]["details"] == [
        {"field": "database", "issue": "The database is unavailable, please try again later"}
    ]
