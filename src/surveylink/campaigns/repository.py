from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    exists,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.attribute_keys.models import ContactAttributeKey
from surveylink.campaigns.models import ContactLinkState as State
from surveylink.contacts.models import Contact, ContactAttribute
from surveylink.core.pagination import MAX_OFFSET
from surveylink.mail.models import INVITATION, MailMessage
from surveylink.responses.models import Display, Response
from surveylink.segments.models import Segment
from surveylink.surveys.models import Survey


def _upsert(session: AsyncSession) -> type[postgresql.Insert] | type[sqlite.Insert]:
    """The dialect's own `INSERT`, the one that knows `ON CONFLICT`."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.Insert
    return sqlite.Insert


def _table() -> Table:
    table = State.__table__
    assert isinstance(table, Table)
    return table


async def get_segment(session: AsyncSession, segment_id: str) -> Segment | None:
    return await session.get(Segment, segment_id)


async def get_contact_environment(session: AsyncSession, contact_id: str) -> str | None:
    statement = select(Contact.environment_id).where(Contact.id == contact_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def get_email_key_id(session: AsyncSession, environment_id: str) -> str | None:
    statement = select(ContactAttributeKey.id).where(
        ContactAttributeKey.environment_id == environment_id, ContactAttributeKey.key == "email"
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def count_contacts(
    session: AsyncSession, environment_id: str, scope: ColumnElement[bool]
) -> int:
    statement = (
        select(func.count())
        .select_from(Contact)
        .where(Contact.environment_id == environment_id, scope)
    )
    return int(await session.scalar(statement) or 0)


def contacts_among(contact_ids: Collection[str]) -> ColumnElement[bool]:
    return Contact.id.in_(sorted(set(contact_ids)))


def every_contact() -> ColumnElement[bool]:
    return true()


def no_contacts() -> Select[Any]:
    """Targets when the environment has no `email` key: nobody can be mailed."""
    return select(Contact.id).where(false())


def _has_email(email_key_id: str) -> ColumnElement[bool]:
    return exists().where(
        ContactAttribute.contact_id == Contact.id,
        ContactAttribute.attribute_key_id == email_key_id,
        ContactAttribute.value != "",
    )


def _finished(survey_id: str) -> ColumnElement[bool]:
    return exists().where(
        Response.survey_id == survey_id,
        Response.contact_id == Contact.id,
        Response.finished.is_(True),
    )


def invitation_targets(
    survey_id: str,
    environment_id: str,
    email_key_id: str,
    scope: ColumnElement[bool],
    resend: bool,
) -> Select[Any]:
    """Contacts to invite: in scope, with an email, not finished, not invited yet (unless
    `resend`). A SELECT of ids, for the outbox's INSERT … SELECT."""
    conditions = [
        Contact.environment_id == environment_id,
        scope,
        _has_email(email_key_id),
        ~_finished(survey_id),
    ]
    if not resend:
        # Invited: an invitation pending in the outbox, or one sent (counted on the contact's
        # state in the transaction that recorded it; the sent mail itself may have been pruned).
        conditions += [
            ~exists().where(
                MailMessage.survey_id == survey_id,
                MailMessage.contact_id == Contact.id,
                MailMessage.kind == INVITATION,
                MailMessage.status == "pending",
            ),
            ~exists().where(
                State.survey_id == survey_id,
                State.contact_id == Contact.id,
                State.invitation_count > 0,
            ),
        ]
    return select(Contact.id).where(*conditions)


def reminder_targets(
    survey_id: str,
    environment_id: str,
    email_key_id: str,
    scope: ColumnElement[bool],
    cutoff: datetime,
    max_reminders: int,
) -> Select[Any]:
    """Invited contacts who have not finished, last mailed at or before `cutoff`, reminded
    fewer than `max_reminders` times, with no mail pending."""
    pending = exists().where(
        MailMessage.survey_id == survey_id,
        MailMessage.contact_id == Contact.id,
        MailMessage.status == "pending",
    )
    return (
        select(Contact.id)
        .join(State, and_(State.survey_id == survey_id, State.contact_id == Contact.id))
        .where(
            Contact.environment_id == environment_id,
            scope,
            State.invitation_count > 0,
            State.reminder_count < max_reminders,
            State.last_mailed_at <= cutoff,
            _has_email(email_key_id),
            ~_finished(survey_id),
            ~pending,
        )
    )


