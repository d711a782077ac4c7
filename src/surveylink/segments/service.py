import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from surveylink.auth.permissions import AuthKey, Permission
from surveylink.core.errors import BadRequest, Conflict, Forbidden, NotFound, Resource, Unauthorized
from surveylink.links import tokens
from surveylink.links.service import build_link
from surveylink.segments import filters, repository
from surveylink.segments.models import Segment
from surveylink.segments.schemas import ContactLink, ContactLinks, LinksMeta

MAX_ATTRIBUTE_KEYS = 20
INVALID_FILTERS = "Invalid segment filters"


async def segment_links(
    session: AsyncSession,
    key: AuthKey,
    survey_id: str,
    segment_id: str,
    page: tuple[int, int],
    expiration_days: float | None,
    attribute_keys: str | None,
    link_keys: tokens.LinkKeys,
    base_url: str,
) -> ContactLinks:
    """Links for one page of a segment's contacts, after upstream's checks (§3.2)."""
    limit, skip = page
    survey = await repository.get_link_survey(session, survey_id)
    if survey is None:  # upstream: a 500 from its organization lookup
        raise NotFound(Resource.SURVEY, survey_id)
    if not key.allows(survey.environment_id, Permission.READ):
        raise Unauthorized()
    if survey.type != "link" or survey.status != "inProgress":
        raise Forbidden()
    segment = await repository.get_segment(session, segment_id)
    if segment is None:
        raise NotFound(Resource.SEGMENT, segment_id)
    if segment.environment_id != survey.environment_id:
        raise BadRequest.on("segmentId", "Environment mismatch")
    where = await _segment_condition(session, segment)
    key_ids = await _requested_keys(session, survey.environment_id, attribute_keys)
    total = await repository.count_contacts(session, where)
    contacts = []
    if skip < total:  # past the end there is nothing to fetch (and no huge OFFSET to bind)
        contacts = await repository.get_contact_page(session, where, limit, skip, key_ids)
    now = int(time.time())  # one instant: every link of the page expires together
    links = []
    for contact_id, attributes in contacts:
        link = build_link(
            contact_id, survey_id, survey.single_use, expiration_days, link_keys, base_url, now
        )
        links.append(
            ContactLink(
                contactId=contact_id,
                attributes=attributes or None,
                surveyUrl=link.surveyUrl,
                expiresAt=link.expiresAt,
            )
        )
    return ContactLinks(data=links, meta=LinksMeta(total=total, limit=limit, offset=skip))


async def _segment_condition(session: AsyncSession, segment: Segment) -> ColumnElement[bool]:
    """The segment's filters as one SQL condition; the segments it names are loaded by level."""
    try:
        tree = filters.parse(segment.filters)
        known: dict[str, list[filters.Item]] = {}
        missing: set[str] = set()
        frontier = filters.referenced_segments(tree) - {segment.id}
        while frontier:
            stored = await repository.get_segment_filters(session, frontier)
            missing |= frontier - stored.keys()
            for nested_id, nested in stored.items():
                known[nested_id] = filters.parse(nested)
            named = set().union(*(filters.referenced_segments(known[i]) for i in stored))
            frontier = named - known.keys() - missing - {segment.id}
        known[segment.id] = tree
        now = datetime.now(UTC)
        return filters.compile_segment(segment.id, tree, segment.environment_id, known, now)
    except filters.InvalidFilters:
        raise BadRequest.on("segment", INVALID_FILTERS) from None


async def _requested_keys(
    session: AsyncSession, environment_id: str, attribute_keys: str | None
) -> list[str]:
    """Ids of the requested keys that exist in the environment, in request order, first 20."""
    if not attribute_keys:
        return []
    requested = [part.strip() for part in attribute_keys.split(",")]
    existing = await repository.get_attribute_key_ids(session, environment_id, requested)
    kept = list(dict.fromkeys(name for name in requested if name in existing))
    return [existing[name] for name in kept[:MAX_ATTRIBUTE_KEYS]]


async def create_segment(
    session: AsyncSession,
    environment_id: str,
    title: str,
    segment_filters: list[Any],
    description: str | None = None,
    is_private: bool = False,
) -> Segment:
    """A segment, as the UI (and our CLI) makes one: filters checked, title unique."""
    try:
        filters.parse(segment_filters)
    except filters.InvalidFilters:
        raise BadRequest.on("filters", INVALID_FILTERS) from None
    segment = Segment(
        environment_id=environment_id,
        title=title,
        description=description,
        is_private=is_private,
        filters=segment_filters,
    )
    try:
        async with session.begin_nested():
            await repository.add_segment(session, segment)
    except IntegrityError:
        raise Conflict.on("title", "Segment with this title already exists") from None
    return segment
