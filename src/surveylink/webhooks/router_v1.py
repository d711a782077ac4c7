"""Upstream's v1 webhook API (v1 management spec §3; at `/api/v1/webhooks`, not under
`/management`): the same webhooks as v2's, through the same service, in v1's envelope."""

from typing import Annotated

from fastapi import APIRouter, Path

from surveylink.auth.deps import ManageKey, ReadKey, WriteKey
from surveylink.core.bodies import RawBody
from surveylink.core.context import ContextDep
from surveylink.core.db import SessionDep
from surveylink.core.envelopes import Data
from surveylink.core.routing import API_V1, V1Route
from surveylink.core.zod import Cuid2
from surveylink.webhooks import service
from surveylink.webhooks.schemas import WebhookOut

router = APIRouter(prefix=API_V1, tags=["Management API - Webhook"], route_class=V1Route)

WEBHOOKS = "/webhooks"
WEBHOOK = WEBHOOKS + "/{webhookId}"
WebhookId = Annotated[Cuid2, Path(alias="webhookId", description="The ID of the webhook")]


@router.get(WEBHOOKS, operation_id="getWebhooksV1")
async def get_webhooks(
    key: ReadKey, session: SessionDep, context: ContextDep
) -> Data[list[WebhookOut]]:
    """Every webhook of every environment of the key, with its signing secret."""
    rows = await service.list_all_webhooks(session, key)
    return Data(data=[service.webhook_out(row, context.secret_box) for row in rows])


@router.post(WEBHOOKS, operation_id="createWebhookV1")
async def create_webhook(
    key: WriteKey, body: RawBody, session: SessionDep, context: ContextDep
) -> Data[WebhookOut]:
    """Creates a webhook in the body's `environmentId` (optional when the key has exactly one
    environment); `surveyIds` empty or absent means every survey of the environment."""
    webhook = await service.create_webhook_from_json(
        session, key, body, context.secret_box, context.settings.allow_internal_webhook_urls
    )
    return Data(data=service.webhook_out(webhook, context.secret_box))


@router.get(WEBHOOK, operation_id="getWebhookV1")
async def get_webhook(
    key: ReadKey, session: SessionDep, context: ContextDep, webhook_id: WebhookId
) -> Data[WebhookOut]:
    """Gets one webhook, with its signing secret."""
    webhook = await service.get_webhook_for_key(session, key, webhook_id)
    return Data(data=service.webhook_out(webhook, context.secret_box))


@router.delete(WEBHOOK, operation_id="deleteWebhookV1")
async def delete_webhook(
    key: ManageKey, session: SessionDep, context: ContextDep, webhook_id: WebhookId
) -> Data[WebhookOut]:
    """Deletes a webhook (manage permission) and answers with it."""
    webhook = await service.delete_webhook(session, key, webhook_id)
    return Data(data=service.webhook_out(webhook, context.secret_box))
