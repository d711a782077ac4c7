"""Responses as upstream's v2 management API handles them (resources spec §1), and the writes
the respondent page shares. Every write stages its webhook events in the same transaction."""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from surveylink.auth.permissions import AuthKey
from surveylink.contacts import repository as contacts
from surveylink.core.bodies import parse_body
from surveylink.core.clock import utcnow
from surveylink.core.db import transaction, violated
from surveylink.core.errors import (
    BadRequest,
    BrokenRules,
    Conflict,
    NotFound,
    Resource,
    Unauthorized,
)
from surveylink.core.pagination import query_count
from surveylink.responses import repository
from surveylink.responses.models import Response
from surveylink.responses.schemas import (
    ResponseCreate,
    ResponseFilter,
    ResponseUpdate,
    V1ResponseCreate,
    V1ResponseUpdate,
)
from surveylink.responses.validation import required_errors
from surveylink.surveys import service as surveys
from surveylink.surveys.models import Survey
from surveylink.webhooks import outbox

SURVEY_ELSEWHERE = "Survey does not belong to this environment"
DEFAULT_V1_LIMIT = 25  # upstream's RESPONSES_PER_PAGE, for one survey's responses
CHUNK = 500  # responses read and sent at a time by the v1 list


async def create_response_for_key(
    session: AsyncSession,
    key: AuthKey,
    body: ResponseCreate,
    base_url: str,
    environment_id: str | None = None,
) -> Response:
    """`POST /management/responses`: upstream's checks, then the shared create. v1 bodies name
    an `environment_id`: write permission there comes first, and the survey must be in it.
    `base_url` makes storage URLs absolute in the webhook payloads, as everywhere below."""
    if environment_id is not None and not key.allows(environment_id):
        raise Unauthorized()
    survey = await surveys.get_survey(session, body.survey_id)
    if survey is None:
        raise NotFound(Resource.SURVEY, body.survey_id)
    if environment_id is not None and survey.environment_id != environment_id:
        raise BadRequest.on("environmentId", SURVEY_ELSEWHERE, message=SURVEY_ELSEWHERE)
    if not key.allows(survey.environment_id):
        raise Unauthorized()
    _check_answers(survey, body.data)
    return await create_response(session, survey, body, base_url)


async def create_response_from_json(
    session: AsyncSession, key: AuthKey, raw: bytes, base_url: str
) -> Response:
    """v1's create: the body is parsed once the key was checked. A body that names no
    environment takes the key's only one (ours; upstream: 400)."""
    body = parse_body(raw, V1ResponseCreate, environment_id=key.only_environment_id)
    return await create_response_for_key(session, key, body, base_url, body.environment_id)


@dataclass(frozen=True)
class Listing:
    """Which responses a v1 list answers: checked, not yet read."""

    environment_ids: list[str]
    survey_id: str | None
    limit: int | None  # None: all of them
    skip: int


async def plan_response_list(
    session: AsyncSession,
    key: AuthKey,
    survey_id: str | None,
    limit_text: str | None,
    skip_text: str | None,
) -> Listing:
    """v1's list (v1 management spec §2.2): one survey's responses (404, then 401 as for the
    survey), 25 unless `limit` says otherwise; or, without a survey, those of every environment
    of the key, all of them unless `limit` is above 0."""
    limit = None if not limit_text else query_count(limit_text, "limit")
    skip = query_count(skip_text, "skip") if skip_text else 0
    if not survey_id:
        return Listing(key.environment_ids, None, limit or None, skip)
    survey = await surveys.get_survey_for_key(session, key, survey_id)
    limit = DEFAULT_V1_LIMIT if limit is None else limit
    return Listing([survey.environment_id], survey.id, limit, skip)


async def read_response_list(
    sessions: async_sessionmaker[AsyncSession], listing: Listing
) -> AsyncIterator[list[Response]]:
    """The listed responses, newest first, `CHUNK` at a time, each chunk in a short read
    transaction of its own and found by keyset after the first: memory stays bounded however
    many there are (upstream answers every response of every environment in one body)."""
    remaining, after = listing.limit, None
    while remaining is None or remaining > 0:
        size = CHUNK if remaining is None else min(CHUNK, remaining)
        async with transaction(sessions) as session:
            rows = await repository.list_newest_responses(
                session,
                listing.environment_ids,
                size,
                listing.skip if after is None else 0,
                listing.survey_id,
                after,
            )
        if rows:
            yield rows
        if len(rows) < size:
            return
        remaining = None if remaining is None else remaining - len(rows)
        after = (rows[-1].created_at, rows[-1].id)


