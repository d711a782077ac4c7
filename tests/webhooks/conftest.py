from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from httpx import ASGITransport, AsyncClient

from surveylink.app import create_app
from surveylink.auth import service as auth_service
from surveylink.core.config import Settings
from surveylink.core.context import app_context
from surveylink.webhooks.delivery import DeliveryWorker, Policy
from tests.webhooks.receiver import Receiver

FAST = Policy(
    max_attempts=4,
    retry_base_seconds=0.05,
    timeout_seconds=2.0,
    allow_internal=True,
    poll_seconds=0.05,
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Receivers listen on 127.0.0.1, which only this setting lets webhooks reach."""
    return settings.model_copy(update={"allow_internal_webhook_urls": True})


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def make_worker(client: AsyncClient, policy: Policy = FAST) -> DeliveryWorker:
    app = client.app  # type: ignore[attr-defined]
    return DeliveryWorker(app_context(app).sessions, app_context(app).secret_box, policy)


@pytest.fixture
async def worker(client: AsyncClient) -> AsyncIterator[DeliveryWorker]:
    """The real delivery worker, running in the background (tests turn off the app's own)."""
    delivery = make_worker(client)
    async with delivery.running():
        yield delivery


@asynccontextmanager
async def api(settings: Settings, *, allow_internal: bool) -> AsyncIterator[AsyncClient]:
    """Another app on the same database, with DANGEROUSLY_ALLOW_WEBHOOK_INTERNAL_URLS as told."""
    app = create_app(settings.model_copy(update={"allow_internal_webhook_urls": allow_internal}))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as http:
        yield http
    await auth_service.drain()
    await app_context(app).close()
