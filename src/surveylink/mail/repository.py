from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
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


# A mail is done with once sent, failed for good or skipped: no worker touches it again, and the
# campaign state of its contact (contact_link_states) holds everything read about it later.
DONE = ("sent", "failed", "skipped")


def _prunable_message(cutoff: datetime) -> ColumnElement[bool]:
    return and_(MailMessage.status.in_(DONE), MailMessage.updated_at < cutoff)


async def find_prunable_messages(session: AsyncSession, cutoff: datetime, limit: int) -> list[int]:
    """Ids of up to `limit` mails done with before `cutoff`, by the (status, updated_at) index."""
    statement = select(MailMessage.id).where(_prunable_message(cutoff)).limit(limit)
    return list((await session.scalars(statement)).all())


async def delete_messages(session: AsyncSession, ids: Sequence[object], cutoff: datetime) -> int:
    statement = (
        delete(MailMessage)
        .where(MailMessage.id.in_(ids), _prunable_message(cutoff))
        .execution_options(synchronize_session=False)
    )
    return int((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]


async def count_prunable_messages(session: AsyncSession, cutoff: datetime) -> int:
    statement = select(func.count()).select_from(MailMessage).where(_prunable_message(cutoff))
    return int(await session.scalar(statement) or 0)


def _prunable_campaign(cutoff: datetime) -> ColumnElement[bool]:
    """A campaign older than `cutoff` none of whose mails is left: only mails read it."""
    return and_(
        MailCampaign.created_at < cutoff,
        ~exists().where(MailMessage.campaign_id == MailCampaign.id),
    )


async def find_prunable_campaigns(session: AsyncSession, cutoff: datetime, limit: int) -> list[str]:
    statement = select(MailCampaign.id).where(_prunable_campaign(cutoff)).limit(limit)
    return list((await session.scalars(statement)).all())


async def delete_campaigns(session: AsyncSession, ids: Sequence[object], cutoff: datetime) -> int:
    statement = (
        delete(MailCampaign)
        .where(MailCampaign.id.in_(ids), _prunable_campaign(cutoff))
        .execution_options(synchronize_session=False)
    )
    return int((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]


async def count_prunable_campaigns(session: AsyncSession, cutoff: datetime) -> int:
    statement = select(func.count()).select_from(MailCampaign).where(_prunable_campaign(cutoff))
    return int(await session.scalar(statement) or 0)
