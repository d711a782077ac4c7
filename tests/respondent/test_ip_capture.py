"""isCaptureIpEnabled: the respondent's address in the response's meta."""

from collections.abc import AsyncIterator

import pytest
from httpx import ASGITransport, AsyncClient

from surveylink.app import create_app
from surveylink.auth import service as auth_service
from surveylink.core.config import Settings
from surveylink.core.context import app_context
from tests.factories import QUESTION_ID, ApiEnv
from tests.respondent.helpers import post_step, stored_responses, survey_and_link

FORWARDED = {"x-forwarded-for": "203.0.113.9"}


@pytest.fixture
async def proxied(settings: Settings) -> AsyncIterator[AsyncClient]:
    """The app behind a proxy on 127.0.0.1 (the test client's address)."""
    app = create_app(settings.model_copy(update={"trusted_proxies": "127.0.0.0/8"}))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as http:
        yield http
    await auth_service.drain()
    await app_context(app).close()


async def test_address_is_stored_when_the_survey_captures_it(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey, _, link = await survey_and_link(env, isCaptureIpEnabled=True)
    client.headers.update(FORWARDED)  # from a peer that is no trusted proxy: ignored

    await post_step(client, link, 0, {QUESTION_ID: "Ada"})

    [response] = await stored_responses(settings, survey["id"])
    assert response.meta["ipAddress"] == "127.0.0.1"


async def test_forwarded_address_is_stored_behind_a_trusted_proxy(
    proxied: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey, _, link = await survey_and_link(env, isCaptureIpEnabled=True)
    proxied.headers.update(FORWARDED)

    await post_step(proxied, link, 0, {QUESTION_ID: "Ada"})

    [response] = await stored_responses(settings, survey["id"])
    assert response.meta["ipAddress"] == "203.0.113.9"


async def test_no_address_is_stored_when_capture_is_off(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey, _, link = await survey_and_link(env)

    await post_step(client, link, 0, {QUESTION_ID: "Ada"})

    [response] = await stored_responses(settings, survey["id"])
    assert "ipAddress" not in response.meta
