"""Point reads for the hottest paths (API-key lookup, link checks), without a session.

On SQLite each aiosqlite call is a round trip to a worker thread (~75 µs, more under load) and
a session adds BEGIN/COMMIT round trips and per-statement ORM work; an indexed point read in the
stdlib driver takes ~3 µs. So these reads run inline on the event loop, on a read-only stdlib
connection, as SQL compiled once per statement: safe because in WAL mode a reader never waits
for a lock. Writes never come here (an inline writer could block the loop while holding the
lock another coroutine needs).

On PostgreSQL they run on the asyncpg connection of a connection from the engine's pool, as SQL
compiled once for the engine's dialect (asyncpg keeps it prepared), outside any transaction.
SQLAlchemy's own execution path (a `Connection`, its events and execution options, its result)
cost ~150 µs of CPU per read under load, about twice the read itself. The pool still hands out
the connection, after a turn at `core/db.py:ConnectionGate` (503 after `WAIT_SECONDS`), with
its idle ping and its codecs (JSON decoded as SQLAlchemy decodes it). Errors are raised as
SQLAlchemy would raise them (`DBAPIError`, the pool invalidated on a disconnect), so
`core/db.py:is_outage` tells outages from bugs alike.

Statements are built once at import with named `bindparam`s and passed here with their values;
the values of the statement's own binds (e.g. JSON paths) are bound once at compile time.
"""

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import exc
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Select
from sqlalchemy.util import greenlet_spawn

from surveylink.core.db import connection_gate

_SQLITE = sqlite_dialect.dialect(paramstyle="named")
Processor = Callable[[Any], Any] | None


class Reader:
    def __init__(self, url: str, engine: AsyncEngine) -> None:
        self._engine = engine
        self._gate = connection_gate(engine)  # a turn at the pool first, as `transaction` takes
        self._connection: sqlite3.Connection | None = None
        self._compiled: dict[int, _Compiled] = {}
        self._sqlite_file = (
            (make_url(url).database or ":memory:") if url.startswith("sqlite") else None
        )

    async def rows(
        self, statement: Select[Any], params: Mapping[str, Any]
    ) -> Sequence[Sequence[Any]]:
        if self._sqlite_file is None:
            return await self._pooled_rows(statement, params)
        compiled = self._compiled.get(id(statement))
        if compiled is None:
            compiled = self._compiled[id(statement)] = _Compiled(statement, _SQLITE)
        inline = self._connection or self._connect(self._sqlite_file)
        raw = inline.execute(compiled.sql, compiled.named(params)).fetchall()
        return [compiled.convert(row) for row in raw]

    async def _pooled_rows(
        self, statement: Select[Any], params: Mapping[str, Any]
    ) -> Sequence[Sequence[Any]]:
        gate = self._gate
        assert gate is not None  # made with every PostgreSQL engine
        async with gate.held():
            return await self._fetch(statement, params)

    async def _fetch(
        self, statement: Select[Any], params: Mapping[str, Any]
    ) -> Sequence[Sequence[Any]]:
        engine = self._engine
        try:
            pooled = await engine.raw_connection()
        except engine.dialect.loaded_dbapi.Error as error:  # as `engine.connect()` wraps it
            raise exc.DBAPIError(None, None, error, hide_parameters=True) from error
        driver = pooled.driver_connection
        assert driver is not None
        sql: str | None = None
        try:
            # Compiled once a connection exists: the dialect then knows the server's version.
            compiled = self._compiled.get(id(statement))
            if compiled is None:
                compiled = self._compiled[id(statement)] = _Compiled(statement, engine.dialect)
            sql = compiled.sql
            raw = await driver.fetch(sql, *compiled.positional(params))
        except Exception as error:
            # How SQLAlchemy's asyncpg dialect tells a disconnect: the connection is closed.
            # Then, as SQLAlchemy does, every connection opened before this one is replaced.
            disconnected: bool = driver.is_closed()
            if disconnected:
                await greenlet_spawn(engine.sync_engine.pool._invalidate, pooled, error)
            await greenlet_spawn(pooled.close)
            raise exc.DBAPIError(
                sql, None, error, hide_parameters=True, connection_invalidated=disconnected
            ) from error
        except BaseException as error:
            _discard(pooled, error)
            raise
        await greenlet_spawn(pooled.close)
        return [compiled.convert(row) for row in raw]

    def _connect(self, database: str) -> sqlite3.Connection:
        """Opened on first use, so an app can be made before its database is reachable."""
        # check_same_thread=False: the loop thread is the only user, but the connection is
        # closed at shutdown from wherever the lifespan runs.
        connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA query_only=1")
        connection.execute("PRAGMA busy_timeout=1000")
        self._connection = connection
        return connection

    def dispose(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _discard(pooled: PoolProxiedConnection, error: BaseException) -> None:
    """Cancelled mid-statement: what the server still sends is unknown, so the connection is
    closed, not reused (as SQLAlchemy does). No await here: the task is being cancelled."""
    pooled.invalidate(error)
    pooled.close()


class _Compiled:
    """A statement's SQL for one dialect, its parameters in order, the values it binds itself
    (e.g. JSON paths) and its result types."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.order = list(compiled.positiontup or ())  # positional paramstyles ($1 on asyncpg)
        self.fixed: dict[str, Any] = {}
        for name, bind in compiled.binds.items():
            if bind.value is not None:
                process = bind.type.dialect_impl(dialect).bind_processor(dialect)
                self.fixed[name] = process(bind.value) if process else bind.value
        self.processors: list[Processor] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns
        ]

    def named(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {**self.fixed, **params}

    def positional(self, params: Mapping[str, Any]) -> list[Any]:
        fixed = self.fixed
        return [params[name] if name in params else fixed[name] for name in self.order]

    def convert(self, row: Sequence[Any]) -> list[Any]:
        return [
            value if process is None else process(value)
            for value, process in zip(row, self.processors, strict=True)
        ]
