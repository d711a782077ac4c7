"""A seeded workspace for hostile requests: one of every resource a request can name."""

from collections.abc import AsyncIterator

import pytest
from httpx import ASGITransport, AsyncClient

from surveylink.app import create_app
from surveylink.core.config import Settings
from surveylink.core.context import app_context
from tests.factories import ApiEnv
from tests.hostile.corpus import Seed
from tests.respondent.helpers import ENDINGS, EVERY_TYPE, personal_link


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The seeded webhook points at a closed loopback port; no worker runs, nothing is sent.
    return settings.model_copy(update={"allow_internal_webhook_urls": True})


@pytest.fixture
async def raw(settings: Settings) -> AsyncIterator[AsyncClient]:
    """A client that sees a 500 as a 500 (not as an exception raised into the test)."""
    app = create_app(settings)
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    await app_context(app).close()


@pytest.fixture
async def seed(env: ApiEnv) -> Seed:
    survey = await env.create_survey(status="inProgress", questions=EVERY_TYPE, endings=ENDINGS)
    other = await env.create_contact("grace@example.com", userId="grace")
    contact = await env.create_contact("ada@example.com", userId="ada", firstName="Ada")
    response = await env.create_response(survey["id"], other["id"])
    webhook = await env.create_webhook("http://127.0.0.1:9/hook")
    keys = await env.client.get("/api/v2/management/contact-attribute-keys", headers=env.headers)
    attribute_key = next(k["id"] for k in keys.json()["data"] if k["key"] == "firstName")
    segment = await env.create_segment("everyone", [])
    link = await personal_link(env, survey["id"], contact["id"])
    return Seed(
        survey["id"], contact["id"], response["id"], webhook["id"], attribute_key, segment, link
    )
