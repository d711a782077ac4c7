"""Stages webhook events in the caller's transaction: an event exists if and only if the
response write that caused it was committed. The delivery worker sends them later."""

import json
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.core.clock import iso, utcnow
from surveylink.core.ids import cuid
from surveylink.responses.models import Response
from surveylink.responses.schemas import contact_ref
from surveylink.surveys.models import Survey
from surveylink.webhooks import repository
from surveylink.webhooks.models import Webhook, WebhookEvent

logger = logging.getLogger("surveylink.webhooks")

RESPONSE_CREATED = "responseCreated"
RESPONSE_UPDATED = "responseUpdated"
RESPONSE_FINISHED = "responseFinished"
_META_KEYS = ("source", "url", "userAgent", "country", "action", "ipAddress")


async def enqueue(
    session: AsyncSession, events: Sequence[str], response: Response, survey: Survey
) -> int:
    """One outbox row per (event, subscribed webhook); returns how many were staged.

    A failure here is logged and swallowed (inside a savepoint): it must never fail the
    response write that caused it.
    """
    try:
        async with session.begin_nested():
            webhooks = await repository.get_active_webhooks(session, survey.environment_id)
            data = response_data(response, survey)
            now = utcnow()
            rows = [
                WebhookEvent(
                    id=cuid(),
                    webhook_id=webhook.id,
                    event=event,
                    payload=_body(webhook.id, event, data),
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                    updated_at=now,
                )
                for event in events
                for webhook in webhooks
                if _subscribed(webhook, event, survey.id)
            ]
            if rows:
                await repository.add_events(session, rows)
    except SQLAlchemyError:
        logger.exception("could not stage webhook events %s for response %s", events, response.id)
        return 0
    return len(rows)


def _subscribed(webhook: Webhook, event: str, survey_id: str) -> bool:
    return event in webhook.triggers and (not webhook.survey_ids or survey_id in webhook.survey_ids)


def _body(webhook_id: str, event: str, data: dict[str, Any]) -> str:
    # Compact, non-ASCII kept: the bytes JavaScript's JSON.stringify would send.
    payload = {"webhookId": webhook_id, "event": event, "data": data}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def response_data(response: Response, survey: Survey) -> dict[str, Any]:
    """Upstream's webhook `data`: these keys in this order (resources spec §4.5)."""
    return {
        "id": response.id,
        "createdAt": iso(response.created_at),
        "updatedAt": iso(response.updated_at),
        "surveyId": response.survey_id,
        "displayId": response.display_id,
        "contact": contact_ref(response),
        "contactAttributes": response.contact_attributes,
        "finished": response.finished,
        "endingId": response.ending_id,
        "data": response.data,
        "variables": response.variables,
        "ttc": response.ttc,
        "tags": [],
        "meta": {key: response.meta[key] for key in _META_KEYS if key in response.meta},
        "singleUseId": response.single_use_id,
        "language": response.language,
        "survey": {
            "title": survey.name,
            "type": survey.type,
            "status": survey.status,
            "createdAt": iso(survey.created_at),
            "updatedAt": iso(survey.updated_at),
        },
    }
