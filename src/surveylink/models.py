"""Every table, imported once: the registry Alembic and the tests read."""

from surveylink.action_classes.models import ActionClass
from surveylink.attribute_keys.models import ContactAttributeKey
from surveylink.auth.models import ApiKey, ApiKeyEnvironment
from surveylink.campaigns.models import ContactLinkState
from surveylink.contacts.models import Contact, ContactAttribute
from surveylink.core.db import Base
from surveylink.environments.models import Environment, Organization, Project
from surveylink.health.models import HealthProbe
from surveylink.mail.models import MailCampaign, MailMessage
from surveylink.responses.models import Display, Response
from surveylink.segments.models import Segment
from surveylink.shortlinks.models import ShortLink
from surveylink.surveys.models import Survey
from surveylink.webhooks.models import Webhook, WebhookDelivery, WebhookEvent

__all__ = [
    "ActionClass",
    "ApiKey",
    "ApiKeyEnvironment",
    "Base",
    "Contact",
    "ContactAttribute",
    "ContactAttributeKey",
    "ContactLinkState",
    "Display",
    "Environment",
    "HealthProbe",
    "MailCampaign",
    "MailMessage",
    "Organization",
    "Project",
    "Response",
    "Segment",
    "ShortLink",
    "Survey",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
]
