from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, and_, cast, delete, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from surveylink.attribute_keys.models import ContactAttributeKey
from surveylink.contacts.models import Contact, ContactAttribute
from surveylink.core.pagination import ListParams
from surveylink.segments.models import Segment
from surveylink.surveys.models import Survey


@dataclass(frozen=True)
class LinkSurvey:
    environment_id: str
    type: str
    status: str
    single_use: dict[str, Any] | None


async def get_link_survey(session: AsyncSession, survey_id: str) -> LinkSurvey | None:
    statement = select(
        Survey.environment_id, Survey.type, Survey.status, Survey.document["singleUse"]
    ).where(Survey.id == survey_id)
    row = (await session.execute(statement)).first()
    return None if row is None else LinkSurvey(row[0], row[1], row[2], row[3])


async def get_segment(session: AsyncSession, segment_id: str) -> Segment | None:
    return await session.get(Segment, segment_id)


async def get_segment_filters(
    session: AsyncSession, segment_ids: Collection[str]
) -> dict[str, Any]:
    """The stored filters of these segments, in one query."""
    statement = select(Segment.id, Segment.filters).where(Segment.id.in_(list(segment_ids)))
    return {row.id: row.filters for row in await session.execute(statement)}


async def get_attribute_key_ids(
    session: AsyncSession, environment_id: str, keys: Collection[str]
) -> dict[str, str]:
    """`{key: id}` of the environment's attribute keys among `keys`."""
    statement = select(ContactAttributeKey.key, ContactAttributeKey.id).where(
        ContactAttributeKey.environment_id == environment_id,
        ContactAttributeKey.key.in_(list(keys)),
    )
    return {row.key: row.id for row in await session.execute(statement)}


async def count_contacts(session: AsyncSession, where: ColumnElement[bool]) -> int:
    total = await session.scalar(select(func.count()).select_from(Contact).where(where))
    return int(total or 0)


