"""What the page stores, through the responses service: the contact's response is created by
the first card submitted (the welcome card too, as upstream records its click) and extended by
each later one, together with the engine's `Progress`."""

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.core.errors import DomainError
from surveylink.respondent import engine, meta, repository
from surveylink.respondent.admission import Admitted, Visit
from surveylink.respondent.engine import Progress, Step
from surveylink.respondent.logic import Data
from surveylink.respondent.texts import stored_language
from surveylink.responses import service as responses
from surveylink.responses.models import Response
from surveylink.responses.schemas import ResponseCreate, ResponseMeta


def hidden_fields(admitted: Admitted, visit: Visit) -> Data:
    """Upstream's hidden fields: each declared id given a non-empty value in the query."""
    ids = admitted.survey.hidden_fields.field_ids or []
    return {field_id: visit.param(field_id) for field_id in ids if visit.param(field_id)}


def known_data(admitted: Admitted, visit: Visit) -> Data:
    """Every answer known before this card: the stored response's data (hidden fields
    included), or the hidden fields of the address before anything is stored."""
    if admitted.response is not None:
        return dict(admitted.response.data)
    return hidden_fields(admitted, visit)


def load_progress(admitted: Admitted, visit: Visit) -> Progress:
    """The stored progress; a new respondent starts at `?startAt=` or the first card."""
    survey, response = admitted.survey, admitted.response
    if response is None:
        return engine.begin(survey, visit.param("startAt") or None)
    if response.progress:
        try:
            return Progress.model_validate(response.progress)
        except ValidationError:
            pass
    # A response stored without progress (older versions, the API): the first block not yet
    # answered, reached in order.
    done = set(response.ttc)
    index = next(
        (i for i, b in enumerate(survey.blocks) if not {e.id for e in b.elements} <= done),
        max(len(survey.blocks) - 1, 0),
    )
    start = engine.begin(survey, None)
    return start.model_copy(
        update={
            "card": survey.blocks[index].id if survey.blocks else engine.END,
            "history": [block.id for block in survey.blocks[:index]],
            "variables": {**start.variables, **response.variables},
        }
    )


async def save_step(
    session: AsyncSession,
    admitted: Admitted,
    visit: Visit,
    step: Step,
    answers: Data,
    ttc: dict[str, float],
) -> Response | None:
    """Creates or extends the contact's response; None when it is already finished."""
    variables = engine.storable(step.variables)
    progress = step.progress.stored()
    response = admitted.response
    if response is None:
        body = ResponseCreate(
            survey_id=admitted.survey_id,
            contact_id=admitted.contact_id,
            finished=step.finished,
            data={**answers, **hidden_fields(admitted, visit)},
            ttc=ttc,
            language=stored_language(admitted.survey, admitted.language),
            meta=ResponseMeta.model_validate(
                meta.response_meta(visit.base_url, visit.query, visit.headers)
                | captured_ip(admitted, visit)
            ),
            single_use_id=admitted.single_use_id,
            display_id=await repository.latest_free_display(
                session, admitted.survey_id, admitted.contact_id
            ),
            ending_id=step.ending_id,
            variables=variables,
        )
        try:
            created = await responses.create_response(session, admitted.row, body, visit.base_url)
        except DomainError:
            # Another request created it first; that row, now locked, settles the race.
            response = await repository.lock_response(
                session, admitted.survey_id, admitted.contact_id
            )
            if response is None:
                raise
        else:
            await responses.save_progress(session, created, progress)
            return created
    if response.finished:
        return None
    return await responses.save_answers(
        session,
        response,
        base_url=visit.base_url,
        data=answers,
        ttc=ttc,
        finished=step.finished,
        ending_id=step.ending_id,
        variables=variables,
        progress=progress,
    )


def captured_ip(admitted: Admitted, visit: Visit) -> dict[str, str]:
    """Upstream's isCaptureIpEnabled: the address is stored with the response."""
    if admitted.survey.is_capture_ip_enabled and visit.client_ip:
        return {"ipAddress": visit.client_ip}
    return {}


async def save_back(session: AsyncSession, admitted: Admitted, progress: Progress) -> None:
    """A step back moves the stored progress only: upstream sends nothing when going back."""
    if admitted.response is not None and not admitted.response.finished:
        await responses.save_progress(session, admitted.response, progress.stored())
