from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, status
from fastapi.responses import StreamingResponse
from pydantic import AfterValidator, BeforeValidator

from surveylink.auth.deps import ManageKey, ReadKey, WriteKey
from surveylink.core.context import ContextDep
from surveylink.core.db import SessionDep
from surveylink.core.envelopes import Data, Page, PageMeta
from surveylink.core.errors import error_responses
from surveylink.core.routing import API_V2, ApiRoute
from surveylink.core.zod import MAX_SAFE_INTEGER, Cuid2, fail, number_check
from surveylink.segments import export, service
from surveylink.segments.schemas import (
    ContactLinks,
    MemberParams,
    SegmentCreate,
    SegmentListParams,
    SegmentMember,
    SegmentOut,
    SegmentUpdate,
)
from surveylink.shortlinks.schemas import SHORT, ShortFlag

router = APIRouter(
    prefix=API_V2, tags=["Management API - Surveys - Contact Links"], route_class=ApiRoute
)
segments_router = APIRouter(prefix=API_V2, tags=["Management API - Segments"], route_class=ApiRoute)

SEGMENTS = "/management/segments"
SEGMENT = SEGMENTS + "/{segmentId}"
SegmentId = Annotated[Cuid2, Path(alias="segmentId", description="The ID of the segment")]


def _whole(value: float) -> int:
    # Upstream accepts 2.5 and then fails in the database (a 500); a client error is ours.
    if value != int(value):
        raise fail("Invalid input: expected int, received number")
    return int(value)


def _at_most_20_keys(value: str) -> str:
    if len(value.split(",")) > service.MAX_ATTRIBUTE_KEYS:
        raise fail("You can have max 20 keys.")
    return value


def _range(minimum: int, maximum: int | None = None) -> dict[str, Any]:
    """The bounds in the OpenAPI document (the validators above enforce them)."""
    bounds: dict[str, Any] = {"minimum": minimum}
    if maximum is not None:
        bounds["maximum"] = maximum
    return bounds


Limit = Annotated[
    float, BeforeValidator(number_check(1, 250, integer=False)), AfterValidator(_whole)
]
Skip = Annotated[
    float,
    BeforeValidator(number_check(0, MAX_SAFE_INTEGER, integer=False)),
    AfterValidator(_whole),
]
Days = Annotated[float, BeforeValidator(number_check(1, 365, integer=False))]
AttributeKeys = Annotated[str, AfterValidator(_at_most_20_keys)]
EXPIRATION = (
    "Number of days until the generated JWT expires. If not provided, there is no expiration."
)


@router.get(
    "/management/surveys/{surveyId}/contact-links/segments/{segmentId}",
    operation_id="getContactLinksBySegment",
    summary="Get survey links for contacts in a segment",
    response_description="Contact links generated successfully.",
    responses=error_responses(400, 401, 403, 404, 422, 429, 500),
)
async def get_contact_links_by_segment(
    key: ReadKey,
    session: SessionDep,
    context: ContextDep,
    survey_id: Annotated[Cuid2, Path(alias="surveyId", description="The ID of the survey")],
    segment_id: Annotated[Cuid2, Path(alias="segmentId", description="The ID of the segment")],
    limit: Annotated[
        Limit, Query(description="Number of items to return", json_schema_extra=_range(1, 250))
    ] = 50,
    skip: Annotated[
        Skip, Query(description="Number of items to skip", json_schema_extra=_range(0))
    ] = 0,
    expiration_days: Annotated[
        Days | None,
        Query(alias="expirationDays", description=EXPIRATION, json_schema_extra=_range(1, 365)),
    ] = None,
    attribute_keys: Annotated[
        AttributeKeys | None,
        Query(
            alias="attributeKeys",
            description="Comma-separated list of contact attribute keys to include in the "
            "response. You can have max 20 keys. If not provided, no attributes will be included.",
        ),
    ] = None,
    short: Annotated[ShortFlag, Query(description=SHORT + " (surveylink extension)")] = False,
) -> ContactLinks:
    """Generates personalized survey links for contacts in a segment."""
    return await service.segment_links(
        session,
        key,
        survey_id,
        segment_id,
        (int(limit), int(skip)),
        expiration_days,
        attribute_keys,
        context.links.keys,
        context.links.base_url,
        context.sessions if short else None,
    )


EXPORT_CONTENT = {
    "text/csv": {
        "schema": {"type": "string"},
        "example": "contactId,email,surveyUrl,expiresAt\r\n"
        "clx1…,ada@example.com,https://surveys.example.com/c/eyJ…,2026-05-01T10:00:00.000Z\r\n",
    },
    "application/x-ndjson": {
        "schema": {"type": "string"},
        "example": '{"contactId":"clx1…","attributes":{"email":"ada@example.com"},'
        '"surveyUrl":"https://surveys.example.com/c/eyJ…","expiresAt":null}\n',
    },
}


