"""Webhook CRUD as upstream's v2 management API does it (resources spec §4.3), plus the
delivery log and manual retries (ours)."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.auth.permissions import AuthKey, authorize
from surveylink.core.bodies import parse_body
from surveylink.core.clock import utcnow
from surveylink.core.errors import BadRequest, Conflict, Forbidden, NotFound, Resource
from surveylink.core.ids import cuid
from surveylink.core.pagination import ListParams
from surveylink.webhooks import repository
from surveylink.webhooks.models import DeliveryStatus, Webhook, WebhookEvent
from surveylink.webhooks.schemas import (
    DeliveryOut,
    V1WebhookCreate,
    WebhookCreate,
    WebhookOut,
    WebhookUpdate,
)
from surveylink.webhooks.secrets import SecretBox, new_secret
from surveylink.webhooks.urls import UnsafeUrl, check_url

ENVIRONMENT_MISMATCH = "webhook environment does not match the surveys environment"


def webhook_out(webhook: Webhook, box: SecretBox) -> WebhookOut:
    """The wire object, secret included as upstream returns it (opened from its seal)."""
    out = WebhookOut.model_validate(webhook)
    return out.model_copy(update={"secret": box.open(webhook.id, webhook.secret)})


async def list_webhooks(
    session: AsyncSession, key: AuthKey, params: ListParams
) -> tuple[list[Webhook], int]:
    return await repository.list_webhooks(session, key.environment_ids, params)


async def list_all_webhooks(session: AsyncSession, key: AuthKey) -> list[Webhook]:
    """Every webhook of every environment of the key, oldest first (upstream's v1 list)."""
    return await repository.list_all_webhooks(session, key.environment_ids)


async def get_webhook_for_key(session: AsyncSession, key: AuthKey, webhook_id: str) -> Webhook:
    """The webhook if the key holds its route's permission on its environment: 404, then 401."""
    return authorize(
        await repository.get_webhook(session, webhook_id),
        key,
        Resource.WEBHOOK,
        webhook_id,
    )


async def create_webhook(
    session: AsyncSession, key: AuthKey, body: WebhookCreate, box: SecretBox, allow_internal: bool
) -> Webhook:
    surveys_environment = await _surveys_environment(session, body.survey_ids)
    if not key.allows(body.environment_id):
        raise Forbidden()
    if surveys_environment not in (None, body.environment_id):
        # Ours: upstream stores a webhook that can never fire (docs/compatibility.md).
        raise BadRequest.on("surveys id", ENVIRONMENT_MISMATCH)
    await _check_url(body.url, allow_internal)
    now = utcnow()
    webhook = Webhook(
        id=cuid(),
        name=body.name,
        url=body.url,
        source=body.source,
        environment_id=body.environment_id,
        triggers=list(body.triggers),
        survey_ids=list(body.survey_ids),
        created_at=now,
        updated_at=now,
    )
    webhook.secret = box.seal(webhook.id, new_secret())
    await repository.add_webhook(session, webhook)
    return webhook


async def create_webhook_from_json(
    session: AsyncSession, key: AuthKey, raw: bytes, box: SecretBox, allow_internal: bool
) -> Webhook:
    """v1's create: the body is parsed once the key was checked. A body that names no
    environment takes the key's only one (ours: n8n and Activepieces send none)."""
    body = parse_body(raw, V1WebhookCreate, environment_id=key.only_environment_id)
    return await create_webhook(session, key, body, box, allow_internal)


async def update_webhook(
    session: AsyncSession,
    key: AuthKey,
    webhook_id: str,
    body: WebhookUpdate,
    allow_internal: bool,
) -> Webhook:
    """Overwrites name, url, source, triggers and surveyIds; the secret stays."""
    surveys_environment = await _surveys_environment(session, body.survey_ids)
    webhook = await get_webhook_for_key(session, key, webhook_id)
    if surveys_environment not in (None, webhook.environment_id):
        raise BadRequest.on("surveys id", ENVIRONMENT_MISMATCH)
    await _check_url(body.url, allow_internal)
    webhook.name = body.name
    webhook.url = body.url
    webhook.source = body.source
    webhook.triggers = list(body.triggers)
    webhook.survey_ids = list(body.survey_ids)
    webhook.disabled_at = None  # a receiver that answered 410 gets another chance
    webhook.updated_at = utcnow()
    await session.flush()
    return webhook


async def delete_webhook(session: AsyncSession, key: AuthKey, webhook_id: str) -> Webhook:
    webhook = await get_webhook_for_key(session, key, webhook_id)
    await repository.delete_webhook(session, webhook)
    return webhook


async def _surveys_environment(session: AsyncSession, survey_ids: Sequence[str]) -> str | None:
    """The one environment of the listed surveys (None for an empty list); upstream's 404 when
    one is missing or listed twice, 400 when they span environments."""
    if not survey_ids:
        return None
    environments = await repository.get_survey_environments(session, survey_ids)
    if len(environments) != len(survey_ids):
        raise NotFound(Resource.SURVEY, None)
    if len(set(environments.values())) > 1:
        raise BadRequest.on("surveyIds", "not all surveys are in the same environment")
    return next(iter(environments.values()))


async def _check_url(url: str, allow_internal: bool) -> None:
    try:
        await check_url(url, allow_internal)
    except UnsafeUrl as error:
        raise error.as_error() from None


async def list_deliveries(
    session: AsyncSession, key: AuthKey, webhook_id: str, limit: int, skip: int
) -> tuple[list[DeliveryOut], int]:
    """The webhook's latest delivery attempts, newest first."""
    webhook = await get_webhook_for_key(session, key, webhook_id)
    rows, total = await repository.list_deliveries(session, webhook.id, limit, skip)
    deliveries = [
        DeliveryOut(
            id=delivery.id,
            created_at=delivery.created_at,
            webhook_id=delivery.webhook_id,
            event_id=delivery.event_id,
            event=event,
            attempt=delivery.attempt,
            status_code=delivery.status_code,
            duration_ms=delivery.duration_ms,
            error=delivery.error,
        )
        for delivery, event in rows
    ]
    return deliveries, total


async def retry_delivery(
    session: AsyncSession, key: AuthKey, webhook_id: str, delivery_id: str
) -> WebhookEvent:
    """Schedules the delivery's event for one more attempt now, with the same `webhook-id`."""
    webhook = await get_webhook_for_key(session, key, webhook_id)
    delivery = await repository.get_delivery(session, delivery_id)
    if delivery is None or delivery.webhook_id != webhook.id:
        raise NotFound(Resource.DELIVERY, delivery_id)
    if webhook.disabled_at is not None:
        raise BadRequest.on("webhook", "disabled after the receiver answered 410 Gone")
    event = await repository.get_event(session, delivery.event_id)
    if event is None:
        raise NotFound(Resource.DELIVERY, delivery_id)
    now = utcnow()
    leased = webhook.lease_token is not None and (webhook.leased_until or now) > now
    if event.status == DeliveryStatus.DELIVERING and leased:
        raise Conflict.on("delivery", "an attempt is in progress")
    if not await repository.retry_event(session, webhook, event, now):
        raise NotFound(Resource.DELIVERY, delivery_id)  # pruned meanwhile (retention)
    return event
