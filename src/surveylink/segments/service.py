import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from surveylink.auth.permissions import AuthKey, authorize
from surveylink.core.clock import utcnow
from surveylink.core.errors import (
    BadRequest,
    Conflict,
    ErrorDetail,
    Forbidden,
    Invalid,
    NotFound,
    Resource,
    Unauthorized,
)
from surveylink.core.pagination import MAX_OFFSET
from surveylink.links import tokens
from surveylink.links.service import build_link
from surveylink.segments import checks, filters, repository
from surveylink.segments.models import Segment
from surveylink.segments.schemas import (
    ContactLink,
    ContactLinks,
    LinksMeta,
    SegmentCreate,
    SegmentListParams,
    SegmentMember,
    SegmentOut,
    SegmentUpdate,
)
from surveylink.shortlinks import service as shortlinks

MAX_ATTRIBUTE_KEYS = 20
INVALID_FILTERS = "Invalid segment filters"
TITLE_TAKEN = "Segment with this title already exists"
USED_BY_SURVEY = "Cannot delete a segment that is associated with a survey"
USED_BY_SEGMENT = "Cannot delete a segment that other segments' filters refer to"


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
    short_links: async_sessionmaker[AsyncSession] | None = None,
) -> ContactLinks:
    """Links for one page of a segment's contacts, after upstream's checks (§3.2); behind
    short URLs when `short_links` (where to store them) is given."""
    limit, skip = page
    survey, where = await link_target(session, key, survey_id, segment_id)
    key_ids = await _requested_keys(session, survey.environment_id, attribute_keys)
    total = await repository.count_contacts(session, where)
    contacts = []
    if skip < total:  # past the end there is nothing to fetch (and no huge OFFSET to bind)
        contacts = await repository.get_contact_page(session, where, limit, skip, key_ids)
    now = int(time.time())  # one instant: every link of the page expires together
    made = [
        (
            contact_id,
            build_link(
                contact_id, survey_id, survey.single_use, expiration_days, link_keys, base_url, now
            ),
        )
        for contact_id, _ in contacts
    ]
    if short_links is not None:
        shortened = await shortlinks.shorten(short_links, base_url, survey_id, made)
        made = [(contact_id, link) for (contact_id, _), link in zip(made, shortened, strict=True)]
    links = [
        ContactLink(
            contactId=contact_id,
            attributes=attributes or None,
            surveyUrl=link.surveyUrl,
            expiresAt=link.expiresAt,
        )
        for (contact_id, attributes), (_, link) in zip(contacts, made, strict=True)
    ]
    return ContactLinks(data=links, meta=LinksMeta(total=total, limit=limit, offset=skip))


async def link_target(
    session: AsyncSession, key: AuthKey | None, survey_id: str, segment_id: str
) -> tuple[repository.LinkSurvey, ColumnElement[bool]]:
    """The live link survey and its segment's members as a condition, after upstream's checks
    in its order (§3.2); `key=None` (the CLI) skips the permission check."""
    survey = await repository.get_link_survey(session, survey_id)
    if survey is None:  # upstream: a 500 from its organization lookup
        raise NotFound(Resource.SURVEY, survey_id)
    if key is not None and not key.allows(survey.environment_id):
        raise Unauthorized()
    if survey.type != "link" or survey.status != "inProgress":
        raise Forbidden()
    segment = await repository.get_segment(session, segment_id)
    if segment is None:
        raise NotFound(Resource.SEGMENT, segment_id)
    if segment.environment_id != survey.environment_id:
        raise BadRequest.on("segmentId", "Environment mismatch")
    return survey, await segment_condition(session, segment)


async def segment_condition(session: AsyncSession, segment: Segment) -> ColumnElement[bool]:
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
        raise Conflict.on("title", TITLE_TAKEN) from None
    return segment


# --- The segments API and `surveylink segments` (ours). `key=None` is the CLI's operator. ----


def segment_out(segment: Segment, surveys: list[str]) -> SegmentOut:
    return SegmentOut(
        id=segment.id,
        created_at=segment.created_at,
        updated_at=segment.updated_at,
        title=segment.title,
        description=segment.description,
        is_private=segment.is_private,
        filters=segment.filters,
        environment_id=segment.environment_id,
        surveys=surveys,
    )


async def list_segments(
    session: AsyncSession, key: AuthKey | None, params: SegmentListParams
) -> tuple[list[SegmentOut], int]:
    """The key's segments (of one environment if asked: 401 without read on it); without a
    key (the CLI), every environment's."""
    environment_ids = [params.environment_id] if params.environment_id else None
    if key is not None:
        if params.environment_id and not key.allows(params.environment_id):
            raise Unauthorized()
        environment_ids = environment_ids or key.environment_ids
    rows, total = await repository.list_segments(session, environment_ids, params)
    surveys = await repository.get_surveys_by_segment(session, [row.id for row in rows])
    return [segment_out(row, surveys[row.id]) for row in rows], total


