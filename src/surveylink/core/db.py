"""Engine, sessions and shared column types: the same code on SQLite and PostgreSQL."""

import asyncio
import errno
import socket
import sqlite3
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import JSON, DateTime, MetaData, String, event, exc
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from surveylink.core.clock import utcnow
from surveylink.core.ids import cuid
from surveylink.core.writegate import WriteGate

WRITE_OPTION = "surveylink_write"
WRITE_GATE = "surveylink_write_gate"
CONNECTION_GATE = "surveylink_connection_gate"
# How long a request may wait for the database before it is told 503: for a pooled connection,
# for SQLite's write lock (in this process, then across processes), for a PostgreSQL connect.
# Transactions open only once a request is known good and end before the response is sent,
# so a wait this long means the database itself is stuck, not a slow client.
WAIT_SECONDS = 5.0

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on the way out, whatever the backend kept."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Row:
    """Columns every upstream table has: a cuid id and millisecond UTC timestamps."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=cuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


# JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
Json = JSON().with_variant(JSONB(), "postgresql")


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # We emit BEGIN ourselves (below): the driver's own transaction handling breaks SAVEPOINTs.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the workers read while one writes; foreign keys give upstream's cascades.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(WAIT_SECONDS * 1000)}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A writing transaction takes the write lock up front: a deferred one that reads first
    # could not upgrade once another writer committed (SQLITE_BUSY_SNAPSHOT, never retried).
    immediate = connection.get_execution_options().get(WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# PostgreSQL connections per process, opened as needed and then kept. At most this many are in
# use at once outside nested transactions (`ConnectionGate` below), so the pool never opens
# connections beyond it under steady load: an overflow connection is closed as soon as it is
# returned to a full pool, and with 10 + 10 every request beyond ten in flight opened and closed
# one (a server process forked, SCRAM authentication: ~3 ms of CPU in the app alone), which cut
# the seed endpoint's throughput to a third at 50 concurrent requests on 2 workers. Each request
# holds a connection only for a statement or a short transaction, and on 2 cores 10 connections
# serve as many requests as 20. Budget: PostgreSQL's default max_connections is 100, 3 of them
# kept for superusers; `serve --workers 4` and 2 `surveylink worker` processes (60, 72 at most)
# leave room for the CLI, migrations, a second deployment during a rolling restart, and psql.
POSTGRES_POOL_SIZE = 10
# Beyond the pool, only for a transaction opened inside another (a segment page with short
# links writes them while its read transaction is open) while every pooled one is in use, and
# closed after it: with every connection held by a request waiting for its second, none could
# go on.
POSTGRES_NESTED_OVERFLOW = 2


def make_engine(url: str) -> AsyncEngine:
    # hide_parameters: an error's message (which may be logged) never carries the values.
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url, pool_size=5, max_overflow=10, pool_timeout=WAIT_SECONDS, hide_parameters=True
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    engine = create_async_engine(
        url,
        pool_size=POSTGRES_POOL_SIZE,
        max_overflow=POSTGRES_NESTED_OVERFLOW,
        pool_timeout=WAIT_SECONDS,
        connect_args={"timeout": WAIT_SECONDS},
        hide_parameters=True,
    )
    event.listen(engine.sync_engine, "checkin", _mark_idle)
    event.listen(engine.sync_engine, "checkout", _ping_if_idle)
    _GATES[engine.sync_engine] = ConnectionGate(POSTGRES_POOL_SIZE, WAIT_SECONDS)
    return engine


class ConnectionGate:
    """PostgreSQL: a process's turns at its pooled connections, served in the order asked.

    SQLAlchemy's async pool gives a returned connection to whoever asks next, even while others
    already wait, and a waiter passed over queues again at the back: with 25 requests in flight
    on 10 connections, some waited 300 ms while most waited none (seed endpoint, wrk). Every
    checkout (`transaction`, `core/reader.py`) takes a turn here first, and a transaction
    opened inside another rides on the turn its task holds. There are as many turns as pooled
    connections, so the pool itself makes nobody wait; a turn not had within `wait_seconds`
    fails as the pool's own wait does (`exc.TimeoutError`, a 503).
    """

    def __init__(self, turns: int, wait_seconds: float) -> None:
        self._turns = asyncio.Semaphore(turns)  # first come, first served (Python >= 3.11.1)
        self._wait_seconds = wait_seconds

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        if _HOLDS_TURN.get():
            yield
            return
        await self._acquire()
        token = _HOLDS_TURN.set(True)
        try:
            yield
        finally:
            _HOLDS_TURN.reset(token)
            self._turns.release()

    async def _acquire(self) -> None:
        if not self._turns.locked():
            await self._turns.acquire()  # free and nobody waiting: taken without suspending
            return
        try:
            async with asyncio.timeout(self._wait_seconds):
                await self._turns.acquire()
        except TimeoutError:
            seconds = self._wait_seconds
            raise exc.TimeoutError(f"no pooled connection came free in {seconds:g} s") from None


# Whether the running task holds a turn (tasks copy it when created: none is created inside one).
_HOLDS_TURN: ContextVar[bool] = ContextVar("surveylink_holds_turn", default=False)
_GATES: weakref.WeakKeyDictionary[Engine, ConnectionGate] = weakref.WeakKeyDictionary()


def connection_gate(engine: AsyncEngine) -> ConnectionGate | None:
    """The gate to `engine`'s pool (one per engine, made with it), None on SQLite."""
    return _GATES.get(engine.sync_engine)


