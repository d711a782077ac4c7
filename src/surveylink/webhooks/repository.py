from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.core.pagination import DateColumns, ListParams
from surveylink.surveys.models import Survey
from surveylink.webhooks.models import Webhook, WebhookDelivery, WebhookEvent

DATE_COLUMNS: DateColumns = {"createdAt": Webhook.created_at, "updatedAt": Webhook.updated_at}


async def list_webhooks(
    session: AsyncSession, environment_ids: Sequence[str], params: ListParams
) -> tuple[list[Webhook], int]:
    """One page of the environments' webhooks and the count of all that match."""
    scope = Webhook.environment_id.in_(environment_ids)
    page = params.apply(select(Webhook).where(scope), DATE_COLUMNS).order_by(Webhook.id)
    count = params.window(select(func.count()).select_from(Webhook), DATE_COLUMNS).where(scope)
    rows = list((await session.scalars(page)).all())
    return rows, (await session.execute(count)).scalar_one()


async def list_all_webhooks(session: AsyncSession, environment_ids: Sequence[str]) -> list[Webhook]:
    statement = (
        select(Webhook)
        .where(Webhook.environment_id.in_(environment_ids))
        .order_by(Webhook.created_at, Webhook.id)
    )
    return list((await session.scalars(statement)).all())


async def get_webhook(session: AsyncSession, webhook_id: str) -> Webhook | None:
    return await session.get(Webhook, webhook_id)


async def add_webhook(session: AsyncSession, webhook: Webhook) -> None:
    session.add(webhook)
    await session.flush()


async def delete_webhook(session: AsyncSession, webhook: Webhook) -> None:
    """Deletes the webhook, its events and deliveries.

    Its events go first: a delivery worker recording an attempt locks the event, then the
    webhook (its delivery row's foreign key). Taking them in the same order waits for that
    worker; the webhook first would deadlock with it on PostgreSQL (a 500 for the DELETE)."""
    await session.execute(delete(WebhookEvent).where(WebhookEvent.webhook_id == webhook.id))
    await session.execute(delete(Webhook).where(Webhook.id == webhook.id))
    session.expunge(webhook)


async def get_survey_environments(
    session: AsyncSession, survey_ids: Sequence[str]
) -> dict[str, str]:
    """survey id → environment id, for the surveys that exist."""
    statement = select(Survey.id, Survey.environment_id).where(Survey.id.in_(survey_ids))
    return {row.id: row.environment_id for row in await session.execute(statement)}


async def get_active_webhooks(session: AsyncSession, environment_id: str) -> list[Webhook]:
    """Webhooks of an environment that may receive events (not disabled by a 410)."""
    statement = select(Webhook).where(
        Webhook.environment_id == environment_id, Webhook.disabled_at.is_(None)
    )
    return list((await session.scalars(statement)).all())


async def add_events(session: AsyncSession, events: Sequence[WebhookEvent]) -> None:
    session.add_all(events)
    await session.flush()


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        WebhookEvent.status == "pending",
        WebhookEvent.next_attempt_at <= now,
        or_(WebhookEvent.locked_until.is_(None), WebhookEvent.locked_until <= now),
    )


async def has_due_events(session: AsyncSession, now: datetime) -> bool:
    statement = select(WebhookEvent.id).where(_due(now)).limit(1)
    return (await session.scalar(statement)) is not None


async def claim_due_events(
    session: AsyncSession, now: datetime, limit: int, lease: timedelta
) -> list[WebhookEvent]:
    """Takes up to `limit` due events for one worker until `now + lease`, counting the attempt.

    Two workers never take the same row: PostgreSQL skips rows another claim has locked
    (`FOR UPDATE SKIP LOCKED`); SQLite runs this in a write transaction (`BEGIN IMMEDIATE`),
    so claims are serial and the guard in the UPDATE sees the previous claim's lease.
    """
    due = _due(now)
    candidates = select(WebhookEvent.id).where(due).order_by(WebhookEvent.next_attempt_at)
    candidates = candidates.limit(limit)
    if (await session.connection()).dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    statement = (
        update(WebhookEvent)
        .where(WebhookEvent.id.in_(candidates.scalar_subquery()), due)
        .values(locked_until=now + lease, attempts=WebhookEvent.attempts + 1)
        .returning(WebhookEvent)
        .execution_options(synchronize_session=False)
    )
    return list((await session.scalars(statement)).all())


async def get_webhooks(session: AsyncSession, webhook_ids: Sequence[str]) -> dict[str, Webhook]:
    statement = select(Webhook).where(Webhook.id.in_(webhook_ids))
    return {webhook.id: webhook for webhook in await session.scalars(statement)}


async def finish_attempt(
    session: AsyncSession,
    event_id: str,
    attempt: int,
    *,
    status: str,
    next_attempt_at: datetime | None,
    error: str | None,
) -> bool:
    """Records the outcome of an attempt unless another worker has claimed the event since
    (its lease ran out): the attempt count is the fencing token."""
    values: dict[str, object] = {"status": status, "locked_until": None, "last_error": error}
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    statement = (
        update(WebhookEvent)
        .where(WebhookEvent.id == event_id, WebhookEvent.attempts == attempt)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def add_delivery(session: AsyncSession, delivery: WebhookDelivery) -> None:
    session.add(delivery)


async def disable_webhook(session: AsyncSession, webhook_id: str, now: datetime) -> None:
    await session.execute(update(Webhook).where(Webhook.id == webhook_id).values(disabled_at=now))


async def list_deliveries(
    session: AsyncSession, webhook_id: str, limit: int, skip: int
) -> tuple[list[tuple[WebhookDelivery, str]], int]:
    """The webhook's latest attempts, newest first, each with its event's name."""
    statement = (
        select(WebhookDelivery, WebhookEvent.event)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.webhook_id == webhook_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.attempt.desc())
        .limit(limit)
        .offset(skip)
    )
    rows = [(delivery, event) for delivery, event in await session.execute(statement)]
    count = select(func.count()).where(WebhookDelivery.webhook_id == webhook_id)
    return rows, (await session.execute(count)).scalar_one()


async def get_delivery(session: AsyncSession, delivery_id: str) -> WebhookDelivery | None:
    return await session.get(WebhookDelivery, delivery_id)


async def get_event(session: AsyncSession, event_id: str) -> WebhookEvent | None:
    return await session.get(WebhookEvent, event_id)
