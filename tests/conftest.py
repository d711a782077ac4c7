"""A fresh database per test (SQLite copied from a migrated template, or PostgreSQL truncated
when SURVEYLINK_TEST_DATABASE_URL is set), the real app over ASGI, and API data made the way a
user makes it."""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from surveylink import migrate
from surveylink.app import create_app
from surveylink.auth import service as auth_service
from surveylink.core.config import Settings
from surveylink.core.context import app_context
from surveylink.core.db import make_engine, make_sessionmaker, transaction
from surveylink.environments import service as environments
from surveylink.models import Base
from tests.factories import ApiEnv

ENCRYPTION_KEY = "5f9a0c1e2d3b4a5968778695a4b3c2d1e0f11223344556677889900aabbccdde"
PG_URL = os.environ.get("SURVEYLINK_TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database: a SQLite file to copy, or the PostgreSQL database itself."""
    if PG_URL:
        _reset_postgres(PG_URL)
        migrate.upgrade(PG_URL)
        yield PG_URL
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    yield str(path)


def _reset_postgres(url: str) -> None:
    import asyncio

    async def reset() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(reset())


@pytest.fixture
async def database_url(template_db: str, tmp_path: Path) -> str:
    if PG_URL:
        tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        engine = create_async_engine(PG_URL)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} CASCADE"))
        await engine.dispose()
        return PG_URL
    path = tmp_path / "surveylink.db"
    shutil.copyfile(template_db, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "ENCRYPTION_KEY": ENCRYPTION_KEY,
        "PUBLIC_URL": "http://testserver",
        "SURVEYLINK_DATA_DIR": str(tmp_path / "data"),
        "RATE_LIMITING_DISABLED": True,
        "SURVEYLINK_RUN_WORKER": False,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncClient]:
    app = create_app(settings)
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        http.app = app  # type: ignore[attr-defined]
        yield http
    await auth_service.drain()
    await app_context(app).close()


@pytest.fixture
async def env(client: AsyncClient, settings: Settings) -> ApiEnv:
    """An organization with a project, its two environments and a manage key on both."""
    engine = make_engine(settings.sqlalchemy_url)
    async with transaction(make_sessionmaker(engine), write=True) as session:
        workspace = await environments.create_workspace(session, "Acme", "Website")
        grants = [(workspace.production.id, "manage"), (workspace.development.id, "manage")]
        _, key = await auth_service.create_api_key(session, workspace.organization.id, grants)
    await engine.dispose()
    return ApiEnv(client, settings, workspace, key)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server (Debian's) on a free loopback port, for the whole session."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: .ci/run installs it")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    directory = tmp_path_factory.mktemp("redis")
    arguments = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(
        [binary, *arguments, "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_for_port(port)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
async def redis_url(redis_server: str) -> str:
    """The session's Redis, emptied for this test."""
    client = Redis.from_url(redis_server)
    await client.flushall()
    await client.aclose()
    return redis_server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")
