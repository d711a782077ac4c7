"""A personal-link campaign: invitations and reminders into the mail outbox, each contact's
status, and revocation of the links a contact was given."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.auth.permissions import AuthKey, authorize
from surveylink.campaigns import repository
from surveylink.campaigns.issuance import IssuanceLog
from surveylink.campaigns.schemas import (
    CampaignOut,
    ContactLinkStatus,
    InvitationCreate,
    Progress,
    ReminderCreate,
    Revocation,
    StatusFilter,
)
from surveylink.core.clock import utcnow
from surveylink.core.errors import BadRequest, NotFound, Resource
from surveylink.links.tokens import VerifiedLink
from surveylink.mail import outbox
from surveylink.mail.models import INVITATION, REMINDER, MailCampaign
from surveylink.segments import service as segments
from surveylink.surveys import service as surveys
from surveylink.surveys.models import Survey

SMTP_MISSING = "SMTP is not configured: set SMTP_HOST and MAIL_FROM to send mail"


async def _survey(session: AsyncSession, key: AuthKey, survey_id: str) -> Survey:
    survey = await surveys.get_survey(session, survey_id)
    return authorize(survey, key, Resource.SURVEY, survey_id)


def _mailable(survey: Survey, smtp_configured: bool) -> None:
    if survey.type != "link":
        raise BadRequest.on("surveyId", "Not a link survey")
    if survey.status != "inProgress":
        raise BadRequest.on("surveyId", "Survey is not in progress")
    if not smtp_configured:
        raise BadRequest.on("smtp", SMTP_MISSING)


async def _scope(
    session: AsyncSession, survey: Survey, segment_id: str | None, contact_ids: list[str] | None
) -> ColumnElement[bool]:
    """Which contacts of the survey's environment a request is about, as one condition."""
    if contact_ids is not None:
        return repository.contacts_among(contact_ids)
    if segment_id is None:
        return repository.every_contact()
    segment = await repository.get_segment(session, segment_id)
    if segment is None:
        raise NotFound(Resource.SEGMENT, segment_id)
    if segment.environment_id != survey.environment_id:
        raise BadRequest.on("segmentId", "Environment mismatch")
    return await segments.segment_condition(session, segment)


async def _stage(
    session: AsyncSession,
    survey: Survey,
    kind: str,
    body: InvitationCreate | ReminderCreate,
    scope: ColumnElement[bool],
    targets: Select[Any],
) -> CampaignOut:
    campaign = MailCampaign(
        survey_id=survey.id,
        kind=kind,
        subject=body.subject,
        html=body.html,
        text=body.text,
        expiration_days=body.expiration_days,
        segment_id=body.segment_id,
    )
    queued = await outbox.stage(session, campaign, targets)
    await repository.mark_queued(session, campaign.id, kind, utcnow())
    if body.contact_ids is not None:
        targeted = len(set(body.contact_ids))
    else:
        targeted = await repository.count_contacts(session, survey.environment_id, scope)
    return CampaignOut(
        id=campaign.id,
        kind=kind,
        survey_id=survey.id,
        segment_id=campaign.segment_id,
        created_at=campaign.created_at,
        queued=queued,
        skipped=max(targeted - queued, 0),
    )


async def send_invitations(
    session: AsyncSession,
    key: AuthKey,
    survey_id: str,
    body: InvitationCreate,
    smtp_configured: bool,
) -> CampaignOut:
    """Stages one invitation per targeted contact in this transaction (INSERT … SELECT)."""
    survey = await _survey(session, key, survey_id)
    _mailable(survey, smtp_configured)
    scope = await _scope(session, survey, body.segment_id, body.contact_ids)
    email_key_id = await repository.get_email_key_id(session, survey.environment_id)
    targets = repository.no_contacts()
    if email_key_id is not None:
        targets = repository.invitation_targets(
            survey.id, survey.environment_id, email_key_id, scope, body.resend
        )
    return await _stage(session, survey, INVITATION, body, scope, targets)


async def send_reminders(
    session: AsyncSession,
    key: AuthKey,
    survey_id: str,
    body: ReminderCreate,
    smtp_configured: bool,
) -> CampaignOut:
    """Stages one reminder per invited contact who has not finished, was last mailed at least
    `minGapHours` ago and was reminded fewer than `maxReminders` times."""
    survey = await _survey(session, key, survey_id)
    _mailable(survey, smtp_configured)
    scope = await _scope(session, survey, body.segment_id, body.contact_ids)
    email_key_id = await repository.get_email_key_id(session, survey.environment_id)
    targets = repository.no_contacts()
    if email_key_id is not None:
        cutoff = utcnow() - timedelta(hours=body.min_gap_hours)
        targets = repository.reminder_targets(
            survey.id, survey.environment_id, email_key_id, scope, cutoff, body.max_reminders
        )
    return await _stage(session, survey, REMINDER, body, scope, targets)


