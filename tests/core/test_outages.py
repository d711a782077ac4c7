"""While the database is down, unreachable or cannot be written, every route answers 503 in its
version's envelope (the page: HTML), health says so, and all recovers by itself (issue #9).

Real faults, no mocks: an immutable SQLite file (`chattr +i`), a full disk (a small tmpfs), a
missing database directory; PostgreSQL behind a loopback proxy that stops and starts again, and
PostgreSQL switched to read-only transactions.
"""

import asyncio
import contextlib
import copy
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from surveylink.app import create_app
from surveylink.auth import service as auth_service
from surveylink.core.config import Settings
from surveylink.core.context import app_context
from surveylink.core.db import make_engine, make_sessionmaker, transaction
from surveylink.environments import service as environments
from tests.conftest import PG_URL, free_port
from tests.factories import E2E_SURVEY, ApiEnv
from tests.respondent.helpers import SEED, personal_link

V2_UNAVAILABLE = {
    "error": {
        "code": 503,
        "message": "Service Unavailable",
        "details": [
            {"field": "database", "issue": "The database is unavailable, please try again later"}
        ],
    }
}
V1_UNAVAILABLE = {"code": "service_unavailable", "message": "Service Unavailable", "details": {}}
RESPONSES = "/api/v2/management/responses"

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="a fault of the SQLite file")
postgres_only = pytest.mark.skipif(not PG_URL, reason="a fault of the PostgreSQL server")


def _health(problem: str) -> dict[str, Any]:
    return {
        "error": {
            "code": 503,
            "message": "Service Unavailable",
            "details": [{"field": "main_database", "issue": problem}],
        }
    }


@contextlib.asynccontextmanager
async def _app(settings: Settings) -> AsyncIterator[AsyncClient]:
    app = create_app(settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as http:
        yield http
    await app_context(app).close()


async def _writes(
    http: AsyncClient, env: ApiEnv, survey: dict[str, Any], link: str
) -> dict[str, Response]:
    """One write of each kind: v2, v1, the page."""
    body = {"surveyId": survey["id"], "finished": False, "data": {}}
    v1_body = {**copy.deepcopy(E2E_SURVEY), "environmentId": env.environment_id}
    return {
        "v2": await http.post(RESPONSES, json=body, headers=env.headers),
        "v1": await http.post("/api/v1/management/surveys", json=v1_body, headers=env.headers),
        "page": await http.get(link),
    }


def _assert_unavailable(answers: dict[str, Response]) -> None:
    assert answers["v2"].status_code == 503
    assert answers["v2"].json() == V2_UNAVAILABLE
    assert answers["v2"].headers["Retry-After"] == "1"
    assert answers["v1"].status_code == 503
    assert answers["v1"].json() == V1_UNAVAILABLE
    assert answers["page"].status_code == 503
    assert answers["page"].headers["content-type"].startswith("text/html")
    assert "Temporarily unavailable" in answers["page"].text


async def _recovered(http: AsyncClient) -> Response:
    """Health, polled until it is 200 again: recovery needs no restart, only a few seconds."""
    deadline = asyncio.get_running_loop().time() + 15
    while True:
        health = await http.get("/api/v2/health")
        if health.status_code == 200 or asyncio.get_running_loop().time() > deadline:
            return health
        await asyncio.sleep(0.2)


async def _scenario(env: ApiEnv) -> tuple[dict[str, Any], str]:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")
    return survey, await personal_link(env, survey["id"], contact["id"])


# SQLite


def _chattr(flag: str, *paths: Path) -> None:
    subprocess.run(["chattr", flag, *map(str, paths)], check=True, capture_output=True)


@pytest.fixture
def immutable(settings: Settings) -> Iterator[list[Path]]:
    """The database's files, made immutable by the test (root ignores file modes)."""
    database = Path(make_url(settings.sqlalchemy_url).database or "")
    files = [database, database.with_name(database.name + "-wal")]
    try:
        _chattr("-i", database)
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"chattr is not available here ({error}); needs root on ext4/xfs/tmpfs")
    yield files
    _chattr("-i", *(path for path in files if path.exists()))


