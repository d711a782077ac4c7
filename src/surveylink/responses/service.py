"""Responses as upstream's v2 management API handles them (resources spec §1), and the writes
the respondent page shares. Every write stages its webhook events in the same transaction."""

from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.auth.permissions import AuthKey, Permission
from surveylink.contacts import repository as contacts
from surveylink.core.clock import utcnow
from surveylink.core.db import violated
from surveylink.core.errors import BadRequest, Conflict, NotFound, Unauthorized
from surveylink.responses import repository
from surveylink.responses.models import Response
from surveylink.responses.schemas import ResponseCreate, ResponseFilter, ResponseUpdate
from surveylink.responses.validation import required_errors
from surveylink.surveys import service as surveys
from surveylink.surveys.models import Survey
from surveylink.webhooks import outbox


async def create_response_for_key(
    session: AsyncSession, key: AuthKey, body: ResponseCreate
) -> Response:
    """`POST /management/responses`: upstream's checks, then the shared create."""
    survey = await surveys.get_survey(session, body.survey_id)
    if survey is None:
        raise NotFound.on("survey", "not found")
    if not key.allows(survey.environment_id, Permission.WRITE):
        raise Unauthorized()
    _check_answers(survey, body.data)
    return await create_response(session, survey, body)


def _check_answers(survey: Survey, data: dict[str, object]) -> None:
    errors = required_errors(survey.document, data)
    if errors:
        raise BadRequest(*errors)


async def list_responses(
    session: AsyncSession, key: AuthKey, params: ResponseFilter
) -> list[Response]:
    """Responses to surveys of any environment of the key, filtered and paged."""
    return await repository.list_responses(session, key.environment_ids, params)


async def get_response_for_key(
    session: AsyncSession, key: AuthKey, response_id: str, needed: Permission
) -> tuple[Response, Survey]:
    """The response and its survey if the key holds `needed` on its environment: 404, then 401."""
    found = await repository.get_response_with_survey(session, response_id)
    if found is None:
        raise NotFound.on("response", "not found")
    if not key.allows(found[1].environment_id, needed):
        raise Unauthorized()
    return found


async def update_response_for_key(
    session: AsyncSession, key: AuthKey, response_id: str, body: ResponseUpdate
) -> Response:
    """`PUT /management/responses/{id}`: writes the keys present in the body."""
    response, survey = await get_response_for_key(session, key, response_id, Permission.WRITE)
    if "data" in body.model_fields_set:
        _check_answers(survey, body.data)
    return await update_response(session, response, survey, body)


async def update_response(
    session: AsyncSession, response: Response, survey: Survey, body: ResponseUpdate
) -> Response:
    """Overwrites the given columns; fires responseUpdated, and responseFinished whenever the
    response is finished afterwards (as upstream, even if it already was)."""
    given = body.model_fields_set
    if "contact_id" in given and body.contact_id is not None:
        contact = await contacts.get_contact(session, body.contact_id)
        if contact is None or contact.environment_id != survey.environment_id:
            raise NotFound.on("contact", "not found")
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
    await _fire(session, response, survey, outbox.RESPONSE_UPDATED)
    return response


async def delete_response_for_key(
    session: AsyncSession, key: AuthKey, response_id: str
) -> Response:
    """Deletes the response (and its display); no webhook fires, as upstream."""
    response, _ = await get_response_for_key(session, key, response_id, Permission.MANAGE)
    await repository.delete_response(session, response)
    return response


async def _fire(session: AsyncSession, response: Response, survey: Survey, event: str) -> None:
    events = [event, outbox.RESPONSE_FINISHED] if response.finished else [event]
    await outbox.enqueue(session, events, response, survey)


async def create_response(session: AsyncSession, survey: Survey, body: ResponseCreate) -> Response:
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
    await _fire(session, response, survey, outbox.RESPONSE_CREATED)
    return response


async def _contact_of(
    session: AsyncSession, environment_id: str, body: ResponseCreate
) -> str | None:
    """`contactId` (ours: upstream drops it) must be a contact of the survey's environment;
    `userId` is upstream's lookup and falls back to an anonymous response."""
    if body.contact_id is not None:
        contact = await contacts.get_contact(session, body.contact_id)
        if contact is None or contact.environment_id != environment_id:
            raise NotFound.on("contact", "not found")
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
    data: dict[str, object],
    ttc: dict[str, float],
    finished: bool,
    ending_id: str | None = None,
) -> Response:
    """Merges one more step's answers into a response (the respondent page's later steps);
    fires responseUpdated, and responseFinished when this step finishes it.

    The step's elements are the keys of `ttc`: their answers replace earlier ones, so an answer
    cleared on a revisited step is removed; other answers (and hidden fields) are kept."""
    was_finished = response.finished
    kept = {key: value for key, value in response.data.items() if key not in ttc}
    response.data = {**kept, **data}
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
    await outbox.enqueue(session, events, response, survey)
    return response