@router.get(
    "/management/surveys/{surveyId}/contact-links/segments/{segmentId}/export",
    operation_id="exportContactLinksBySegment",
    summary="Export survey links for every contact in a segment (CSV or NDJSON)",
    response_class=StreamingResponse,
    responses={
        200: {"description": "Every member's link, streamed.", "content": EXPORT_CONTENT},
        **error_responses(400, 403, 404),
    },
)
async def export_contact_links_by_segment(
    key: ReadKey,
    session: SessionDep,
    context: ContextDep,
    survey_id: Annotated[Cuid2, Path(alias="surveyId", description="The ID of the survey")],
    segment_id: Annotated[Cuid2, Path(alias="segmentId", description="The ID of the segment")],
    attributes: Annotated[
        AttributeKeys | None,
        Query(
            description="Comma-separated attribute keys to add as columns, in this order (at "
            "most 20), e.g. `email,firstName`. Each must be a key of the environment (400 "
            "otherwise); a contact without a value gets an empty cell (CSV) or no entry (NDJSON)."
        ),
    ] = None,
    expiration_days: Annotated[
        Days | None,
        Query(alias="expirationDays", description=EXPIRATION, json_schema_extra=_range(1, 365)),
    ] = None,
    short: Annotated[ShortFlag, Query(description=SHORT)] = False,
    export_format: Annotated[
        Literal["csv", "ndjson"] | None,
        Query(
            alias="format",
            description="`csv` or `ndjson`; without it, `Accept: application/x-ndjson` gives "
            "NDJSON and anything else CSV.",
        ),
    ] = None,
    accept: Annotated[str, Header(include_in_schema=False)] = "",
) -> StreamingResponse:
    """Streams the link of every contact in the segment, with no page limit, for mail-merge
    tools. CSV (RFC 4180, UTF-8, header `contactId,<attributes…>,surveyUrl,expiresAt`) by
    default; NDJSON (one `{"contactId", "attributes"?, "surveyUrl", "expiresAt"}` object a line)
    for `Accept: application/x-ndjson` or `format=ndjson`. Every link is issued at the same
    instant, so all expire together. Contacts are in id order. The checks are those of
    `getContactLinksBySegment`, in its order, and happen before the first byte: once the
    stream has started it is 200. (surveylink extension)"""
    names = [name.strip() for name in (attributes or "").split(",")]
    plan = await export.plan_export(
        session, key, survey_id, segment_id, names, expiration_days, short
    )
    chosen = export.negotiate(export_format, accept)
    chunks = export.export_chunks(
        context.sessions, plan, context.links.keys, context.links.base_url, chosen
    )
    filename = f"links-{survey_id}-{segment_id}.{chosen}"
    return StreamingResponse(
        _encoded(chunks),
        media_type=export.MEDIA_TYPES[chosen],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def _encoded(chunks: AsyncIterator[tuple[int, str]]) -> AsyncIterator[bytes]:
    async for _, text in chunks:
        yield text.encode()


@segments_router.get(SEGMENTS, operation_id="getSegments")
async def get_segments(
    key: ReadKey, session: SessionDep, params: Annotated[SegmentListParams, Query()]
) -> Page[SegmentOut]:
    """Lists the segments of the key's environments, or of one (`environmentId`: 401 without
    read permission on it). Ours: upstream manages segments only in its UI."""
    segments, total = await service.list_segments(session, key, params)
    return Page(data=segments, meta=PageMeta(total=total, limit=params.limit, offset=params.skip))


@segments_router.post(
    SEGMENTS,
    operation_id="createSegment",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 403, 409),
)
async def create_segment(
    key: WriteKey, session: SessionDep, body: SegmentCreate
) -> Data[SegmentOut]:
    """Creates a segment: contacts of the environment that match a filter tree (upstream's
    format and operators). The tree is checked as upstream's UI checks it, with its messages
    (422: "At least one filter is required", "Invalid filters applied", "Value must be a string
    for string operators, …", "Invalid value for filters: …"), each with the path to the filter
    at fault; a segment filter naming a segment missing from the environment is a 400. Needs
    write permission on the environment (403)."""
    segment = await service.add_segment(session, key, body)
    return Data(data=service.segment_out(segment, []))


@segments_router.get(SEGMENT, operation_id="getSegment", responses=error_responses(404))
async def get_segment(key: ReadKey, session: SessionDep, segment_id: SegmentId) -> Data[SegmentOut]:
    """Gets a segment."""
    return Data(data=await service.get_segment(session, key, segment_id))


@segments_router.put(
    SEGMENT, operation_id="updateSegment", responses=error_responses(400, 404, 409)
)
async def update_segment(
    key: WriteKey, session: SessionDep, segment_id: SegmentId, body: SegmentUpdate
) -> Data[SegmentOut]:
    """Updates the fields sent. New filters are checked as on create, and may not lead back to
    this segment through segment filters at any depth (400 "Recursive segment filter is not
    allowed")."""
    return Data(data=await service.update_segment(session, key, segment_id, body))


@segments_router.delete(SEGMENT, operation_id="deleteSegment", responses=error_responses(404, 409))
async def delete_segment(
    key: ManageKey, session: SessionDep, segment_id: SegmentId
) -> Data[SegmentOut]:
    """Deletes a segment. Refused (409) while a survey targets it or another segment's filters
    name it. Needs manage permission."""
    return Data(data=await service.delete_segment(session, key, segment_id))


@segments_router.get(
    SEGMENT + "/members",
    operation_id="getSegmentMembers",
    responses=error_responses(400, 404),
)
async def get_segment_members(
    key: ReadKey,
    session: SessionDep,
    segment_id: SegmentId,
    params: Annotated[MemberParams, Query()],
) -> Page[SegmentMember]:
    """The contacts in the segment now, newest first, with all their attributes; `meta.total`
    is the member count. Evaluated by the database (the same query the link endpoints use)."""
    members, total = await service.segment_members(
        session, key, segment_id, params.limit, params.skip
    )
    return Page(data=members, meta=PageMeta(total=total, limit=params.limit, offset=params.skip))
