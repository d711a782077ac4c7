"""API-key authentication: fast hash, constant-time compare, lastUsedAt off the request path."""

from httpx import AsyncClient

from surveylink.auth import service as auth_service
from surveylink.core.db import make_engine, make_sessionmaker, transaction
from tests.factories import ApiEnv

LINK = "/api/v2/management/surveys/abc/contact-links/contacts/def"


async def _last_used(env: ApiEnv) -> list[object]:
    engine = make_engine(env.settings.sqlalchemy_url)
    async with transaction(make_sessionmaker(engine)) as session:
        rows = await auth_service.list_api_keys(session)
    await engine.dispose()
    return [key.last_used_at for key, _ in rows]


async def test_last_used_at_is_set_after_a_request(client: AsyncClient, env: ApiEnv) -> None:
    assert await _last_used(env) == [None]

    response = await client.get(LINK, headers=env.headers)
    await auth_service.drain()

    assert response.status_code == 404
    assert (await _last_used(env))[0] is not None


async def test_last_used_at_is_written_at_most_every_30_seconds(
    client: AsyncClient, env: ApiEnv
) -> None:
    await client.get(LINK, headers=env.headers)
    await auth_service.drain()
    first = await _last_used(env)

    await client.get(LINK, headers=env.headers)
    await auth_service.drain()

    assert await _last_used(env) == first


async def test_failed_authentication_does_not_touch_last_used(
    client: AsyncClient, env: ApiEnv
) -> None:
    await client.get(LINK, headers={"x-api-key": env.api_key + "x"})
    await auth_service.drain()

    assert await _last_used(env) == [None]


async def test_header_value_is_trimmed_as_upstream_does_since_formbricks_5(
    client: AsyncClient, env: ApiEnv
) -> None:
    response = await client.get("/api/v2/roles", headers={"x-api-key": f" {env.api_key}\t"})

    assert response.status_code == 200


async def test_v1_refuses_a_key_without_environments(client: AsyncClient, env: ApiEnv) -> None:
    key = await env.make_key([])

    response = await client.get("/api/v1/management/surveys", headers={"x-api-key": key})

    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Not authenticated",
        "details": {"x-Api-Key": "Header not provided or API Key invalid"},
    }