async def add_segment(session: AsyncSession, key: AuthKey | None, body: SegmentCreate) -> Segment:
    """A segment after upstream's filter checks (422), the key's write permission (403), and
    ours: the segments its filters name must exist in its environment (400)."""
    tree = _checked(body.filters)
    if key is not None and not key.allows(body.environment_id):
        raise Forbidden()
    await _check_references(session, body.environment_id, tree, None)
    return await create_segment(
        session, body.environment_id, body.title, tree, body.description, body.is_private
    )


async def get_segment_for_key(
    session: AsyncSession, key: AuthKey | None, segment_id: str
) -> Segment:
    """The segment if the key holds its route's permission on its environment: 404, then 401."""
    segment = await repository.get_segment(session, segment_id)
    if key is None:  # the operator, through the CLI
        if segment is None:
            raise NotFound(Resource.SEGMENT, segment_id)
        return segment
    return authorize(segment, key, Resource.SEGMENT, segment_id)


async def get_segment(session: AsyncSession, key: AuthKey | None, segment_id: str) -> SegmentOut:
    segment = await get_segment_for_key(session, key, segment_id)
    surveys = await repository.get_surveys_by_segment(session, [segment.id])
    return segment_out(segment, surveys[segment.id])


async def update_segment(
    session: AsyncSession, key: AuthKey | None, segment_id: str, body: SegmentUpdate
) -> SegmentOut:
    """Changes the fields sent; new filters may not lead back to this segment (400)."""
    sent = body.model_fields_set
    tree = _checked(body.filters) if body.filters is not None else None
    segment = await get_segment_for_key(session, key, segment_id)
    if tree is not None:
        await _check_references(session, segment.environment_id, tree, segment.id)
        segment.filters = tree
    if body.title is not None:
        segment.title = body.title
    if "description" in sent:
        segment.description = body.description
    if body.is_private is not None:
        segment.is_private = body.is_private
    segment.updated_at = utcnow()
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict.on("title", TITLE_TAKEN) from None
    return await get_segment(session, key, segment.id)


async def delete_segment(session: AsyncSession, key: AuthKey | None, segment_id: str) -> SegmentOut:
    """Deletes a segment no survey targets and no other segment's filters name (409)."""
    segment = await get_segment_for_key(session, key, segment_id)
    surveys = (await repository.get_surveys_by_segment(session, [segment.id]))[segment.id]
    if surveys:
        raise Conflict.on("segment", USED_BY_SURVEY, surveyIds=surveys)
    mentioning = await repository.find_segments_mentioning(
        session, segment.environment_id, segment.id
    )
    users = sorted(
        other
        for other, raw in mentioning.items()
        if other != segment.id and segment.id in _references(raw)
    )
    if users:
        raise Conflict.on("segment", USED_BY_SEGMENT, segmentIds=users)
    out = segment_out(segment, [])
    await repository.delete_segment(session, segment)
    return out


async def segment_members(
    session: AsyncSession, key: AuthKey | None, segment_id: str, limit: int, skip: int
) -> tuple[list[SegmentMember], int]:
    """One page of the contacts the segment holds now (newest first) and how many it holds."""
    segment = await get_segment_for_key(session, key, segment_id)
    where = await segment_condition(session, segment)
    total = await repository.count_contacts(session, where)
    page = []
    if skip < total:
        page = await repository.get_member_page(session, where, limit, min(skip, MAX_OFFSET))
    members = [SegmentMember(id=contact_id, attributes=values) for contact_id, values in page]
    return members, total


def _checked(raw: list[Any]) -> list[dict[str, Any]]:
    try:
        return checks.clean_filters(raw)
    except checks.FilterProblem as problem:
        raise Invalid(ErrorDetail(field=problem.path, issue=problem.issue)) from None


def _references(raw: Any) -> set[str]:
    try:
        return filters.referenced_segments(filters.parse(raw))
    except filters.InvalidFilters:
        return set()


async def _check_references(
    session: AsyncSession, environment_id: str, tree: list[Any], segment_id: str | None
) -> None:
    """Every named segment exists in the environment, and none leads back to `segment_id`
    (upstream's recursion check, followed through every level, one query per level)."""
    seen: set[str] = set()
    frontier = _references(tree)
    first = True
    while frontier:
        if segment_id in frontier:
            raise BadRequest.on("filters", checks.RECURSIVE)
        stored = await repository.get_environment_segment_filters(session, environment_id, frontier)
        missing = frontier - stored.keys()
        if first and missing:
            raise BadRequest.on("filters", INVALID_FILTERS, segmentIds=sorted(missing))
        first = False
        seen |= frontier
        frontier = set().union(*(_references(raw) for raw in stored.values())) - seen