# A connection that sat idle may have died with a server restart: it is pinged before use, so
# the first request after an outage does not fail. SQLAlchemy's `pool_pre_ping` pings before
# every use instead, which on asyncpg is three round trips (BEGIN, ping, ROLLBACK) per request.
IDLE_PING_SECONDS = 1.0


def _mark_idle(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception:
        raise exc.DisconnectionError() from None  # the pool replaces it with a new connection


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    gate = WriteGate(WAIT_SECONDS) if engine.dialect.name == "sqlite" else None
    info = {WRITE_GATE: gate, CONNECTION_GATE: connection_gate(engine)}
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False, info=info)


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession], *, write: bool = False
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits when the block ends, rolls back if it raises. A writing one
    on SQLite first takes its place in the process's write queue; any one on PostgreSQL, its
    turn at the pool's connections."""
    info = sessions.kw.get("info", {})
    gate: WriteGate | ConnectionGate | None = info.get(CONNECTION_GATE)
    if gate is None and write:
        gate = info.get(WRITE_GATE)
    async with gate.held() if gate else nullcontext(), sessions() as session, session.begin():
        if write:
            await session.connection(execution_options={WRITE_OPTION: True})
        yield session


async def get_session(request: Request) -> AsyncSession:
    """The dependency behind SessionDep. The request pipeline (core/routing.py `ApiRoute`)
    recognises it and opens the transaction itself, once the request is known good; FastAPI
    never calls it, so a router that forgot `route_class=ApiRoute` fails loudly."""
    raise RuntimeError(f"{request.url.path}: sessions need a router with route_class=ApiRoute")


# One transaction per request, opened after authentication, validation and rate counting, and
# committed before the response is sent: a 2xx always means committed.
SessionDep = Annotated[AsyncSession, Depends(get_session)]


def violated(error: Exception) -> str:
    """Names what an IntegrityError violated (constraint or columns), on SQLite and PostgreSQL."""
    cause = getattr(getattr(error, "orig", None), "__cause__", None)
    name = getattr(cause, "constraint_name", None)  # asyncpg
    return str(name or getattr(error, "orig", error))


# SQLite result codes (the low byte of an extended code) that mean the database cannot serve
# now: busy or locked beyond the timeout, read-only, I/O error, full, cannot open.
_SQLITE_OUTAGES = {
    sqlite3.SQLITE_BUSY,
    sqlite3.SQLITE_LOCKED,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_CANTOPEN,
}
# PostgreSQL SQLSTATE classes: connection exception, insufficient resources (disk full, too many
# connections), operator intervention (shutdown), system error; and a read-only transaction.
_POSTGRES_OUTAGE_CLASSES = ("08", "53", "57", "58")
_POSTGRES_READ_ONLY = "25006"
_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN}


def is_outage(error: BaseException) -> bool:
    """Whether `error` says the database is down, unreachable or cannot be written (a 503),
    rather than that our code or a query is wrong (a 500)."""
    if isinstance(error, exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated or isinstance(error, exc.InterfaceError):
            return True
        cause = error.orig.__cause__ if error.orig is not None else None
        return _driver_outage(error.orig) or _driver_outage(cause)
    return _driver_outage(error)


def _driver_outage(error: BaseException | None) -> bool:
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in _SQLITE_OUTAGES
    if isinstance(error, ConnectionError | TimeoutError | socket.gaierror):
        return True  # refused, reset, timed out, unknown host: the server is not there
    if isinstance(error, OSError):
        return error.errno in _UNREACHABLE
    state = getattr(error, "sqlstate", None)  # asyncpg's errors
    return isinstance(state, str) and (
        state[:2] in _POSTGRES_OUTAGE_CLASSES or state == _POSTGRES_READ_ONLY
    )
