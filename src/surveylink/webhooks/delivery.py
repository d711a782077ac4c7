"""The delivery worker: leases webhooks that have events to send (their lanes), sends each lane's
events in order, records the outcomes in batches and retries failures with backoff and jitter.

Lanes run side by side, up to `concurrency` at once, so a slow receiver holds one lane and
delays only its own webhook's events. Within a lane events go one at a time, oldest first; the
first failure stops the lane, and the webhook waits for that event's retry.

All of its state is in the database, so any number of workers (in `serve` processes or
`surveylink worker`) can run at once and a killed one loses nothing: a lane it held becomes
claimable again when its lease runs out, and its events are sent again, with the same
`webhook-id` (at least once).
"""

import asyncio
import logging
import secrets
import time
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from yarl import URL

from surveylink.core.background import in_background
from surveylink.core.clock import utcnow
from surveylink.core.config import Settings
from surveylink.core.db import transaction
from surveylink.webhooks import repository, signing
from surveylink.webhooks.lanes import Attempt, Failure, Lane, LaneReport
from surveylink.webhooks.secrets import SecretBox
from surveylink.webhooks.sender import Reply, Sender
from surveylink.webhooks.urls import UnsafeUrl, delivery_url

logger = logging.getLogger("surveylink.webhooks")

MAX_DELAY_SECONDS = 10 * 3600.0
_random = secrets.SystemRandom()


@dataclass(frozen=True)
class Policy:
    max_attempts: int = 10
    retry_base_seconds: float = 5.0
    timeout_seconds: float = 15.0  # one attempt, all of it
    allow_internal: bool = False
    batch_size: int = 250  # events a lane takes per claim
    concurrency: int = 32  # lanes in flight at once
    poll_seconds: float = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> "Policy":
        return cls(
            max_attempts=settings.webhook_max_attempts,
            retry_base_seconds=settings.webhook_retry_base_seconds,
            timeout_seconds=settings.webhook_timeout_seconds,
            allow_internal=settings.allow_internal_webhook_urls,
            concurrency=settings.webhook_concurrency,
        )

    @property
    def lease(self) -> timedelta:
        """How long a lane's claim holds: a lane starts no attempt after `timeout_seconds`,
        so it is done within twice that; the rest is room to record."""
        return timedelta(seconds=2 * self.timeout_seconds + 10)


def backoff_seconds(attempt: int, base: float) -> float:
    """Delay after failed attempt `attempt` (1-based): base * 3^(attempt-1), capped at 10 h,
    +-25 % jitter so that receivers coming back are not hit by every retry at once."""
    delay = min(base * 3.0 ** (attempt - 1), MAX_DELAY_SECONDS)
    jitter: float = _random.uniform(0.75, 1.25)
    return delay * jitter


class DeliveryWorker:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], box: SecretBox, policy: Policy
    ) -> None:
        self.sessions = sessions
        self.box = box
        self.policy = policy

    def running(self) -> AbstractAsyncContextManager[None]:
        """Runs the worker in the background for the duration of the block."""
        return in_background(self.run, "webhook-delivery", self.policy.timeout_seconds + 5)

    async def run(self, stop: asyncio.Event) -> None:
        """Delivers until `stop` is set, then lets the lanes finish their attempt in flight and
        records them; never raises (errors are logged and retried)."""
        policy = self.policy
        sender = Sender(policy.timeout_seconds, policy.allow_internal, policy.concurrency)
        lanes: set[asyncio.Task[LaneReport]] = set()
        reports: list[LaneReport] = []
        stopped = asyncio.ensure_future(stop.wait())
        try:
            async with sender:
                while True:
                    free = 0 if stop.is_set() else policy.concurrency - len(lanes)
                    try:
                        claimed = await self._settle(reports, free)
                        reports = []
                    except Exception:
                        logger.exception("webhook delivery round failed")
                        claimed = []
                    for lane in claimed:
                        lanes.add(asyncio.create_task(self._deliver(sender, lane, stop)))
                    if stop.is_set() and not lanes:
                        if not reports:
                            return
                        await asyncio.sleep(policy.poll_seconds)  # the database is back soon
                        continue
                    await asyncio.wait(
                        {*lanes, stopped},
                        timeout=policy.poll_seconds,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                    for task in [task for task in lanes if task.done()]:
                        lanes.discard(task)
                        if task.exception() is None:
                            reports.append(task.result())
                        else:  # its lease runs out and the lane is sent again
                            logger.error("webhook lane failed", exc_info=task.exception())
        finally:
            stopped.cancel()
            for task in lanes:
                task.cancel()
            await asyncio.gather(*lanes, return_exceptions=True)

    async def _settle(self, reports: Sequence[LaneReport], free: int) -> list[Lane]:
        """Records finished lanes and claims up to `free` more, in one write transaction."""
        if not reports:
            if free <= 0:
                return []
            async with transaction(self.sessions) as session:
                if not await repository.has_ready_lanes(session, utcnow()):
                    return []
        async with transaction(self.sessions, write=True) as session:
            now = utcnow()  # once the write lock is ours: a wait for it does not eat the lease
            if reports:
                await repository.record_lanes(session, reports, now)
            if free <= 0:
                return []
            return await repository.claim_lanes(
                session,
                now,
                lanes=free,
                per_lane=self.policy.batch_size,
                lease=self.policy.lease,
                token=secrets.token_hex(8),
            )

    async def _deliver(self, sender: Sender, lane: Lane, stop: asyncio.Event) -> LaneReport:
        """Sends the lane's events in order until one fails, the worker stops, or the lane has
        run for `timeout_seconds` (so that it ends well within its lease)."""
        started = time.monotonic()
        secret = self.box.open(lane.webhook_id, lane.secret)  # once per lane
        target = self._target(lane.url)
        attempts: list[Attempt] = []
        for event in lane.events:
            if stop.is_set() or time.monotonic() - started > self.policy.timeout_seconds:
                break
            begun = time.monotonic()
            if isinstance(target, Reply):
                reply = target  # counted as a failed attempt and retried: DNS may recover
            else:
                headers = signing.headers(secret, event.id, int(time.time()), event.payload)
                reply = await sender.post(target, event.payload.encode(), headers)
            duration_ms = round((time.monotonic() - begun) * 1000)
            number = event.attempts + 1
            attempts.append(
                Attempt(event.id, number, reply.status_code, duration_ms, reply.error, utcnow())
            )
            if not reply.delivered:
                return LaneReport(lane, attempts, self._failure(lane, number, reply))
        return LaneReport(lane, attempts, None)

    def _target(self, url: str) -> URL | Reply:
        """Where to send, or the refusal that stands for the attempt."""
        try:
            return delivery_url(url, self.policy.allow_internal)
        except UnsafeUrl as unsafe:
            return Reply(None, unsafe.message)

    def _failure(self, lane: Lane, number: int, reply: Reply) -> Failure:
        if reply.status_code == 410:
            logger.warning("webhook %s disabled: its receiver answered 410", lane.webhook_id)
            return Failure(retry_at=None, disable=True)
        if number >= self.policy.max_attempts:
            return Failure(retry_at=None)
        delay = backoff_seconds(number, self.policy.retry_base_seconds)
        return Failure(retry_at=utcnow() + timedelta(seconds=delay))