async def mark_queued(session: AsyncSession, campaign_id: str, kind: str, now: datetime) -> None:
    """`<kind>Status = queued` for every contact the campaign staged, in one statement."""
    column = f"{kind}_status"
    table = _table()
    insert = _upsert(session)(table).from_select(
        [
            "survey_id",
            "contact_id",
            column,
            "invitation_count",
            "reminder_count",
            "link_issue_count",
            "created_at",
            "updated_at",
        ],
        select(
            MailMessage.survey_id,
            MailMessage.contact_id,
            literal("queued"),
            literal(0),
            literal(0),
            literal(0),
            literal(now, State.created_at.type),
            literal(now, State.updated_at.type),
        ).where(MailMessage.campaign_id == campaign_id),
    )
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.survey_id, table.c.contact_id],
        set_={column: "queued", "updated_at": insert.excluded.updated_at},
    )
    await session.execute(statement)


async def record_mail(
    session: AsyncSession,
    survey_id: str,
    contact_id: str,
    kind: str,
    status: str,
    error: str | None,
    now: datetime,
) -> None:
    """A mail's outcome on the contact's state: `sent` also counts the link it carried."""
    values: dict[str, Any] = {f"{kind}_status": status, "updated_at": now}
    if status == "sent":
        values.update(
            last_mailed_at=now,
            last_mail_error=None,
            link_issue_count=State.link_issue_count + 1,
            link_first_issued_at=func.coalesce(State.link_first_issued_at, now),
            link_last_issued_at=now,
        )
        if kind == INVITATION:
            values.update(
                invitation_count=State.invitation_count + 1,
                first_invited_at=func.coalesce(State.first_invited_at, now),
                last_invited_at=now,
            )
        else:
            values.update(reminder_count=State.reminder_count + 1, last_reminded_at=now)
    else:
        values["last_mail_error"] = error
    statement = (
        update(State)
        .where(State.survey_id == survey_id, State.contact_id == contact_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    await session.execute(statement)


async def existing_pairs(
    session: AsyncSession, survey_ids: Collection[str], contact_ids: Collection[str]
) -> tuple[set[str], set[str]]:
    """Which of these surveys and contacts still exist (two indexed lookups)."""
    surveys = await session.scalars(select(Survey.id).where(Survey.id.in_(list(survey_ids))))
    contacts = await session.scalars(select(Contact.id).where(Contact.id.in_(list(contact_ids))))
    return set(surveys), set(contacts)


async def record_issuance(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Adds issued links to the states: `rows` of survey_id, contact_id, link_issue_count,
    link_first_issued_at, link_last_issued_at (plus created/updated)."""
    table = _table()
    for start in range(0, len(rows), _BATCH):
        insert = _upsert(session)(table).values(list(rows[start : start + _BATCH]))
        statement = insert.on_conflict_do_update(
            index_elements=[table.c.survey_id, table.c.contact_id],
            set_={
                "link_issue_count": table.c.link_issue_count + insert.excluded.link_issue_count,
                "link_first_issued_at": func.coalesce(
                    table.c.link_first_issued_at, insert.excluded.link_first_issued_at
                ),
                "link_last_issued_at": insert.excluded.link_last_issued_at,
                "updated_at": insert.excluded.updated_at,
            },
        )
        await session.execute(statement)


# 10 columns a row: 2,000 rows stay under SQLite's and asyncpg's 32,767 parameters.
_BATCH = 2000


async def revoke(session: AsyncSession, survey_id: str, contact_id: str, at: datetime) -> None:
    table = _table()
    insert = _upsert(session)(table).values(
        survey_id=survey_id,
        contact_id=contact_id,
        invitation_count=0,
        reminder_count=0,
        link_issue_count=0,
        revoked_at=at,
        created_at=at,
        updated_at=at,
    )
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.survey_id, table.c.contact_id],
        set_={"revoked_at": insert.excluded.revoked_at, "updated_at": insert.excluded.updated_at},
    )
    await session.execute(statement)


async def get_revoked_at(session: AsyncSession, survey_id: str, contact_id: str) -> datetime | None:
    statement = select(State.revoked_at).where(
        State.survey_id == survey_id, State.contact_id == contact_id
    )
    return (await session.execute(statement)).scalar_one_or_none()


def _state_condition(state: str, survey_id: str) -> ColumnElement[bool]:
    opened = exists().where(Display.survey_id == survey_id, Display.contact_id == Contact.id)
    conditions: dict[str, ColumnElement[bool]] = {
        "notInvited": and_(
            func.coalesce(State.invitation_count, 0) == 0,
            func.coalesce(State.invitation_status, "") != "queued",
        ),
        "queued": State.invitation_status == "queued",
        "invited": State.invitation_count > 0,
        "mailFailed": or_(State.invitation_status == "failed", State.reminder_status == "failed"),
        "reminded": State.reminder_count > 0,
        "opened": opened,
        "notOpened": ~opened,
        "started": Response.id.is_not(None),
        "inProgress": and_(Response.id.is_not(None), Response.finished.is_(False)),
        "finished": Response.finished.is_(True),
        "notFinished": or_(Response.id.is_(None), Response.finished.is_(False)),
        "revoked": State.revoked_at.is_not(None),
    }
    return conditions[state]


async def status_page(
    session: AsyncSession,
    survey_id: str,
    environment_id: str,
    scope: ColumnElement[bool],
    state: str | None,
    email_key_id: str | None,
    limit: int,
    skip: int,
) -> list[Any]:
    """One page of contacts with everything their status needs, and the count of all that
    match (a window function): one query. The page is chosen first, so the per-contact
    lookups (email, opens) run for its rows only."""
    chosen = (
        select(Contact.id, Contact.created_at, func.count().over().label("total"))
        .outerjoin(State, and_(State.survey_id == survey_id, State.contact_id == Contact.id))
        .outerjoin(
            Response, and_(Response.survey_id == survey_id, Response.contact_id == Contact.id)
        )
        .where(Contact.environment_id == environment_id, scope)
        .order_by(Contact.created_at.desc(), Contact.id.desc())
        .limit(limit)
        .offset(min(skip, MAX_OFFSET))
    )
    if state is not None:
        chosen = chosen.where(_state_condition(state, survey_id))
    page = chosen.subquery()
    opened = and_(Display.survey_id == survey_id, Display.contact_id == page.c.id)
    opens = select(func.count(Display.id)).where(opened).scalar_subquery()
    first_open = select(func.min(Display.created_at)).where(opened).scalar_subquery()
    email: Any = null()
    if email_key_id is not None:
        email = (
            select(ContactAttribute.value)
            .where(
                ContactAttribute.contact_id == page.c.id,
                ContactAttribute.attribute_key_id == email_key_id,
            )
            .scalar_subquery()
        )
    statement = (
        select(
            page.c.id.label("contact_id"),
            email.label("email"),
            State,
            Response.id.label("response_id"),
            Response.created_at.label("started_at"),
            Response.updated_at.label("response_updated_at"),
            Response.finished.label("finished"),
            opens.label("open_count"),
            first_open.label("first_opened_at"),
            page.c.total,
        )
        .select_from(page)
        .outerjoin(State, and_(State.survey_id == survey_id, State.contact_id == page.c.id))
        .outerjoin(
            Response, and_(Response.survey_id == survey_id, Response.contact_id == page.c.id)
        )
        .order_by(page.c.created_at.desc(), page.c.id.desc())
    )
    return list((await session.execute(statement)).all())


async def count_status(
    session: AsyncSession,
    survey_id: str,
    environment_id: str,
    scope: ColumnElement[bool],
    state: str | None,
) -> int:
    """What `status_page` counts, for a page past the end (which has no row to carry it)."""
    statement = (
        select(func.count())
        .select_from(Contact)
        .outerjoin(State, and_(State.survey_id == survey_id, State.contact_id == Contact.id))
        .outerjoin(
            Response, and_(Response.survey_id == survey_id, Response.contact_id == Contact.id)
        )
        .where(Contact.environment_id == environment_id, scope)
    )
    if state is not None:
        statement = statement.where(_state_condition(state, survey_id))
    return int(await session.scalar(statement) or 0)
