"""v1's rate limit (v1 management spec §7): one `api:v1` counter per key shared by every v1
route, apart from v2's, counted after authentication; v1's 429 body."""

import re

import time_machine
from httpx import AsyncClient
from redis.asyncio import Redis

from surveylink.core.config import Settings
from tests.core.test_rate_limit import NOW, WINDOW_START, limited
from tests.factories import ApiEnv

TOO_MANY = {
    "code": "too_many_requests",
    "message": "Maximum number of requests reached. Please try again later.",
    "details": {},
}
V1_ROUTES = [
    "/api/v1/management/surveys",
    "/api/v1/management/responses",
    "/api/v1/webhooks",
    "/api/v1/management/action-classes",
    "/api/v1/management/contacts",
]


async def _round(client: AsyncClient, headers: dict[str, str]) -> list[int]:
    return [(await client.get(path, headers=headers)).status_code for path in V1_ROUTES]


@time_machine.travel(NOW, tick=False)
async def test_every_v1_route_counts_against_one_limit(settings: Settings, env: ApiEnv) -> None:
    async with limited(settings, rate_limit_per_minute=10) as client:
        allowed = await _round(client, env.headers) + await _round(client, env.headers)

        refused = await client.get("/api/v1/management/responses", headers=env.headers)
        v2 = await client.get("/api/v2/roles", headers=env.headers)

    assert allowed == [200] * 10
    assert refused.status_code == 429
    assert refused.json() == TOO_MANY
    assert refused.headers["retry-after"] == "45"
    assert v2.status_code == 200


@time_machine.travel(NOW, tick=False)
async def test_me_counts_before_its_environment_check(settings: Settings, env: ApiEnv) -> None:
    async with limited(settings, rate_limit_per_minute=2) as client:
        several = [
            (await client.get("/api/v1/management/me", headers=env.headers)).status_code
            for _ in range(2)
        ]

        refused = await client.get("/api/v1/management/surveys", headers=env.headers)

    assert several == [400, 400]
    assert (refused.status_code, refused.json()) == (429, TOO_MANY)


@time_machine.travel(NOW, tick=False)
async def test_v1_counts_before_reading_the_body_and_v2_after(
    settings: Settings, env: ApiEnv
) -> None:
    bad = {**env.headers, "content-type": "application/json"}
    async with limited(settings, rate_limit_per_minute=1) as client:
        v1_bad = await client.post("/api/v1/webhooks", content=b"{not json", headers=bad)
        v1_next = await client.get("/api/v1/webhooks", headers=env.headers)
        v2_bad = await client.post("/api/v2/management/webhooks", content=b"{no", headers=bad)
        v2_next = await client.get("/api/v2/management/webhooks", headers=env.headers)

    assert v1_bad.status_code == 400
    assert (v1_next.status_code, v1_next.json()) == (429, TOO_MANY)  # the bad one counted
    assert v2_bad.status_code == 400
    assert v2_next.status_code == 200  # upstream's v2 counts only valid requests


@time_machine.travel(NOW, tick=False)
async def test_unauthenticated_requests_are_not_counted(settings: Settings, env: ApiEnv) -> None:
    async with limited(settings, rate_limit_per_minute=1) as client:
        for _ in range(3):
            await client.get("/api/v1/webhooks", headers={"x-api-key": env.api_key + "x"})

        allowed = await client.get("/api/v1/webhooks", headers=env.headers)

    assert allowed.status_code == 200


@time_machine.travel(NOW, tick=False)
async def test_v1_counts_in_upstreams_redis_key(
    settings: Settings, env: ApiEnv, redis_url: str
) -> None:
    async with limited(settings, rate_limit_per_minute=3, redis_url=redis_url) as client:
        statuses = await _round(client, env.headers)

    assert statuses == [200, 200, 200, 429, 429]
    redis = Redis.from_url(redis_url)
    keys = await redis.keys("fb:rate_limit:*")
    assert len(keys) == 1
    key = keys[0].decode() if isinstance(keys[0], bytes) else keys[0]
    assert re.fullmatch(rf"fb:rate_limit:api:v1:[0-9a-z]+:{WINDOW_START}", key)
    assert await redis.get(key) == b"5"
    await redis.aclose()


@time_machine.travel(NOW, tick=False)
async def test_rate_limiting_disabled_switches_v1_off_too(settings: Settings, env: ApiEnv) -> None:
    update = {"rate_limit_per_minute": 1, "rate_limiting_disabled": True}
    async with limited(settings, **update) as client:
        statuses = await _round(client, env.headers)

    assert statuses == [200] * 5
