"""Stages mails in the caller's transaction: a mail exists if and only if the request that
asked for it was committed. The mail worker sends them later."""

from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.core.clock import utcnow
from surveylink.mail import repository
from surveylink.mail.models import MailCampaign


async def stage(session: AsyncSession, campaign: MailCampaign, contact_ids: Select[Any]) -> int:
    """Writes the campaign and one pending mail per contact `contact_ids` selects (one
    INSERT … SELECT); returns how many mails were staged."""
    await repository.add_campaign(session, campaign)
    return await repository.stage_messages(session, campaign, contact_ids, utcnow())
