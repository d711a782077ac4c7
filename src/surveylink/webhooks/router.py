from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from surveylink.auth.deps import ManageKey, ReadKey, WriteKey
from surveylink.core.context import ContextDep
from surveylink.core.db import SessionDep
from surveylink.core.envelopes import Data, Page, PageMeta
from surveylink.core.errors import error_responses
from surveylink.core.routing import API_V2, ApiRoute
from surveylink.core.zod import Cuid2
from surveylink.webhooks import service
from surveylink.webhooks.schemas import (
    DeliveryFilter,
    DeliveryOut,
    EventOut,
    WebhookCreate,
    WebhookFilter,
    WebhookOut,
    WebhookUpdate,
)

router = APIRouter(prefix=API_V2, tags=["Management API - Webhooks"], route_class=ApiRoute)

WEBHOOKS = "/management/webhooks"
# The contract writes `{id}`; upstream validates it as `webhookId`, the name its 422 details
# carry, so the path names it that way.
WEBHOOK = WEBHOOKS + "/{webhookId}"
WebhookId = Annotated[Cuid2, Path(alias="webhookId", description="The ID of the webhook")]
DeliveryId = Annotated[Cuid2, Path(alias="deliveryId", description="The ID of the delivery")]


@router.get(WEBHOOKS, operation_id="getWebhooks")
async def get_webhooks(
    key: ReadKey,
    session: SessionDep,
    context: ContextDep,
    params: Annotated[WebhookFilter, Query()],
) -> Page[WebhookOut]:
    """Gets webhooks from the database."""
    rows, total = await service.list_webhooks(session, key, params)
    return Page(
        data=[service.webhook_out(row, context.secret_box) for row in rows],
        meta=PageMeta(total=total, limit=params.limit, offset=params.skip),
    )


@router.post(
    WEBHOOKS,
    operation_id="createWebhook",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 403, 404),
)
async def create_webhook(
    key: WriteKey,
    session: SessionDep,
    context: ContextDep,
    body: WebhookCreate,
) -> Data[WebhookOut]:
    """Creates a webhook in the database."""
    webhook = await service.create_webhook(
        session, key, body, context.secret_box, context.settings.allow_internal_webhook_urls
    )
    return Data(data=service.webhook_out(webhook, context.secret_box))


@router.get(WEBHOOK, operation_id="getWebhook", responses=error_responses(404))
async def get_webhook(
    key: ReadKey, session: SessionDep, context: ContextDep, webhook_id: WebhookId
) -> Data[WebhookOut]:
    """Gets a webhook from the database."""
    webhook = await service.get_webhook_for_key(session, key, webhook_id)
    return Data(data=service.webhook_out(webhook, context.secret_box))


@router.put(WEBHOOK, operation_id="updateWebhook", responses=error_responses(400, 404))
async def update_webhook(
    key: WriteKey,
    session: SessionDep,
    context: ContextDep,
    webhook_id: WebhookId,
    body: WebhookUpdate,
) -> Data[WebhookOut]:
    """Updates a webhook in the database."""
    webhook = await service.update_webhook(
        session, key, webhook_id, body, context.settings.allow_internal_webhook_urls
    )
    return Data(data=service.webhook_out(webhook, context.secret_box))


@router.delete(WEBHOOK, operation_id="deleteWebhook", responses=error_responses(404))
async def delete_webhook(
    key: ManageKey, session: SessionDep, context: ContextDep, webhook_id: WebhookId
) -> Data[WebhookOut]:
    """Deletes a webhook from the database."""
    webhook = await service.delete_webhook(session, key, webhook_id)
    return Data(data=service.webhook_out(webhook, context.secret_box))


@router.get(
    WEBHOOK + "/deliveries", operation_id="getWebhookDeliveries", responses=error_responses(404)
)
async def get_webhook_deliveries(
    key: ReadKey,
    session: SessionDep,
    webhook_id: WebhookId,
    params: Annotated[DeliveryFilter, Query()],
) -> Page[DeliveryOut]:
    """Lists the webhook's most recent delivery attempts, newest first, with the receiver's
    status code, the duration and the error (surveylink extension)."""
    deliveries, total = await service.list_deliveries(
        session, key, webhook_id, params.limit, params.skip
    )
    return Page(data=deliveries, meta=PageMeta(total=total, limit=params.limit, offset=params.skip))


@router.post(
    WEBHOOK + "/deliveries/{deliveryId}/retry",
    operation_id="retryWebhookDelivery",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(404),
)
async def retry_webhook_delivery(
    key: WriteKey, session: SessionDep, webhook_id: WebhookId, delivery_id: DeliveryId
) -> Data[EventOut]:
    """Sends the delivery's event again, now, with the same `webhook-id` (surveylink
    extension)."""
    event = await service.retry_delivery(session, key, webhook_id, delivery_id)
    return Data(data=EventOut.model_validate(event))
