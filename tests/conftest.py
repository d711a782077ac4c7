"""A fresh database per test (SQLite copied from a migrated template, or PostgreSQL truncated
when SURVEYLINK_TEST_DATABASE_URL is set), the real app over ASGI, and API data made the way a
user makes it."""

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from surveylink import migrate
from surveylink.app import create_app
from surveylink.auth import service as auth_service
from surveylink.core.config import Settings
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
    app.state.reader.dispose()
    await app.state.engine.dispose()


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
