"""Deleting rows that only grow (delivered webhook events, sent mails, expired short links) once
they are older than their retention, in bounded batches.

Each batch is two short transactions: a read that picks at most `batch_size` keys (by an index),
then a write that deletes those keys whose row still qualifies (the row may have changed in
between, e.g. a delivery retried). On SQLite the write lock is held for one batch only, and an
idle round takes no write lock at all.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from surveylink.core.background import in_background
from surveylink.core.clock import utcnow
from surveylink.core.db import transaction

logger = logging.getLogger("surveylink.retention")

BATCH_SIZE = 1000
INTERVAL_SECONDS = 3600.0

# (session, cutoff, limit) -> keys of rows older than the cutoff, at most `limit`
Find = Callable[[AsyncSession, datetime, int], Awaitable[Sequence[object]]]
# (session, keys, cutoff) -> rows deleted, among those keys that still qualify
Delete = Callable[[AsyncSession, Sequence[object], datetime], Awaitable[int]]
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class PruneTarget:
    """What one domain deletes, and how it finds it (an indexed query of its repository)."""

    name: str
    find: Find
    delete: Delete
    count: Callable[[AsyncSession, datetime], Awaitable[int]]


@dataclass(frozen=True)
class Retention:
    """A target with its retention: rows older than `days` go; `days == 0` keeps them all."""

    target: PruneTarget
    days: float

    def cutoff(self, now: datetime) -> datetime:
        return now - timedelta(days=self.days)


async def count_prunable(
    sessions: async_sessionmaker[AsyncSession], retention: Retention, now: datetime
) -> int:
    async with transaction(sessions) as session:
        return await retention.target.count(session, retention.cutoff(now))


async def prune(
    sessions: async_sessionmaker[AsyncSession],
    retention: Retention,
    now: datetime,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
) -> list[int]:
    """Deletes what `retention` lets go, batch after batch; returns the rows each deleted."""
    batches: list[int] = []
    cutoff = retention.cutoff(now)
    target = retention.target
    while stop is None or not stop.is_set():
        async with transaction(sessions) as session:
            keys = await target.find(session, cutoff, batch_size)
        if not keys:
            break
        async with transaction(sessions, write=True) as session:
            deleted = await target.delete(session, keys, cutoff)
        batches.append(deleted)
        if progress is not None:
            progress(target.name, deleted)
        if len(keys) < batch_size:
            break
        await asyncio.sleep(0)  # other writers take their turn between batches
    return batches


class Pruner:
    """Runs every retention once an `interval`, as a background loop of `serve` or `worker`."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        retentions: Sequence[Retention],
        batch_size: int = BATCH_SIZE,
        interval_seconds: float = INTERVAL_SECONDS,
    ) -> None:
        self.sessions = sessions
        self.retentions = [retention for retention in retentions if retention.days > 0]
        self.batch_size = batch_size
        self.interval_seconds = interval_seconds

    def running(self) -> AbstractAsyncContextManager[None]:
        """Runs the pruner in the background for the duration of the block."""
        return in_background(self.run, "retention", 5.0)

    async def run(self, stop: asyncio.Event) -> None:
        """Prunes at once, then once an interval, until `stop` is set; never raises."""
        while not stop.is_set():
            await self.run_once(stop)
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_seconds)

    async def run_once(self, stop: asyncio.Event | None = None) -> dict[str, list[int]]:
        """One round over every retention: the rows each batch deleted, by target."""
        done: dict[str, list[int]] = {}
        for retention in self.retentions:
            name = retention.target.name
            try:
                done[name] = await prune(
                    self.sessions, retention, utcnow(), self.batch_size, stop=stop
                )
            except Exception:
                logger.exception("pruning %s failed", name)  # tried again next round
                continue
            if sum(done[name]):
                logger.info("pruned %d %s", sum(done[name]), name)
        return done
