"""Rate limits (behaviour spec §1.5): per key and fixed 60 s window, counted after validation."""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from httpx import ASGITransport, AsyncClient, Response
from redis.asyncio import Redis

from surveylink.app import create_app
from surveylink.auth import service as auth_service
from surveylink.core.config import Settings
from surveylink.core.context import app_context
from tests.conftest import free_port
from tests.factories import ApiEnv

ROLES = "/api/v2/roles"
LINK = "/api/v2/management/surveys/{}/contact-links/contacts/{}/"
TOO_MANY = {"error": {"code": 429, "message": "Too Many Requests"}}
# 15 s into a window: 45 s until the next one.
NOW = datetime(2026, 4, 13, 10, 0, 15, tzinfo=UTC)
WINDOW_START = int(datetime(2026, 4, 13, 10, 0, 0, tzinfo=UTC).timestamp())


@asynccontextmanager
async def limited(settings: Settings, **changes: Any) -> AsyncIterator[AsyncClient]:
    """A second app on the same database with rate limiting on (the fixture's is off)."""
    update = {"rate_limiting_disabled": False, **changes}
    app = create_app(settings.model_copy(update=update))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as http:
        yield http
    await auth_service.drain()
    await app_context(app).close()


async def _roles(client: AsyncClient, env: ApiEnv, times: int) -> list[Response]:
    return [await client.get(ROLES, headers=env.headers) for _ in range(times)]


@time_machine.travel(NOW, tick=False)
async def test_the_101st_request_in_a_minute_is_429_with_retry_after(
    settings: Settings, env: ApiEnv
) -> None:
    async with limited(settings) as client:
        allowed = await _roles(client, env, 100)

        refused = await client.get(ROLES, headers=env.headers)

    assert [response.status_code for response in allowed] == [200] * 100
    assert refused.status_code == 429
    assert refused.json() == TOO_MANY
    assert refused.headers["Retry-After"] == "45"
    assert refused.headers["Cache-Control"] == "private, no-store"
    assert "Access-Control-Allow-Origin" not in refused.headers


async def test_the_limit_is_per_key(settings: Settings, env: ApiEnv) -> None:
    other = await env.make_key([(env.environment_id, "read")])
    with time_machine.travel(NOW, tick=False):
        async with limited(settings, rate_limit_per_minute=2) as client:
            await _roles(client, env, 2)

            refused = await client.get(ROLES, headers=env.headers)
            allowed = await client.get(ROLES, headers={"x-api-key": other})

    assert refused.status_code == 429
    assert allowed.status_code == 200


async def test_a_new_window_starts_a_new_count(settings: Settings, env: ApiEnv) -> None:
    async with limited(settings, rate_limit_per_minute=2) as client:
        with time_machine.travel(NOW, tick=False):
            await _roles(client, env, 2)
            refused = await client.get(ROLES, headers=env.headers)
        with time_machine.travel(datetime(2026, 4, 13, 10, 1, 0, tzinfo=UTC), tick=False):
            allowed = await client.get(ROLES, headers=env.headers)

    assert refused.status_code == 429
    assert allowed.status_code == 200


@time_machine.travel(NOW, tick=False)
async def test_rejected_requests_are_not_counted(settings: Settings, env: ApiEnv) -> None:
    async with limited(settings, rate_limit_per_minute=2) as client:
        invalid = [
            await client.get(LINK.format("abc", "def") + "?expirationDays=0", headers=env.headers)
            for _ in range(3)
        ]
        bad_ids = await client.get(LINK.format("BAD", "BAD"), headers=env.headers)
        unauthenticated = await client.get(ROLES, headers={"x-api-key": "fbk_unknown"})

        counted = await _roles(client, env, 3)

    assert [response.status_code for response in invalid] == [422] * 3
    assert bad_ids.status_code == 422
    assert unauthenticated.status_code == 401
    assert [response.status_code for response in counted] == [200, 200, 429]


@time_machine.travel(NOW, tick=False)
async def test_requests_refused_by_the_handler_are_counted(settings: Settings, env: ApiEnv) -> None:
    async with limited(settings, rate_limit_per_minute=1) as client:
        not_found = await client.get(LINK.format("nosuchsurvey", "abc"), headers=env.headers)

        refused = await client.get(LINK.format("nosuchsurvey", "abc"), headers=env.headers)

    assert not_found.status_code == 404
    assert refused.status_code == 429


@time_machine.travel(NOW, tick=False)
async def test_health_is_never_limited(settings: Settings, env: ApiEnv) -> None:
    async with limited(settings, rate_limit_per_minute=1) as client:
        responses = [await client.get("/api/v2/health") for _ in range(3)]

    assert [response.status_code for response in responses] == [200] * 3


@time_machine.travel(NOW, tick=False)
async def test_rate_limiting_disabled_never_refuses(settings: Settings, env: ApiEnv) -> None:
    async with limited(settings, rate_limit_per_minute=1, rate_limiting_disabled=True) as client:
        responses = await _roles(client, env, 5)

    assert [response.status_code for response in responses] == [200] * 5


def test_settings_read_upstreams_variable_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMITING_DISABLED", "1")
    monkeypatch.setenv("SURVEYLINK_RATE_LIMIT_PER_MINUTE", "7")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")

    settings = Settings(_env_file=None)

    assert settings.rate_limiting_disabled is True
    assert settings.rate_limit_per_minute == 7
    assert settings.redis_url == "redis://127.0.0.1:1/0"


@time_machine.travel(NOW, tick=False)
async def test_redis_counts_across_workers_in_upstreams_key(
    settings: Settings, env: ApiEnv, redis_url: str
) -> None:
    async with (
        limited(settings, rate_limit_per_minute=3, redis_url=redis_url) as worker_a,
        limited(settings, rate_limit_per_minute=3, redis_url=redis_url) as worker_b,
    ):
        first = [(await worker_a.get(ROLES, headers=env.headers)).status_code for _ in range(2)]
        second = (await worker_b.get(ROLES, headers=env.headers)).status_code

        refused_a = await worker_a.get(ROLES, headers=env.headers)
        refused_b = await worker_b.get(ROLES, headers=env.headers)

    assert (first, second) == ([200, 200], 200)
    assert (refused_a.status_code, refused_b.status_code) == (429, 429)
    redis = Redis.from_url(redis_url)
    keys = await redis.keys("fb:rate_limit:*")
    assert len(keys) == 1
    assert re.fullmatch(rf"fb:rate_limit:api:v2:[0-9a-z]+:{WINDOW_START}", _text(keys[0]))
    assert await redis.get(keys[0]) == b"5"  # counting goes on past the limit, as upstream
    assert 0 < await redis.ttl(keys[0]) <= 45
    await redis.aclose()


@time_machine.travel(NOW, tick=False)
async def test_unreachable_redis_is_never_a_5xx_and_still_limits(
    settings: Settings, env: ApiEnv
) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"
    async with limited(settings, rate_limit_per_minute=2, redis_url=closed) as client:
        responses = await _roles(client, env, 3)

    assert [response.status_code for response in responses] == [200, 200, 429]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
