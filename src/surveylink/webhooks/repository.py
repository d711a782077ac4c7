from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from surveylink.core.db import Base
from surveylink.core.ids import cuid
from surveylink.core.pagination import DateColumns, ListParams
from surveylink.surveys.models import Survey
from surveylink.webhooks.lanes import Attempt, Lane, LaneReport, QueuedEvent
from surveylink.webhooks.models import OPEN, DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent

DISABLED = "webhook disabled after the receiver answered 410 Gone"


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


# The delivery worker's statements use the tables directly: no ORM bookkeeping per statement.
WEBHOOKS, EVENTS, DELIVERIES = _table(Webhook), _table(WebhookEvent), _table(WebhookDelivery)
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
    """Deletes the webhook; the database cascades its events and deliveries."""
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


def _lane_ready(now: datetime) -> ColumnElement[bool]:
    return and_(
        WEBHOOKS.c.disabled_at.is_(None),
        or_(WEBHOOKS.c.lease_token.is_(None), WEBHOOKS.c.leased_until <= now),
        or_(WEBHOOKS.c.paused_until.is_(None), WEBHOOKS.c.paused_until <= now),
        exists().where(EVENTS.c.webhook_id == WEBHOOKS.c.id, EVENTS.c.status.in_(OPEN)),
    )


async def has_ready_lanes(session: AsyncSession, now: datetime) -> bool:
    """Whether a claim would find work: a read, so that idle polling takes no write lock."""
    return (
        await session.scalar(select(WEBHOOKS.c.id).where(_lane_ready(now)).limit(1))
    ) is not None


async def claim_lanes(
    session: AsyncSession,
    now: datetime,
    *,
    lanes: int,
    per_lane: int,
    lease: timedelta,
    token: str,
) -> list[Lane]:
    """Leases up to `lanes` webhooks that have events to send, least recently served first,
    and marks each one's first `per_lane` open events delivering.

    One worker holds a webhook at a time, so its events go out in order. PostgreSQL skips rows
    another claim has locked (`FOR NO KEY UPDATE SKIP LOCKED`, which lets response writes
    reference the webhook meanwhile); SQLite runs claims in a write transaction (`BEGIN
    IMMEDIATE`), one at a time, and the guard in the UPDATE sees the previous claim's lease.
    """
    ready = _lane_ready(now)
    candidates = (
        select(WEBHOOKS.c.id).where(ready).order_by(WEBHOOKS.c.leased_until.asc().nulls_first())
    )
    candidates = candidates.limit(lanes)
    if (await session.connection()).dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True, key_share=True)
    statement = (
        update(WEBHOOKS)
        .where(WEBHOOKS.c.id.in_(candidates.scalar_subquery()), ready)
        .values(lease_token=token, leased_until=now + lease, updated_at=WEBHOOKS.c.updated_at)
        .returning(WEBHOOKS.c.id, WEBHOOKS.c.url, WEBHOOKS.c.secret)
    )
    webhooks = (await session.execute(statement)).all()
    if not webhooks:
        return []
    ids = [webhook.id for webhook in webhooks]
    # Events left delivering belong to a holder whose lease ran out: they are first again.
    await session.execute(
        update(EVENTS)
        .where(EVENTS.c.webhook_id.in_(ids), EVENTS.c.status == DeliveryStatus.DELIVERING)
        .values(status=DeliveryStatus.PENDING)
    )
    heads = [
        select(EVENTS.c.id)
        .where(EVENTS.c.webhook_id == webhook_id, EVENTS.c.status == DeliveryStatus.PENDING)
        .order_by(EVENTS.c.seq)
        .limit(per_lane)
        .subquery()
        for webhook_id in ids
    ]
    taken = union_all(*(select(head.c.id) for head in heads))
    rows = await session.execute(
        update(EVENTS)
        .where(EVENTS.c.id.in_(taken))
        .values(status=DeliveryStatus.DELIVERING)
        .returning(
            EVENTS.c.webhook_id,
            EVENTS.c.id,
            EVENTS.c.seq,
            EVENTS.c.event,
            EVENTS.c.attempts,
            EVENTS.c.payload,
        )
    )
    queued: dict[str, list[QueuedEvent]] = {webhook_id: [] for webhook_id in ids}
    for row in rows:
        event = QueuedEvent(row.id, row.seq, row.event, row.attempts, row.payload)
        queued[row.webhook_id].append(event)
    return [
        Lane(webhook.id, webhook.url, webhook.secret, token, sorted(queued[webhook.id], key=_seq))
        for webhook in webhooks
    ]


