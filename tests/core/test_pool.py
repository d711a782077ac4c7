"""PostgreSQL connections stay pooled: requests in flight beyond the pool wait for one instead of
opening and closing a connection each (issue #8)."""

import asyncio
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import event

from surveylink.core.context import app_context
from surveylink.core.db import POSTGRES_POOL_SIZE
from tests.conftest import PG_URL
from tests.factories import ApiEnv
from tests.respondent.helpers import SEED


@pytest.mark.skipif(not PG_URL, reason="the PostgreSQL pool")
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