async def record_mail(
    session: AsyncSession,
    survey_id: str,
    contact_id: str,
    kind: str,
    status: str,
    error: str | None,
    now: datetime,
) -> None:
    """The mail worker's outcome of one mail, on the contact's state."""
    await repository.record_mail(session, survey_id, contact_id, kind, status, error, now)


async def contact_status(
    session: AsyncSession,
    key: AuthKey,
    survey_id: str,
    params: StatusFilter,
    issuance: IssuanceLog | None,
) -> tuple[list[ContactLinkStatus], int]:
    """One page of the environment's (or segment's) contacts with their campaign status."""
    survey = await _survey(session, key, survey_id)
    scope = await _scope(session, survey, params.segment_id, None)
    if issuance is not None:
        await issuance.flush()  # this process's links count at once
    email_key_id = await repository.get_email_key_id(session, survey.environment_id)
    rows = await repository.status_page(
        session,
        survey.id,
        survey.environment_id,
        scope,
        params.state,
        email_key_id,
        params.limit,
        params.skip,
    )
    if rows:
        total = int(rows[0].total)
    else:
        total = await repository.count_status(
            session, survey.id, survey.environment_id, scope, params.state
        )
    return [_status(row) for row in rows], total


def _status(row: Any) -> ContactLinkStatus:
    state = row.ContactLinkState
    invitation_count = state.invitation_count if state else 0
    invitation_status = state.invitation_status if state else None
    progress: Progress = "notInvited"
    if row.finished:
        progress = "finished"
    elif row.response_id is not None:
        progress = "started"
    elif row.open_count:
        progress = "opened"
    elif invitation_count:
        progress = "invited"
    elif invitation_status == "failed":
        progress = "mailFailed"
    elif invitation_status == "queued":
        progress = "queued"
    return ContactLinkStatus(
        contact_id=row.contact_id,
        email=row.email,
        state=progress,
        invitation_status=invitation_status,
        invitation_count=invitation_count,
        first_invited_at=state.first_invited_at if state else None,
        last_invited_at=state.last_invited_at if state else None,
        reminder_status=state.reminder_status if state else None,
        reminder_count=state.reminder_count if state else 0,
        last_reminded_at=state.last_reminded_at if state else None,
        last_mail_error=state.last_mail_error if state else None,
        link_issue_count=state.link_issue_count if state else 0,
        link_first_issued_at=state.link_first_issued_at if state else None,
        link_last_issued_at=state.link_last_issued_at if state else None,
        open_count=int(row.open_count or 0),
        first_opened_at=row.first_opened_at,
        response_id=row.response_id,
        started_at=row.started_at,
        finished_at=row.response_updated_at if row.finished else None,
        revoked_at=state.revoked_at if state else None,
    )


async def revoke_links(
    session: AsyncSession, key: AuthKey, survey_id: str, contact_id: str
) -> Revocation:
    """Refuses every link issued to the contact for the survey until now; later ones work."""
    survey = await _survey(session, key, survey_id)
    if await repository.get_contact_environment(session, contact_id) != survey.environment_id:
        raise NotFound(Resource.CONTACT, contact_id)
    # The clock links are stamped with (links/service.py:build_link), to the microsecond.
    now_us = time.time_ns() // 1000
    at = datetime.fromtimestamp(now_us // 1_000_000, UTC).replace(microsecond=now_us % 1_000_000)
    await repository.revoke(session, survey.id, contact_id, at)
    return Revocation(survey_id=survey.id, contact_id=contact_id, revoked_at=at)


async def link_admitted(session: AsyncSession, link: VerifiedLink) -> bool:
    """False when the link was issued before its contact's links to the survey were revoked."""
    revoked_at = await repository.get_revoked_at(
        session, link.claims.survey_id, link.claims.contact_id
    )
    return link.issued_after(_microseconds(revoked_at))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _microseconds(value: datetime | None) -> int | None:
    return None if value is None else (value - _EPOCH) // timedelta(microseconds=1)