async def merge_response_for_key(
    session: AsyncSession, key: AuthKey, response_id: str, raw: bytes, base_url: str
) -> Response:
    """v1's update (v1 management spec §2.5): `data`, `variables` and `ttc` are merged into
    what is stored, `finished`, `endingId` and `language` overwritten when sent."""
    response, survey = await get_response_for_key(session, key, response_id)
    body = parse_body(raw, V1ResponseUpdate)
    values: dict[str, Any] = {}
    if body.data is not None:
        _check_answers(survey, body.data)
        values["data"] = {**response.data, **body.data}
    if body.variables is not None:
        values["variables"] = {**response.variables, **body.variables}
    if body.ttc is not None or body.finished:
        ttc = {**response.ttc, **(body.ttc or {})}
        if body.finished:  # ours: a previous `_total` is replaced, not added in
            ttc["_total"] = sum(value for name, value in ttc.items() if name != "_total")
        values["ttc"] = ttc
    if body.finished is not None:
        values["finished"] = body.finished
    if "ending_id" in body.model_fields_set:
        values["ending_id"] = body.ending_id
    if body.language is not None:
        values["language"] = body.language
    update = ResponseUpdate.model_construct(_fields_set=set(values), **values)
    return await update_response(session, response, survey, update, base_url)


def _check_answers(survey: Survey, data: dict[str, object]) -> None:
    errors = required_errors(survey.document, data)
    if errors:
        raise BrokenRules(*errors)


async def list_responses(
    session: AsyncSession, key: AuthKey, params: ResponseFilter
) -> list[Response]:
    """Responses to surveys of any environment of the key, filtered and paged."""
    return await repository.list_responses(session, key.environment_ids, params)


async def get_response_for_key(
    session: AsyncSession, key: AuthKey, response_id: str
) -> tuple[Response, Survey]:
    """The response and its survey if the key holds its route's permission on their
    environment: 404, then 401."""
    found = await repository.get_response_with_survey(session, response_id)
    if found is None:
        raise NotFound(Resource.RESPONSE, response_id)
    if not key.allows(found[1].environment_id):
        raise Unauthorized()
    return found


async def update_response_for_key(
    session: AsyncSession, key: AuthKey, response_id: str, body: ResponseUpdate, base_url: str
) -> Response:
    """`PUT /management/responses/{id}`: writes the keys present in the body."""
    response, survey = await get_response_for_key(session, key, response_id)
    if "data" in body.model_fields_set:
        _check_answers(survey, body.data)
    return await update_response(session, response, survey, body, base_url)


async def update_response(
    session: AsyncSession, response: Response, survey: Survey, body: ResponseUpdate, base_url: str
) -> Response:
    """Overwrites the given columns; fires responseUpdated, and responseFinished whenever the
    response is finished afterwards (as upstream, even if it already was)."""
    given = body.model_fields_set
    if "contact_id" in given and body.contact_id is not None:
        contact = await contacts.get_contact(session, body.contact_id)
        if contact is None or contact.environment_id != survey.environment_id:
            raise NotFound(Resource.CONTACT, body.contact_id)
    if "display_id" in given and body.display_id is not None:
        await _check_display(session, body.display_id, survey)
    values = body.model_dump(include=given - {"meta", "created_at", "updated_at"})
    if "meta" in given:
        values["meta"] = body.meta.model_dump(by_alias=True, exclude_none=True)
    for column, value in values.items():
        setattr(response, column, value)
    if body.created_at is not None:
        response.created_at = body.created_at
    response.updated_at = body.updated_at or utcnow()
    await _settle(session, session.flush)
    await _fire(session, response, survey, outbox.RESPONSE_UPDATED, base_url)
    return response


async def delete_response_for_key(
    session: AsyncSession, key: AuthKey, response_id: str
) -> Response:
    """Deletes the response (and its display); no webhook fires, as upstream."""
    response, _ = await get_response_for_key(session, key, response_id)
    await repository.delete_response(session, response)
    return response


async def _fire(
    session: AsyncSession, response: Response, survey: Survey, event: str, base_url: str
) -> None:
    events = [event, outbox.RESPONSE_FINISHED] if response.finished else [event]
    await outbox.enqueue(session, events, response, survey, base_url)
    if response.finished:
        await _auto_complete(session, survey)


async def _auto_complete(session: AsyncSession, survey: Survey) -> None:
    """Upstream's pipeline on every responseFinished: with `autoComplete` set, the survey is
    completed once it has that many responses, finished or not."""
    limit = survey.document.get("autoComplete")
    if not isinstance(limit, int | float) or not limit or survey.status == "completed":
        return
    if await repository.count_responses(session, survey.id) >= limit:
        await surveys.complete_survey(session, survey)