def _seq(event: QueuedEvent) -> int:
    return event.seq


async def record_lanes(session: AsyncSession, reports: Sequence[LaneReport], now: datetime) -> int:
    """Records what workers did with their lanes, in a handful of statements for any number of
    attempts, and gives the lanes back. A report whose lease was lost (it ran out and another
    worker took the webhook, or the webhook was deleted) is dropped: that worker sends again.
    Returns how many attempts were recorded."""
    held = await _held_lanes(session, [report.lane for report in reports])
    reports = [
        report for report in reports if held.get(report.lane.webhook_id) == report.lane.token
    ]
    delivered: list[str] = []
    failed: list[dict[str, object]] = []
    released: list[str] = []
    gone: list[str] = []
    lanes: list[dict[str, object]] = []
    deliveries: list[dict[str, object]] = []
    for report in reports:
        attempts, failure = report.attempts, report.failure
        delivered += [attempt.event_id for attempt in attempts[: -1 if failure else None]]
        released += [event.id for event in report.lane.events[len(attempts) :]]
        paused_until = None
        if failure is not None:
            last = attempts[-1]
            status = DeliveryStatus.PENDING if failure.retry_at else DeliveryStatus.FAILED
            failed.append(
                {
                    "b_id": last.event_id,
                    "b_status": status,
                    "b_attempts": last.number,
                    "b_next": failure.retry_at or now,
                    "b_error": last.error,
                }
            )
            paused_until = failure.retry_at
            if failure.disable:
                gone.append(report.lane.webhook_id)
        lanes.append({"b_id": report.lane.webhook_id, "b_paused": paused_until})
        deliveries += [_delivery_row(report.lane.webhook_id, attempt) for attempt in attempts]
    await _set_delivered(session, delivered, now)
    await _set_failed(session, failed, now)
    await _set_status(session, released, DeliveryStatus.PENDING, now)
    await _disable(session, gone, now)
    await _release_lanes(session, lanes, now)
    if deliveries:
        await session.execute(insert(DELIVERIES), deliveries)
    return len(deliveries)


async def _held_lanes(session: AsyncSession, lanes: Sequence[Lane]) -> dict[str, str | None]:
    """webhook id → its lease token, locked until commit (PostgreSQL) so that no claim takes
    the lane while its attempts are recorded."""
    statement = (
        select(WEBHOOKS.c.id, WEBHOOKS.c.lease_token)
        .where(WEBHOOKS.c.id.in_([lane.webhook_id for lane in lanes]))
        .order_by(WEBHOOKS.c.id)
    )
    if (await session.connection()).dialect.name == "postgresql":
        statement = statement.with_for_update(key_share=True)
    return {row.id: row.lease_token for row in await session.execute(statement)}


def _delivery_row(webhook_id: str, attempt: Attempt) -> dict[str, object]:
    return {
        "id": cuid(),
        "event_id": attempt.event_id,
        "webhook_id": webhook_id,
        "attempt": attempt.number,
        "status_code": attempt.status_code,
        "duration_ms": attempt.duration_ms,
        "error": attempt.error,
        "created_at": attempt.at,
        "updated_at": attempt.at,
    }


async def _set_delivered(session: AsyncSession, event_ids: list[str], now: datetime) -> None:
    if event_ids:
        await session.execute(
            update(EVENTS)
            .where(EVENTS.c.id.in_(event_ids))
            .values(
                status=DeliveryStatus.DELIVERED,
                attempts=EVENTS.c.attempts + 1,
                last_error=None,
                updated_at=now,
            )
        )


async def _set_failed(session: AsyncSession, rows: list[dict[str, object]], now: datetime) -> None:
    if rows:
        await session.execute(
            update(EVENTS)
            .where(EVENTS.c.id == bindparam("b_id"))
            .values(
                status=bindparam("b_status"),
                attempts=bindparam("b_attempts"),
                next_attempt_at=bindparam("b_next"),
                last_error=bindparam("b_error"),
                updated_at=now,
            ),
            rows,
        )


