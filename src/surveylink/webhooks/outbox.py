"""Stages webhook events in the caller's transaction: an event exists if and only if the
response write that caused it was committed. The delivery worker sends them later."""

import logging
import time
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.core.clock import utcnow
from surveylink.core.ids import cuid
from surveylink.core.retention import PruneTarget
from surveylink.responses.models import Response
from surveylink.storage.names import absolute_urls
from surveylink.surveys.models import Survey
from surveylink.webhooks import repository
from surveylink.webhooks.models import DeliveryStatus, Webhook, WebhookEvent
from surveylink.webhooks.schemas import (
    WebhookContact,
    WebhookPayload,
    WebhookResponseData,
    WebhookSurvey,
)

logger = logging.getLogger("surveylink.webhooks")

RESPONSE_CREATED = "responseCreated"
RESPONSE_UPDATED = "responseUpdated"
RESPONSE_FINISHED = "responseFinished"
_META_KEYS = ("source", "url", "userAgent", "country", "action", "ipAddress")

# Delivered and failed events, with their attempts, once untouched for the retention: the
# deliveries API then no longer lists them, and they can no longer be retried.
PRUNE_EVENTS = PruneTarget(
    "webhook events",
    repository.find_prunable_events,
    repository.delete_events,
    repository.count_prunable_events,
)


async def enqueue(
    session: AsyncSession,
    events: Sequence[str],
    response: Response,
    survey: Survey,
    base_url: str,
) -> int:
    """One outbox row per (event, subscribed webhook); returns how many were staged. Relative
    storage URLs in the response's `data` start with `base_url` in the payload, as upstream's.

    A failure here is logged and swallowed (inside a savepoint): it must never fail the
    response write that caused it.
    """
    try:
        async with session.begin_nested():
            webhooks = await repository.get_active_webhooks(session, survey.environment_id)
            data = response_data(response, survey, base_url)
            now = utcnow()
            staged = [
                (event, webhook)
                for event in events
                for webhook in webhooks
                if _subscribed(webhook, event, survey.id)
            ]
            first = time.time_ns()  # each webhook's queue is in staging order
            rows = [
                WebhookEvent(
                    id=cuid(),
                    webhook_id=webhook.id,
                    seq=first + position,
                    event=event,
                    payload=WebhookPayload(webhook_id=webhook.id, event=event, data=data).body(),
                    status=DeliveryStatus.PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                    updated_at=now,
                )
                for position, (event, webhook) in enumerate(staged)
            ]
            if rows:
                await repository.add_events(session, rows)
    except SQLAlchemyError:
        logger.exception("could not stage webhook events %s for response %s", events, response.id)
        return 0
    return len(rows)


def _subscribed(webhook: Webhook, event: str, survey_id: str) -> bool:
    return event in webhook.triggers and (not webhook.survey_ids or survey_id in webhook.survey_ids)


def response_data(response: Response, survey: Survey, base_url: str) -> WebhookResponseData:
    """Upstream's webhook `data` for this response (resources spec §4.5)."""
    attributes = response.contact_attributes
    contact = None
    if response.contact_id is not None:
        user_id = attributes.get("userId") if attributes else None
        contact = WebhookContact(id=response.contact_id, user_id=user_id)
    return WebhookResponseData(
        id=response.id,
        created_at=response.created_at,
        updated_at=response.updated_at,
        survey_id=response.survey_id,
        display_id=response.display_id,
        contact=contact,
        contact_attributes=attributes,
        finished=response.finished,
        ending_id=response.ending_id,
        data=absolute_urls(response.data, base_url),
        variables=response.variables,
        ttc=response.ttc,
        tags=[],
        meta={key: response.meta[key] for key in _META_KEYS if key in response.meta},
        single_use_id=response.single_use_id,
        language=response.language,
        survey=WebhookSurvey(
            title=survey.name,
            type=survey.type,
            status=survey.status,
            created_at=survey.created_at,
            updated_at=survey.updated_at,
        ),
    )