async def create_response(
    session: AsyncSession, survey: Survey, body: ResponseCreate, base_url: str
) -> Response:
    """Stores a response, attributed to its contact with a snapshot of their attributes."""
    contact_id = await _contact_of(session, survey.environment_id, body)
    if body.display_id is not None:
        await _check_display(session, body.display_id, survey)
    attributes = await contacts.get_attributes(session, contact_id) if contact_id else None
    ttc = dict(body.ttc or {})
    if ttc and body.finished:
        ttc["_total"] = sum(ttc.values())
    now = utcnow()
    response = Response(
        survey_id=survey.id,
        contact_id=contact_id,
        finished=body.finished,
        data=body.data,
        variables=body.variables or {},
        ttc=ttc,
        meta=body.meta.model_dump(by_alias=True, exclude_none=True) if body.meta else {},
        contact_attributes=attributes,
        single_use_id=body.single_use_id,
        language=body.language,
        display_id=body.display_id,
        ending_id=body.ending_id,
        created_at=body.created_at or now,
        updated_at=body.updated_at or now,
    )
    await _settle(session, lambda: repository.add_response(session, response))
    await _fire(session, response, survey, outbox.RESPONSE_CREATED, base_url)
    return response


async def _contact_of(
    session: AsyncSession, environment_id: str, body: ResponseCreate
) -> str | None:
    """`contactId` (ours: upstream drops it) must be a contact of the survey's environment;
    `userId` is upstream's lookup and falls back to an anonymous response."""
    if body.contact_id is not None:
        contact = await contacts.get_contact(session, body.contact_id)
        if contact is None or contact.environment_id != environment_id:
            raise NotFound(Resource.CONTACT, body.contact_id)
        return contact.id
    if body.user_id:
        return await contacts.find_contact_by_attribute(
            session, environment_id, "userId", body.user_id
        )
    return None


async def _check_display(session: AsyncSession, display_id: str, survey: Survey) -> None:
    """A response may only answer a display of its own survey: another organization's display
    is "not found", and could otherwise be deleted with the response."""
    if not await repository.is_display_of_survey(session, display_id, survey.id):
        raise _display_refused()


def _display_refused() -> Exception:
    return BadRequest.on("displayId", "Display not found or already has a response")


async def _settle(session: AsyncSession, write: Callable[[], Awaitable[None]]) -> None:
    """Runs a write in a savepoint: the unique indexes settle duplicates, answered as 4xx."""
    try:
        async with session.begin_nested():
            await write()
    except IntegrityError as error:
        raise _conflict(violated(error)) from None


def _conflict(what: str) -> Exception:
    if "contact_id" in what:
        return Conflict.on("contactId", "Already responded")
    if "single_use_id" in what:
        return Conflict.on("singleUseId", "A response with this single use id already exists")
    return _display_refused()


async def save_answers(
    session: AsyncSession,
    response: Response,
    *,
    base_url: str,
    data: Mapping[str, object],
    ttc: dict[str, float],
    finished: bool,
    ending_id: str | None = None,
    variables: Mapping[str, object] | None = None,
    progress: Mapping[str, object] | None = None,
) -> Response:
    """Merges one more step's answers into a response (the respondent page's later steps);
    fires responseUpdated, and responseFinished when this step finishes it.

    The step's elements are the keys of `ttc`: their answers replace earlier ones, so an answer
    cleared on a revisited step is removed; other answers (and hidden fields) are kept.
    Variables merge over the stored ones, as upstream's update does; `progress` is the page's
    own record of the path taken (never on the wire)."""
    was_finished = response.finished
    kept = {key: value for key, value in response.data.items() if key not in ttc}
    response.data = {**kept, **data}
    if variables:
        response.variables = {**response.variables, **variables}
    if progress is not None:
        response.progress = dict(progress)
    merged_ttc = {key: value for key, value in {**response.ttc, **ttc}.items() if key != "_total"}
    if finished:
        merged_ttc["_total"] = sum(merged_ttc.values())
        response.ending_id = ending_id
    response.ttc = merged_ttc
    response.finished = response.finished or finished
    response.updated_at = utcnow()
    await session.flush()
    survey = await surveys.get_survey(session, response.survey_id)
    assert survey is not None  # the response's foreign key holds it
    events = [outbox.RESPONSE_UPDATED]
    if response.finished and not was_finished:
        events.append(outbox.RESPONSE_FINISHED)
    await outbox.enqueue(session, events, response, survey, base_url)
    if response.finished and not was_finished:
        await _auto_complete(session, survey)
    return response


async def save_progress(
    session: AsyncSession, response: Response, progress: Mapping[str, object]
) -> None:
    """Records where the respondent page stands (a step back changes nothing else)."""
    response.progress = dict(progress)
    await session.flush()