async def _set_status(
    session: AsyncSession, event_ids: list[str], status: DeliveryStatus, now: datetime
) -> None:
    if event_ids:
        await session.execute(
            update(EVENTS).where(EVENTS.c.id.in_(event_ids)).values(status=status, updated_at=now)
        )


async def _disable(session: AsyncSession, webhook_ids: list[str], now: datetime) -> None:
    """The receiver answered 410 Gone: no more events are staged or sent, and those waiting
    fail, until the next update of the webhook."""
    if not webhook_ids:
        return
    await session.execute(
        update(WEBHOOKS)
        .where(WEBHOOKS.c.id.in_(webhook_ids))
        .values(disabled_at=now, updated_at=WEBHOOKS.c.updated_at)
    )
    await session.execute(
        update(EVENTS)
        .where(EVENTS.c.webhook_id.in_(webhook_ids), EVENTS.c.status.in_(OPEN))
        .values(status=DeliveryStatus.FAILED, last_error=DISABLED, updated_at=now)
    )


async def _release_lanes(
    session: AsyncSession, rows: list[dict[str, object]], now: datetime
) -> None:
    if rows:
        await session.execute(
            update(WEBHOOKS)
            .where(WEBHOOKS.c.id == bindparam("b_id"))
            .values(
                lease_token=None,
                leased_until=now,  # the order of service: least recently served first
                paused_until=bindparam("b_paused"),
                updated_at=WEBHOOKS.c.updated_at,
            ),
            rows,
        )


async def retry_event(
    session: AsyncSession, webhook: Webhook, event: WebhookEvent, now: datetime
) -> bool:
    """The event goes back to the front of its webhook's queue (it is the oldest), due now;
    False if it is gone (pruned since it was read)."""
    values = {"status": DeliveryStatus.PENDING, "next_attempt_at": now, "updated_at": now}
    result = await session.execute(
        update(EVENTS).where(EVENTS.c.id == event.id).values(**values).returning(EVENTS.c.id)
    )
    if result.first() is None:
        return False
    for name, value in values.items():
        set_committed_value(event, name, value)
    await session.execute(
        update(Webhook)
        .where(Webhook.id == webhook.id)
        .values(paused_until=None, updated_at=Webhook.updated_at)
        .execution_options(synchronize_session=False)
    )
    return True


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


async def list_sealed_secrets(
    session: AsyncSession, after_id: str, limit: int
) -> list[tuple[str, str]]:
    """(id, sealed secret) of webhooks with a secret, by id after `after_id`: keyset pages."""
    statement = (
        select(Webhook.id, Webhook.secret)
        .where(Webhook.id > after_id, Webhook.secret.is_not(None))
        .order_by(Webhook.id)
        .limit(limit)
    )
    return [(row.id, str(row.secret)) for row in await session.execute(statement)]


async def set_secrets(session: AsyncSession, sealed: dict[str, str]) -> None:
    """Stores sealed secrets by webhook id: one bulk UPDATE by primary key."""
    if sealed:
        rows = [{"id": webhook_id, "secret": secret} for webhook_id, secret in sealed.items()]
        await session.execute(update(Webhook), rows)


def _prunable(cutoff: datetime) -> ColumnElement[bool]:
    """Events done with (delivered, or failed for good) and untouched since `cutoff`: nothing
    sends them again unless a retry through the API puts them back in their queue."""
    done = (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)
    return and_(EVENTS.c.status.in_(done), EVENTS.c.updated_at < cutoff)


async def find_prunable_events(session: AsyncSession, cutoff: datetime, limit: int) -> list[str]:
    """Ids of up to `limit` prunable events, by the (status, updated_at) index."""
    statement = select(EVENTS.c.id).where(_prunable(cutoff)).limit(limit)
    return list((await session.scalars(statement)).all())


async def delete_events(
    session: AsyncSession, event_ids: Sequence[object], cutoff: datetime
) -> int:
    """Deletes those of the events that are still prunable; the database cascades their
    attempts (webhook_deliveries.event_id)."""
    statement = delete(EVENTS).where(EVENTS.c.id.in_(event_ids), _prunable(cutoff))
    result = await session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]


async def count_prunable_events(session: AsyncSession, cutoff: datetime) -> int:
    statement = select(func.count()).select_from(EVENTS).where(_prunable(cutoff))
    return int(await session.scalar(statement) or 0)
