"""Stages mails in the caller's transaction: a mail exists if and only if the request that
asked for it was committed. The mail worker sends them later."""

from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.core.clock import utcnow
from surveylink.core.retention import PruneTarget
from surveylink.mail import repository
from surveylink.mail.models import MailCampaign


async def stage(session: AsyncSession, campaign: MailCampaign, contact_ids: Select[Any]) -> int:
    """Writes the campaign and one pending mail per contact `contact_ids` selects (one
    INSERT … SELECT); returns how many mails were staged."""
    await repository.add_campaign(session, campaign)
    return await repository.stage_messages(session, campaign, contact_ids, utcnow())


# Sent, failed and skipped mails once untouched for the retention, then the campaigns left with
# no mail: campaign status reads contact_link_states, never these rows.
PRUNE_MESSAGES = PruneTarget(
    "mails",
    repository.find_prunable_messages,
    repository.delete_messages,
    repository.count_prunable_messages,
)
PRUNE_CAMPAIGNS = PruneTarget(
    "mail campaigns",
    repository.find_prunable_campaigns,
    repository.delete_campaigns,
    repository.count_prunable_campaigns,
)
