"""The delivery worker: claims due outbox events, signs and POSTs them, records every attempt,
and retries failures with exponential backoff and jitter.

All of its state is in the database, so any number of workers (in `serve` processes or
`surveylink worker`) can run at once and a killed one loses nothing: an event it had claimed
becomes due again when its lease runs out, with the same `webhook-id`.
"""

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from surveylink.core.clock import utcnow
from surveylink.core.config import Settings
from surveylink.core.db import transaction
from surveylink.core.ids import cuid
from surveylink.webhooks import repository, signing
from surveylink.webhooks.models import Webhook, WebhookDelivery, WebhookEvent
from surveylink.webhooks.secrets import SecretBox
from surveylink.webhooks.urls import UnsafeUrl, check_url

logger = logging.getLogger("surveylink.webhooks")

MAX_DELAY_SECONDS = 10 * 3600.0
_random = secrets.SystemRandom()


@dataclass(frozen=True)
class Policy:
    max_attempts: int = 10
    retry_base_seconds: float = 5.0
    timeout_seconds: float = 15.0
    allow_internal: bool = False
    batch_size: int = 100
    concurrency: int = 32
    poll_seconds: float = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> "Policy":
        return cls(
            max_attempts=settings.webhook_max_attempts,
            retry_base_seconds=settings.webhook_retry_base_seconds,
            timeout_seconds=settings.webhook_timeout_seconds,
            allow_internal=settings.allow_internal_webhook_urls,
        )

    @property
    def lease(self) -> timedelta:
        """How long a claim holds: longer than any attempt (DNS check + request) can take."""
        return timedelta(seconds=2 * self.timeout_seconds + 10)


def backoff_seconds(attempt: int, base: float) -> float:
    """Delay after failed attempt `attempt` (1-based): base * 3^(attempt-1), capped at 10 h,
    +-25 % jitter so that receivers coming back are not hit by every retry at once."""
    delay = min(base * 3.0 ** (attempt - 1), MAX_DELAY_SECONDS)
    jitter: float = _random.uniform(0.75, 1.25)
    return delay * jitter


@dataclass(frozen=True)
class Attempt:
    event_id: str
    webhook_id: str
    attempt: int
    status_code: int | None
    duration_ms: int
    error: str | None
    final: bool = False  # no point in retrying (the webhook was disabled)

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410


class DeliveryWorker:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], box: SecretBox, policy: Policy
    ) -> None:
        self.sessions = sessions
        self.box = box
        self.policy = policy
        self._http: httpx.AsyncClient | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Runs the worker in the background for the duration of the block."""
        stop = asyncio.Event()
        task = asyncio.create_task(self.run(stop), name="webhook-delivery")
        try:
            yield
        finally:
            stop.set()
            try:
                await asyncio.wait_for(task, self.policy.timeout_seconds + 5)
            except TimeoutError:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    async def run(self, stop: asyncio.Event) -> None:
        """Delivers until `stop` is set; never raises (errors are logged and retried)."""
        limits = httpx.Limits(max_connections=self.policy.concurrency)
        async with httpx.AsyncClient(
            timeout=self.policy.timeout_seconds,
            follow_redirects=False,
            trust_env=False,
            limits=limits,
        ) as http:
            self._http = http
            while not stop.is_set():
                try:
                    claimed = await self.run_once()
                except Exception:
                    logger.exception("webhook delivery round failed")
                    claimed = 0
                if claimed < self.policy.batch_size:
                    with suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self.policy.poll_seconds)
            self._http = None

    async def run_once(self) -> int:
        """Claims one batch of due events, attempts each, records the outcomes."""
        now = utcnow()
        async with transaction(self.sessions) as session:
            if not await repository.has_due_events(session, now):
                return 0
        async with transaction(self.sessions, write=True) as session:
            events = await repository.claim_due_events(
                session, now, self.policy.batch_size, self.policy.lease
            )
            webhooks = await repository.get_webhooks(
                session, list({event.webhook_id for event in events})
            )
        if not events:
            return 0
        gate = asyncio.Semaphore(self.policy.concurrency)

        async def attempt(event: WebhookEvent) -> Attempt | None:
            async with gate:
                return await self._attempt(event, webhooks.get(event.webhook_id))

        results = await asyncio.gather(*(attempt(event) for event in events))
        await self._record([result for result in results if result is not None])
        return len(events)

    async def _attempt(self, event: WebhookEvent, webhook: Webhook | None) -> Attempt | None:
        if webhook is None:
            return None  # deleted since: its events went with it
        started = time.monotonic()
        status_code: int | None = None
        error: str | None = None
        if webhook.disabled_at is not None:
            error = "webhook disabled after the receiver answered 410 Gone"
            return Attempt(event.id, webhook.id, event.attempts, None, 0, error, final=True)
        try:
            await check_url(webhook.url, self.policy.allow_internal)
            secret = self.box.open(webhook.id, webhook.secret)
            headers = signing.headers(secret, event.id, int(time.time()), event.payload)
            assert self._http is not None
            reply = await self._http.post(
                webhook.url, content=event.payload.encode(), headers=headers
            )
            status_code = reply.status_code
            if not 200 <= status_code < 300:
                error = f"receiver answered {status_code}"
        except UnsafeUrl as unsafe:
            error = unsafe.message
        except httpx.TimeoutException:
            error = f"timed out after {self.policy.timeout_seconds:g} s"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"[:500]
        duration_ms = round((time.monotonic() - started) * 1000)
        return Attempt(event.id, webhook.id, event.attempts, status_code, duration_ms, error)

    async def _record(self, attempts: Sequence[Attempt]) -> None:
        if not attempts:
            return
        now = utcnow()
        async with transaction(self.sessions, write=True) as session:
            for attempt in attempts:
                await self._record_one(session, attempt, now)

    async def _record_one(self, session: AsyncSession, attempt: Attempt, now: datetime) -> None:
        next_attempt_at = None
        if attempt.delivered:
            status = "delivered"
        elif attempt.gone or attempt.final or attempt.attempt >= self.policy.max_attempts:
            status = "failed"
        else:
            status = "pending"
            delay = backoff_seconds(attempt.attempt, self.policy.retry_base_seconds)
            next_attempt_at = now + timedelta(seconds=delay)
        recorded = await repository.finish_attempt(
            session,
            attempt.event_id,
            attempt.attempt,
            status=status,
            next_attempt_at=next_attempt_at,
            error=attempt.error,
        )
        if not recorded and await repository.get_event(session, attempt.event_id) is None:
            return  # the webhook was deleted while we were sending
        await repository.add_delivery(
            session,
            WebhookDelivery(
                id=cuid(),
                event_id=attempt.event_id,
                webhook_id=attempt.webhook_id,
                attempt=attempt.attempt,
                status_code=attempt.status_code,
                duration_ms=attempt.duration_ms,
                error=attempt.error,
                created_at=now,
                updated_at=now,
            ),
        )
        if attempt.gone:
            await repository.disable_webhook(session, attempt.webhook_id, now)
            logger.warning("webhook %s disabled: its receiver answered 410", attempt.webhook_id)
