"""Engine, sessions and shared column types: the same code on SQLite and PostgreSQL."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import JSON, DateTime, MetaData, String, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Dialect
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

WRITE_OPTION = "surveylink_write"

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
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A writing transaction takes the write lock up front: a deferred one that reads first
    # could not upgrade once another writer committed (SQLITE_BUSY_SNAPSHOT, never retried).
    immediate = connection.get_execution_options().get(WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> AsyncEngine:
    # hide_parameters: an error's message (which may be logged) never carries the values.
    if url.startswith("sqlite"):
        engine = create_async_engine(url, pool_size=5, max_overflow=10, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(
        url, pool_size=10, max_overflow=10, pool_pre_ping=True, hide_parameters=True
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession], *, write: bool = False
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits when the block ends, rolls back if it raises."""
    async with sessions() as session, session.begin():
        if write:
            await session.connection(execution_options={WRITE_OPTION: True})
        yield session


_READS = {"GET", "HEAD", "OPTIONS"}


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    write = request.method not in _READS
    async with transaction(request.app.state.sessions, write=write) as session:
        yield session


async def get_write_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with transaction(request.app.state.sessions, write=True) as session:
        yield session


# scope="function": the commit runs after the handler returns and before the response is
# sent, so a 2xx always means committed.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
# For the few GETs that write (a page view records a display).
WriteSessionDep = Annotated[AsyncSession, Depends(get_write_session, scope="function")]


def violated(error: Exception) -> str:
    """Names what an IntegrityError violated (constraint or columns), on SQLite and PostgreSQL."""
    cause = getattr(getattr(error, "orig", None), "__cause__", None)
    name = getattr(cause, "constraint_name", None)  # asyncpg
    return str(name or getattr(error, "orig", error))
