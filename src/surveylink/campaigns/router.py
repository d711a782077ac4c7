from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from surveylink.auth.deps import ManageKey, ReadKey, WriteKey
from surveylink.campaigns import service
from surveylink.campaigns.schemas import (
    CampaignOut,
    ContactLinkStatus,
    InvitationCreate,
    ReminderCreate,
    Revocation,
    StatusFilter,
)
from surveylink.core.context import ContextDep
from surveylink.core.db import SessionDep
from surveylink.core.envelopes import Data, Page, PageMeta
from surveylink.core.errors import error_responses
from surveylink.core.routing import API_V2, ApiRoute
from surveylink.core.zod import Cuid2

router = APIRouter(
    prefix=API_V2, tags=["Management API - Surveys - Contact Links"], route_class=ApiRoute
)

SURVEY = "/management/surveys/{surveyId}"
SurveyId = Annotated[Cuid2, Path(alias="surveyId", description="The ID of the survey")]
ContactId = Annotated[Cuid2, Path(alias="contactId", description="The ID of the contact")]


@router.post(
    SURVEY + "/invitations",
    operation_id="sendSurveyInvitations",
    summary="Invite contacts to a survey by email",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(400, 404),
)
async def send_survey_invitations(
    key: WriteKey,
    session: SessionDep,
    context: ContextDep,
    survey_id: SurveyId,
    body: InvitationCreate,
) -> Data[CampaignOut]:
    """Queues one invitation mail, with the contact's own personal link, for each contact of
    a segment or of a list (surveylink extension; write permission). The mails are written to
    an outbox in this request's transaction and sent by the mail worker, with retries, at most
    once per contact and request. Skipped: contacts without a valid `email` attribute, those
    who finished the survey, and those already invited (unless `resend`). The survey must be a
    link survey in progress, and SMTP must be configured (400 otherwise). Each contact's
    progress shows in `GET …/contact-links/status`."""
    smtp_configured = context.smtp is not None
    campaign = await service.send_invitations(session, key, survey_id, body, smtp_configured)
    return Data(data=campaign)


@router.post(
    SURVEY + "/reminders",
    operation_id="sendSurveyReminders",
    summary="Remind invited contacts who have not finished",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(400, 404),
)
async def send_survey_reminders(
    key: WriteKey,
    session: SessionDep,
    context: ContextDep,
    survey_id: SurveyId,
    body: ReminderCreate,
) -> Data[CampaignOut]:
    """Queues one reminder, with a fresh personal link, for each invited contact (an
    invitation was sent) who has no finished response, was last mailed at least `minGapHours`
    hours ago, has been reminded fewer than `maxReminders` times and has no mail pending
    (surveylink extension; write permission). Optionally only within a segment or a list."""
    smtp_configured = context.smtp is not None
    campaign = await service.send_reminders(session, key, survey_id, body, smtp_configured)
    return Data(data=campaign)


@router.get(
    SURVEY + "/contact-links/status",
    operation_id="getContactLinkStatus",
    summary="Each contact's invitation, link and response status",
    responses=error_responses(400, 404),
)
async def get_contact_link_status(
    key: ReadKey,
    session: SessionDep,
    context: ContextDep,
    survey_id: SurveyId,
    params: Annotated[StatusFilter, Query()],
) -> Page[ContactLinkStatus]:
    """For each contact of the survey's environment (or of `segmentId`), newest first: the
    invitations and reminders sent (when, how many, the latest delivery's status), the links
    handed out, the opens of the personal-link page, the response's start and finish, and any
    revocation (surveylink extension; read permission). `state` filters, e.g. `notFinished`
    for the non-responders. Links handed out by other processes appear within a second."""
    rows, total = await service.contact_status(
        session, key, survey_id, params, context.links.issuance
    )
    return Page(data=rows, meta=PageMeta(total=total, limit=params.limit, offset=params.skip))


@router.delete(
    SURVEY + "/contact-links/contacts/{contactId}",
    operation_id="revokeContactLinks",
    summary="Revoke a contact's personal links to a survey",
    responses=error_responses(404),
)
async def revoke_contact_links(
    key: ManageKey, session: SessionDep, survey_id: SurveyId, contact_id: ContactId
) -> Data[Revocation]:
    """Revokes every personal link issued so far to this contact for this survey: opening one
    shows the invalid-link page (404). Links issued afterwards work, even within the same
    second. Links of other contacts and surveys are untouched (surveylink extension; manage
    permission)."""
    revocation = await service.revoke_links(session, key, survey_id, contact_id)
    return Data(data=revocation)
