"""Point reads for the hottest paths (API-key lookup, link checks), without a session.

On SQLite each aiosqlite call is a round trip to a worker thread (~75 µs, more under load) and
a session adds BEGIN/COMMIT round trips and per-statement ORM work; an indexed point read in the
stdlib driver takes ~3 µs. So these reads run inline on the event loop, on a read-only stdlib
connection, as SQL compiled once per statement: safe because in WAL mode a reader never waits
for a lock. Writes never come here (an inline writer could block the loop while holding the
lock another coroutine needs). On PostgreSQL the async pool runs the same statements.

Statements are built once at import with named `bindparam`s and passed here with their values.
"""

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Select

_DIALECT = sqlite_dialect.dialect(paramstyle="named")
Processor = Callable[[Any], Any] | None


class Reader:
    def __init__(self, url: str, engine: AsyncEngine) -> None:
        # One statement needs no transaction: no BEGIN and ROLLBACK round trips around it.
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._connection: sqlite3.Connection | None = None
        self._compiled: dict[int, _Compiled] = {}
        self._sqlite_file = (
            (make_url(url).database or ":memory:") if url.startswith("sqlite") else None
        )

    async def rows(
        self, statement: Select[Any], params: Mapping[str, Any]
    ) -> Sequence[Sequence[Any]]:
        if self._sqlite_file is None:
            async with self._autocommit.connect() as connection:
                result = await connection.execute(statement, dict(params))
                return list(result.all())
        compiled = self._compiled.get(id(statement))
        if compiled is None:
            compiled = self._compiled[id(statement)] = _Compiled(statement)
        inline = self._connection or self._connect(self._sqlite_file)
        raw = inline.execute(compiled.sql, {**compiled.fixed, **params}).fetchall()
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


class _Compiled:
    """A statement's SQL, the values it binds itself (e.g. JSON paths) and its result types."""

    def __init__(self, statement: Select[Any]) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        self.sql = str(compiled)
        self.fixed: dict[str, Any] = {}
        for name, bind in compiled.binds.items():
            if bind.value is not None:
                process = bind.type.dialect_impl(_DIALECT).bind_processor(_DIALECT)
                self.fixed[name] = process(bind.value) if process else bind.value
        self.processors: list[Processor] = [
            column.type.dialect_impl(_DIALECT).result_processor(_DIALECT, None)
            for column in statement.selected_columns
        ]

    def convert(self, row: Sequence[Any]) -> list[Any]:
        return [
            value if process is None else process(value)
            for value, process in zip(row, self.processors, strict=True)
        ]
