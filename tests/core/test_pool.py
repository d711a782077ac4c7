"""PostgreSQL connections stay pooled: requests in flight beyond the pool wait for one instead of
opening and closing a connection each (issue #8), in the order they asked; a request that waits
too long is told 503, and requests that nest a second transaction do not lock each other out."""

import asyncio
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import event

from surveylink.core.context import app_context
from surveylink.core.db import POSTGRES_POOL_SIZE, transaction
from tests.conftest import PG_URL
from tests.factories import ApiEnv
from tests.respondent.helpers import SEED

SEGMENT_LINKS = "/api/v2/management/surveys/{}/contact-links/segments/{}"
postgres_only = pytest.mark.skipif(not PG_URL, reason="the PostgreSQL pool")
UNAVAILABLE = {
    "error": {
        "code": 503,
        "message": "Service Unavailable",
        "details": [
            {"field": "database", "issue": "The database is unavailable, please try again later"}
        ],
    }
}


@postgres_only
async def test_concurrent_requests_reuse_the_pooled_connections(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")
    link = SEED.format(survey["id"], contact["id"])
    engine = app_context(client.app).engine.sync_engine  # type: ignore[attr-defined]
    opened: list[object] = []
    closed: list[object] = []

    def on_connect(*args: Any) -> None:
        opened.append(args[0])

    def on_close(*args: Any) -> None:
        closed.append(args[0])

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "close", on_close)
    statuses: list[int] = []
    for _ in range(3):
        answers = await asyncio.gather(
            *(client.get(link, headers=env.headers) for _ in range(4 * POSTGRES_POOL_SIZE))
        )
        statuses.extend(answer.status_code for answer in answers)
    event.remove(engine, "connect", on_connect)
    event.remove(engine, "close", on_close)

    assert statuses == [200] * 12 * POSTGRES_POOL_SIZE
    assert len(opened) <= POSTGRES_POOL_SIZE
    assert closed == []


@postgres_only
async def test_a_request_that_waits_too_long_for_a_connection_is_503(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")
    link = SEED.format(survey["id"], contact["id"])
    sessions = app_context(client.app).sessions  # type: ignore[attr-defined]
    entered = asyncio.Semaphore(0)
    done = asyncio.Event()

    async def hold_a_connection() -> None:
        async with transaction(sessions) as session:
            await session.connection()
            entered.release()
            await done.wait()

    holders = [asyncio.create_task(hold_a_connection()) for _ in range(POSTGRES_POOL_SIZE)]
    for _ in holders:
        await entered.acquire()
    starved = await client.get(link, headers=env.headers)  # waits WAIT_SECONDS for its turn
    done.set()
    await asyncio.gather(*holders)
    served = await client.get(link, headers=env.headers)

    assert starved.status_code == 503
    assert starved.json() == UNAVAILABLE
    assert served.status_code == 200


@postgres_only
async def test_requests_nesting_a_second_transaction_all_get_through(
    client: AsyncClient, env: ApiEnv
) -> None:
    # A segment page with short links writes them while its read transaction is open: more
    # such requests than pooled connections must not hold every connection waiting for more.
    survey = await env.create_survey(status="inProgress")
    await env.create_contact("ada@example.com")
    segment = await env.create_segment("everyone", [])
    page = SEGMENT_LINKS.format(survey["id"], segment)

    answers = await asyncio.gather(
        *(
            client.get(page, params={"short": "true"}, headers=env.headers)
            for _ in range(2 * POSTGRES_POOL_SIZE)
        )
    )

    assert [answer.status_code for answer in answers] == [200] * 2 * POSTGRES_POOL_SIZE
