"""`WriteGate`: SQLite's one writer at a time, as a queue in each process.

SQLite lets one connection write at a time. Writers that all wait in its busy handler poll with
growing sleeps (up to 100 ms each) and the unlucky ones starve until "database is locked". Here
a process's writers queue in order on the event loop, and only the head of the queue asks SQLite
for the lock, where it waits at most for the one writer of each other process.

(A file lock handing the turn from process to process was tried: it made writes fairer across
workers but cost more in thread hand-offs than it saved, on the write benchmark.)
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from surveylink.core.errors import database_unavailable


class WriteGate:
    def __init__(self, wait_seconds: float) -> None:
        self._lock = asyncio.Lock()
        self._wait_seconds = wait_seconds

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """Waits for this writer's turn (503 after `wait_seconds`), then holds it."""
        try:
            async with asyncio.timeout(self._wait_seconds):
                await self._lock.acquire()
        except TimeoutError:
            raise database_unavailable() from None
        try:
            yield
        finally:
            self._lock.release()