@sqlite_only
async def test_a_read_only_sqlite_file_is_503_everywhere_then_recovers(
    client: AsyncClient, env: ApiEnv, immutable: list[Path]
) -> None:
    survey, link = await _scenario(env)
    await client.post(
        RESPONSES,
        json={"surveyId": survey["id"], "finished": False, "data": {}},
        headers=env.headers,
    )  # the -wal file exists

    _chattr("+i", *immutable)
    during = await _writes(client, env, survey, link)
    health = await client.get("/api/v2/health")
    read = await client.get("/api/v2/roles", headers=env.headers)
    _chattr("-i", *immutable)
    recovered = await _recovered(client)
    after = await _writes(client, env, survey, link)

    _assert_unavailable(during)
    assert health.status_code == 503
    assert health.json() == _health("Database cannot be written")
    assert read.status_code == 200  # reads still work
    assert [after[kind].status_code for kind in ("v2", "v1", "page")] == [201, 200, 200]
    assert recovered.status_code == 200


@pytest.fixture
def small_disk(tmp_path: Path, template_db: str) -> Iterator[Path]:
    """A 16 MiB tmpfs holding a copy of the migrated database."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()}); needs root")
    try:
        shutil.copyfile(template_db, mount / "surveylink.db")
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:  # ENOSPC: the disk is full
            pass
    return filler


@sqlite_only
async def test_a_full_disk_is_503_everywhere_then_recovers(
    settings: Settings, small_disk: Path
) -> None:
    url = f"sqlite+aiosqlite:///{small_disk / 'surveylink.db'}"
    on_disk = settings.model_copy(update={"database_url": url})
    async with _app(on_disk) as http:
        disk_env = await _env_on(http, on_disk)
        survey, link = await _scenario(disk_env)

        filler = _fill(small_disk)
        during = await _writes(http, disk_env, survey, link)
        health = await http.get("/api/v2/health")
        filler.unlink()
        recovered = await _recovered(http)
        after = await _writes(http, disk_env, survey, link)

    _assert_unavailable(during)
    assert health.json() == _health("Database cannot be written")
    assert recovered.status_code == 200
    assert [after[kind].status_code for kind in ("v2", "v1", "page")] == [201, 200, 200]


async def _env_on(http: AsyncClient, settings: Settings) -> ApiEnv:
    """An organization and a manage key in this database, as the `env` fixture makes them."""
    engine = make_engine(settings.sqlalchemy_url)
    async with transaction(make_sessionmaker(engine), write=True) as session:
        workspace = await environments.create_workspace(session, "Acme", "Website")
        grants = [(workspace.production.id, "manage")]
        _, key = await auth_service.create_api_key(session, workspace.organization.id, grants)
    await engine.dispose()
    return ApiEnv(http, settings, workspace, key)


@sqlite_only
async def test_an_unreachable_sqlite_database_is_503_on_every_route(
    settings: Settings, env: ApiEnv, tmp_path: Path
) -> None:
    survey, link = await _scenario(env)
    missing = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'nothing.db'}"

    async with _app(settings.model_copy(update={"database_url": missing})) as http:
        during = await _writes(http, env, survey, link)
        read = await http.get("/api/v2/roles", headers=env.headers)

    _assert_unavailable(during)
    assert read.status_code == 503  # the key cannot even be looked up
    assert read.json() == V2_UNAVAILABLE


# PostgreSQL


class Proxy:
    """A loopback TCP proxy to the PostgreSQL server that can be stopped and started again."""

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self.target_port = target_port
        self.server: asyncio.Server | None = None
        self.pipes: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port)

    async def stop(self) -> None:
        """PostgreSQL gone: no new connection is accepted, open ones are cut."""
        assert self.server is not None
        self.server.close()
        for writer in self.pipes:
            writer.transport.abort()
        self.pipes.clear()
        await self.server.wait_closed()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1", self.target_port
        )
        self.pipes.update((writer, upstream_writer))

        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except OSError:
                pass
            finally:
                sink.transport.abort()

        await asyncio.gather(copy(reader, upstream_writer), copy(upstream_reader, writer))


@postgres_only
async def test_a_stopped_postgres_is_503_everywhere_then_recovers(
    settings: Settings, env: ApiEnv
) -> None:
    survey, link = await _scenario(env)
    url = make_url(PG_URL)
    proxy = Proxy(url.port or 5432)
    await proxy.start()
    through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)

    try:
        async with _app(settings.model_copy(update={"database_url": through_proxy})) as http:
            before = await http.get("/api/v2/roles", headers=env.headers)
            await proxy.stop()
            during = await _writes(http, env, survey, link)
            health = await http.get("/api/v2/health")
            await proxy.start()
            recovered = await _recovered(http)
            after = await _writes(http, env, survey, link)
    finally:
        await proxy.stop()

    assert before.status_code == 200
    _assert_unavailable(during)
    assert health.json() == _health("Database is unreachable")
    assert [after[kind].status_code for kind in ("v2", "v1", "page")] == [201, 200, 200]
    assert recovered.status_code == 200


@postgres_only
async def test_point_reads_of_a_stopped_postgres_are_503_then_recover(
    settings: Settings, env: ApiEnv
) -> None:
    # The link endpoint and key lookups read outside any transaction (core/reader.py): first on
    # the pooled connection the proxy cut, then on none, as no new connection gets through.
    survey, _ = await _scenario(env)
    contact = await env.create_contact("grace@example.com")
    link = SEED.format(survey["id"], contact["id"])
    url = make_url(PG_URL)
    proxy = Proxy(url.port or 5432)
    await proxy.start()
    through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)

    try:
        async with _app(settings.model_copy(update={"database_url": through_proxy})) as http:
            before = await http.get(link, headers=env.headers)
            await proxy.stop()
            during = [await http.get(link, headers=env.headers) for _ in range(2)]
            await proxy.start()
            recovered = await _recovered(http)
            after = await http.get(link, headers=env.headers)
    finally:
        await proxy.stop()

    assert before.status_code == 200
    assert [answer.status_code for answer in during] == [503, 503]
    assert [answer.json() for answer in during] == [V2_UNAVAILABLE, V2_UNAVAILABLE]
    assert recovered.status_code == 200
    assert after.status_code == 200
    assert after.json() == {"data": {"surveyUrl": ANY, "expiresAt": None}}
    assert after.json()["data"]["surveyUrl"].startswith("http://testserver/c/")


@contextlib.asynccontextmanager
async def _read_only_postgres() -> AsyncIterator[None]:
    """New sessions of the test database start read-only; existing ones are ended."""
    database = make_url(PG_URL).database
    engine = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")

    async def switch(value: str) -> None:
        async with engine.connect() as connection:
            await connection.execute(
                text(f'ALTER DATABASE "{database}" SET default_transaction_read_only = {value}')
            )
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": database},
            )

    await switch("on")
    try:
        yield
    finally:
        await switch("off")
        await engine.dispose()


@postgres_only
async def test_a_read_only_postgres_is_503_everywhere_then_recovers(
    settings: Settings, env: ApiEnv
) -> None:
    survey, link = await _scenario(env)

    async with _app(settings) as http:
        async with _read_only_postgres():
            during = await _writes(http, env, survey, link)
            health = await http.get("/api/v2/health")
        recovered = await _recovered(http)
        after = await _writes(http, env, survey, link)

    _assert_unavailable(during)
    assert health.json() == _health("Database cannot be written")
    assert recovered.status_code == 200
    assert [after[kind].status_code for kind in ("v2", "v1", "page")] == [201, 200, 200]
