"""What each retention setting lets go, for the pruner (serve, worker) and `surveylink prune`."""

from surveylink.core.config import Settings
from surveylink.core.retention import Retention
from surveylink.mail.outbox import PRUNE_CAMPAIGNS, PRUNE_MESSAGES
from surveylink.shortlinks.service import PRUNE_SHORT_LINKS
from surveylink.webhooks.outbox import PRUNE_EVENTS


def retentions(settings: Settings) -> list[Retention]:
    """Every table that only grows, with its retention (0: kept forever), in pruning order."""
    return [
        Retention(PRUNE_EVENTS, settings.webhook_retention_days),
        Retention(PRUNE_MESSAGES, settings.mail_retention_days),
        Retention(PRUNE_CAMPAIGNS, settings.mail_retention_days),
        Retention(PRUNE_SHORT_LINKS, settings.short_link_retention_days),
    ]
