from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.attribute_keys.models import ContactAttributeKey
from surveylink.contacts.models import ContactAttribute
from surveylink.mail.models import MailCampaign, MailMessage
from surveylink.responses.models import Response
from surveylink.surveys.models import Survey


async def add_campaign(session: AsyncSession, campaign: MailCampaign) -> None:
    session.add(campaign)
    await session.flush()


async def stage_messages(
    session: AsyncSession, campaign: MailCampaign, contact_ids: Select[Any], now: datetime
) -> int:
    """One pending message per contact `contact_ids` selects, in one INSERT … SELECT."""
    rows = contact_ids.add_columns(
        literal(campaign.id),
        literal(campaign.survey_id),
        literal(campaign.kind),
        literal("pending"),
        literal(0),
        literal(now, MailMessage.next_attempt_at.type),
        literal(now, MailMessage.created_at.type),
        literal(now, MailMessage.updated_at.type),
    )
    table = MailMessage.__table__
    assert isinstance(table, Table)
    statement = _insert(session)(table).from_select(
        [
            MailMessage.contact_id,
            MailMessage.campaign_id,
            MailMessage.survey_id,
            MailMessage.kind,
            MailMessage.status,
            MailMessage.attempts,
            MailMessage.next_attempt_at,
            MailMessage.created_at,
            MailMessage.updated_at,
        ],
        rows,
    )
    # A contact with a mail of this kind already pending is skipped (uq_mail_messages_pending).
    result = await session.execute(statement.on_conflict_do_nothing())
    return int(result.rowcount)  # type: ignore[attr-defined]


def _insert(session: AsyncSession) -> type[postgresql.Insert] | type[sqlite.Insert]:
    """The dialect's own `INSERT`, the one that knows `ON CONFLICT`."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.Insert
    return sqlite.Insert


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        MailMessage.status == "pending",
        MailMessage.next_attempt_at <= now,
        or_(MailMessage.locked_until.is_(None), MailMessage.locked_until <= now),
    )


async def has_due_messages(session: AsyncSession, now: datetime) -> bool:
    statement = select(MailMessage.id).where(_due(now)).limit(1)
    return (await session.scalar(statement)) is not None


async def claim_due_messages(
    session: AsyncSession, now: datetime, limit: int, lease: timedelta
) -> list[MailMessage]:
    """Takes up to `limit` due messages until `now + lease`, counting the attempt.

    As webhooks/repository.py's claim: `FOR UPDATE SKIP LOCKED` on PostgreSQL, a guarded
    UPDATE in a write transaction (`BEGIN IMMEDIATE`) on SQLite.
    """
    due = _due(now)
    candidates = select(MailMessage.id).where(due).order_by(MailMessage.next_attempt_at)
    candidates = candidates.limit(limit)
    if (await session.connection()).dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    statement = (
        update(MailMessage)
        .where(MailMessage.id.in_(candidates.scalar_subquery()), due)
        .values(locked_until=now + lease, attempts=MailMessage.attempts + 1, updated_at=now)
        .returning(MailMessage)
        .execution_options(synchronize_session=False)
    )
    return list((await session.scalars(statement)).all())


async def finish_message(
    session: AsyncSession,
    message_id: int,
    attempt: int,
    *,
    status: str,
    next_attempt_at: datetime | None,
    error: str | None,
    now: datetime,
) -> bool:
    """Records an attempt's outcome unless another worker has claimed the message since (its
    lease ran out): the attempt count is the fencing token."""
    values: dict[str, object] = {
        "status": status,
        "locked_until": None,
        "last_error": error,
        "updated_at": now,
    }
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    if status == "sent":
        values["sent_at"] = now
    statement = (
        update(MailMessage)
        .where(MailMessage.id == message_id, MailMessage.attempts == attempt)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def get_campaigns(
    session: AsyncSession, campaign_ids: Collection[str]
) -> dict[str, MailCampaign]:
    statement = select(MailCampaign).where(MailCampaign.id.in_(list(campaign_ids)))
    return {campaign.id: campaign for campaign in await session.scalars(statement)}


@dataclass(frozen=True)
class SurveyFacts:
    name: str
    type: str
    status: str
    single_use: dict[str, Any] | None


async def get_surveys(session: AsyncSession, survey_ids: Collection[str]) -> dict[str, SurveyFacts]:
    statement = select(
        Survey.id, Survey.name, Survey.type, Survey.status, Survey.document["singleUse"]
    ).where(Survey.id.in_(list(survey_ids)))
    rows = await session.execute(statement)
    return {row[0]: SurveyFacts(row[1], row[2], row[3], row[4]) for row in rows}


async def get_attributes(
    session: AsyncSession, contact_ids: Collection[str]
) -> dict[str, dict[str, str]]:
    """Every attribute of these contacts, by key, in one query."""
    statement = (
        select(ContactAttribute.contact_id, ContactAttributeKey.key, ContactAttribute.value)
        .join(ContactAttributeKey, ContactAttributeKey.id == ContactAttribute.attribute_key_id)
        .where(ContactAttribute.contact_id.in_(list(contact_ids)))
    )
    grouped: dict[str, dict[str, str]] = {}
    for contact_id, key, value in await session.execute(statement):
        grouped.setdefault(contact_id, {})[key] = value
    return grouped


async def get_finished(
    session: AsyncSession, pairs: Sequence[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Which (survey, contact) pairs have a finished response."""
    if not pairs:
        return set()
    contact_ids = list({contact for _, contact in pairs})
    statement = select(Response.survey_id, Response.contact_id).where(
        Response.contact_id.in_(contact_ids), Response.finished.is_(True)
    )
    wanted = set(pairs)
    found = {(str(row[0]), str(row[1])) for row in await session.execute(statement)}
    return found & wanted
