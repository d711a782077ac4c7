"""Records which personal links were handed out, off the request path.

The seed endpoint is the busiest route: a write per request would halve it. It calls `record`
instead, which only updates a dict in this process; a background task (`running`, in `serve`'s
lifespan) writes what accumulated once a second, one upsert per batch of pairs. Reading the
status first flushes this process's pending records, so a client sees its own links at once;
other processes' records arrive within a second.

Best effort by design: a process killed between two flushes loses up to a second of issuance
counts (never a link, an invitation or a response), and at most MAX_PENDING distinct pairs wait
in memory (beyond that new pairs are dropped and logged until the next flush).
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from surveylink.campaigns import repository
from surveylink.core.db import transaction

logger = logging.getLogger("surveylink.campaigns")

MAX_PENDING = 100_000
INTERVAL_SECONDS = 1.0


class IssuanceLog:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        # (survey, contact) -> [first issued, last issued (epoch seconds), count]
        self._pending: dict[tuple[str, str], list[float]] = {}
        self._dropped = 0
        self._lock = asyncio.Lock()

    def record(self, survey_id: str, contact_id: str, at: float) -> None:
        """Notes one link issued at `at` (epoch seconds). O(1), no I/O."""
        entry = self._pending.get((survey_id, contact_id))
        if entry is not None:
            entry[1] = at
            entry[2] += 1
        elif len(self._pending) < MAX_PENDING:
            self._pending[(survey_id, contact_id)] = [at, at, 1]
        else:
            self._dropped += 1

    async def flush(self) -> int:
        """Writes what accumulated; returns how many pairs. Never raises."""
        async with self._lock:
            pending, self._pending = self._pending, {}
            dropped, self._dropped = self._dropped, 0
            if dropped:
                logger.warning("issuance log full: %d link issuances not recorded", dropped)
            if not pending:
                return 0
            try:
                async with transaction(self.sessions, write=True) as session:
                    await self._write(session, pending)
            except SQLAlchemyError:
                logger.exception("could not record %d link issuances", len(pending))
                return 0
            return len(pending)

    @staticmethod
    async def _write(session: AsyncSession, pending: dict[tuple[str, str], list[float]]) -> None:
        surveys, contacts = await repository.existing_pairs(
            session, {s for s, _ in pending}, {c for _, c in pending}
        )
        now = datetime.now(UTC)
        rows = [
            {
                "survey_id": survey_id,
                "contact_id": contact_id,
                "invitation_count": 0,
                "reminder_count": 0,
                "link_issue_count": int(count),
                "link_first_issued_at": datetime.fromtimestamp(first, UTC),
                "link_last_issued_at": datetime.fromtimestamp(last, UTC),
                "created_at": now,
                "updated_at": now,
            }
            for (survey_id, contact_id), (first, last, count) in pending.items()
            if survey_id in surveys and contact_id in contacts
        ]
        await repository.record_issuance(session, rows)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Flushes every second for the duration of the block, and once more at its end."""
        stop = asyncio.Event()

        async def loop() -> None:
            while not stop.is_set():
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), INTERVAL_SECONDS)
                await self.flush()

        task = asyncio.create_task(loop(), name="issuance-log")
        try:
            yield
        finally:
            stop.set()
            await task