async def get_contact_page(
    session: AsyncSession,
    where: ColumnElement[bool],
    limit: int,
    offset: int,
    attribute_key_ids: Sequence[str],
) -> list[tuple[str, dict[str, str]]]:
    """One page of matching contacts, newest first, with the requested attributes: one query."""
    page = (
        select(Contact.id, Contact.created_at)
        .where(where)
        .order_by(Contact.created_at.desc(), Contact.id.desc())
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    statement = (
        select(page.c.id, ContactAttributeKey.key, ContactAttribute.value)
        .outerjoin(
            ContactAttribute,
            (ContactAttribute.contact_id == page.c.id)
            & ContactAttribute.attribute_key_id.in_(list(attribute_key_ids)),
        )
        .outerjoin(ContactAttributeKey, ContactAttributeKey.id == ContactAttribute.attribute_key_id)
        .order_by(page.c.created_at.desc(), page.c.id.desc(), ContactAttribute.created_at)
    )
    contacts: dict[str, dict[str, str]] = {}
    for contact_id, key, value in await session.execute(statement):
        attributes = contacts.setdefault(contact_id, {})
        if key is not None:
            attributes[key] = value
    return list(contacts.items())


async def add_segment(session: AsyncSession, segment: Segment) -> None:
    session.add(segment)
    await session.flush()


DATE_COLUMNS = {"createdAt": Segment.created_at, "updatedAt": Segment.updated_at}


async def list_segments(
    session: AsyncSession, environment_ids: Sequence[str] | None, params: ListParams
) -> tuple[list[Segment], int]:
    """One page of the environments' (None: all) segments and the count of all that match."""
    scope = true() if environment_ids is None else Segment.environment_id.in_(environment_ids)
    page = params.apply(select(Segment).where(scope), DATE_COLUMNS).order_by(Segment.id)
    count = params.window(select(func.count()).select_from(Segment), DATE_COLUMNS).where(scope)
    rows = list((await session.scalars(page)).all())
    return rows, (await session.execute(count)).scalar_one()


async def get_surveys_by_segment(
    session: AsyncSession, segment_ids: Sequence[str]
) -> dict[str, list[str]]:
    """`{segment id: [survey ids]}` of the surveys targeting these segments, in one query."""
    statement = (
        select(Survey.segment_id, Survey.id)
        .where(Survey.segment_id.in_(list(segment_ids)))
        .order_by(Survey.id)
    )
    grouped: dict[str, list[str]] = {segment_id: [] for segment_id in segment_ids}
    for segment_id, survey_id in await session.execute(statement):
        grouped[str(segment_id)].append(survey_id)
    return grouped


async def get_environment_segment_filters(
    session: AsyncSession, environment_id: str, segment_ids: Collection[str]
) -> dict[str, Any]:
    """The stored filters of those of these segments that belong to the environment."""
    statement = select(Segment.id, Segment.filters).where(
        Segment.environment_id == environment_id, Segment.id.in_(list(segment_ids))
    )
    return {row.id: row.filters for row in await session.execute(statement)}


async def find_segments_mentioning(
    session: AsyncSession, environment_id: str, text: str
) -> dict[str, Any]:
    """`{id: filters}` of the environment's segments whose stored filters contain `text`
    (a prefilter: the caller reads the trees to be sure)."""
    statement = select(Segment.id, Segment.filters).where(
        Segment.environment_id == environment_id,
        cast(Segment.filters, Text).contains(text, autoescape=True),
    )
    return {row.id: row.filters for row in await session.execute(statement)}


async def get_member_page(
    session: AsyncSession, where: ColumnElement[bool], limit: int, offset: int
) -> list[tuple[str, dict[str, str]]]:
    """One page of a segment's contacts, newest first, with all their attributes: one query."""
    page = (
        select(Contact.id, Contact.created_at)
        .where(where)
        .order_by(Contact.created_at.desc(), Contact.id.desc())
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    statement = (
        select(page.c.id, ContactAttributeKey.key, ContactAttribute.value)
        .outerjoin(ContactAttribute, ContactAttribute.contact_id == page.c.id)
        .outerjoin(ContactAttributeKey, ContactAttributeKey.id == ContactAttribute.attribute_key_id)
        .order_by(page.c.created_at.desc(), page.c.id.desc(), ContactAttribute.created_at)
    )
    contacts: dict[str, dict[str, str]] = {}
    for contact_id, key, value in await session.execute(statement):
        attributes = contacts.setdefault(contact_id, {})
        if key is not None:
            attributes[key] = value
    return list(contacts.items())


async def delete_segment(session: AsyncSession, segment: Segment) -> None:
    await session.execute(delete(Segment).where(Segment.id == segment.id))
    session.expunge(segment)


async def get_export_batch(
    session: AsyncSession,
    where: ColumnElement[bool],
    after: str,
    limit: int,
    attribute_key_ids: Sequence[str],
) -> list[tuple[str, dict[str, str]]]:
    """The next `limit` matching contacts by id after `after` (keyset: no OFFSET to skip
    over), with their values for the requested keys as `{key id: value}`: one query."""
    page = (
        select(Contact.id).where(where, Contact.id > after).order_by(Contact.id).limit(limit)
    ).subquery()
    if not attribute_key_ids:
        ids = await session.scalars(select(page.c.id).order_by(page.c.id))
        return [(contact_id, {}) for contact_id in ids]
    statement = (
        select(page.c.id, ContactAttribute.attribute_key_id, ContactAttribute.value)
        .outerjoin(
            ContactAttribute,
            and_(
                ContactAttribute.contact_id == page.c.id,
                ContactAttribute.attribute_key_id.in_(list(attribute_key_ids)),
            ),
        )
        .order_by(page.c.id)
    )
    contacts: dict[str, dict[str, str]] = {}
    for contact_id, key_id, value in await session.execute(statement):
        values = contacts.setdefault(contact_id, {})
        if key_id is not None:
            values[key_id] = value
    return list(contacts.items())
