"""An expired short link answers "expired" for the retention after its expiry, then is deleted
and answers as an unknown code; a link that never expires is kept."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import time_machine
from httpx import AsyncClient

from surveylink.core.config import Settings
from surveylink.core.context import app_context
from surveylink.core.retention import Pruner
from surveylink.retention import retentions
from tests.factories import ApiEnv
from tests.shortlinks.test_short_links import EXPIRED, INVALID, SEED


async def _short_path(env: ApiEnv, survey_id: str, contact_id: str, **query: str) -> str:
    response = await env.client.get(
        SEED.format(survey_id, contact_id), params={"short": "true", **query}, headers=env.headers
    )
    assert response.status_code == 200, response.text
    path: str = urlsplit(response.json()["data"]["surveyUrl"]).path
    return path


async def _prune(client: AsyncClient, settings: Settings) -> dict[str, list[int]]:
    app = client.app  # type: ignore[attr-defined]
    return await Pruner(app_context(app).sessions, retentions(settings)).run_once()


async def test_expired_short_link_shows_expired_until_its_retention_ends(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")
    now = datetime.now(UTC)
    with time_machine.travel(now - timedelta(days=100), tick=True):
        long_gone = await _short_path(env, survey["id"], contact["id"], expirationDays="1")
    with time_machine.travel(now - timedelta(days=30), tick=True):
        recently_expired = await _short_path(env, survey["id"], contact["id"], expirationDays="1")
    with time_machine.travel(now - timedelta(days=400), tick=True):
        forever = await _short_path(env, survey["id"], contact["id"])

    pruned = await _prune(client, settings)
    gone = await client.get(long_gone)
    expired = await client.get(recently_expired)
    kept = await client.get(forever)

    assert pruned["short links"] == [1]
    assert gone.status_code == 404
    assert INVALID in gone.text
    assert expired.status_code == 410
    assert EXPIRED in expired.text
    assert kept.status_code == 302


async def test_zero_days_keeps_expired_short_links(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")
    with time_machine.travel(datetime.now(UTC) - timedelta(days=1000), tick=True):
        path = await _short_path(env, survey["id"], contact["id"], expirationDays="1")

    pruned = await _prune(client, settings.model_copy(update={"short_link_retention_days": 0.0}))
    page = await client.get(path)

    assert "short links" not in pruned
    assert page.status_code == 410
    assert EXPIRED in page.text
