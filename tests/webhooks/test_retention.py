"""Delivered and failed events (and their attempts) go once older than the retention; pending
ones and recent ones stay, and the deliveries API lists what stays."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import ANY

import time_machine
from httpx import AsyncClient

from surveylink.core.config import Settings
from surveylink.core.context import app_context
from surveylink.core.retention import Pruner
from surveylink.retention import retentions
from tests.factories import ApiEnv
from tests.webhooks.conftest import make_worker
from tests.webhooks.receiver import Receiver

WEBHOOKS = "/api/v2/management/webhooks"
PRUNED = {"webhook events", "mails", "mail campaigns", "short links"}


def _pruner(client: AsyncClient, settings: Settings, batch_size: int = 1000) -> Pruner:
    app = client.app  # type: ignore[attr-defined]
    return Pruner(app_context(app).sessions, retentions(settings), batch_size)


async def _log(client: AsyncClient, env: ApiEnv, webhook: dict[str, Any]) -> dict[str, Any]:
    response = await client.get(f"{WEBHOOKS}/{webhook['id']}/deliveries", headers=env.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _deliver(client: AsyncClient, env: ApiEnv, webhook: dict[str, Any], total: int) -> None:
    """Runs the worker until the webhook's log holds `total` successful attempts."""
    async with make_worker(client).running():
        for _ in range(1000):
            log = await _log(client, env, webhook)
            if [row["statusCode"] for row in log["data"]] == [200] * total:
                return
            await asyncio.sleep(0.02)
    raise AssertionError("events not delivered")


async def test_old_delivered_events_go_and_recent_and_pending_ones_stay(
    client: AsyncClient, env: ApiEnv, settings: Settings, receiver: Receiver
) -> None:
    now = datetime.now(UTC)
    delivered, waiting = await env.create_survey(), await env.create_survey()
    with time_machine.travel(now - timedelta(days=40), tick=True):
        webhook = await env.create_webhook(
            receiver.url, triggers=["responseCreated"], surveyIds=[delivered["id"]]
        )
        await env.create_response(delivered["id"])
        await env.create_response(delivered["id"])
        await _deliver(client, env, webhook, 2)
    with time_machine.travel(now - timedelta(days=10), tick=True):
        await env.create_response(delivered["id"])
        await _deliver(client, env, webhook, 3)
    old_log = await _log(client, env, webhook)
    with time_machine.travel(now - timedelta(days=40), tick=True):  # staged, never sent
        later = await env.create_webhook(
            receiver.url, triggers=["responseCreated"], surveyIds=[waiting["id"]]
        )
        await env.create_response(waiting["id"])

    pruned = await _pruner(client, settings).run_once()
    log = await _log(client, env, webhook)
    gone = await client.post(
        f"{WEBHOOKS}/{webhook['id']}/deliveries/{old_log['data'][2]['id']}/retry",
        headers=env.headers,
    )
    kept = await client.post(
        f"{WEBHOOKS}/{webhook['id']}/deliveries/{old_log['data'][0]['id']}/retry",
        headers=env.headers,
    )

    assert set(pruned) == PRUNED
    assert pruned["webhook events"] == [2]
    assert old_log["meta"]["total"] == 3
    assert log == {"data": [old_log["data"][0]], "meta": {"total": 1, "limit": 50, "offset": 0}}
    assert gone.status_code == 404
    assert gone.json() == {
        "error": {
            "code": 404,
            "message": "Not Found",
            "details": [{"field": "delivery", "issue": "not found"}],
        }
    }
    assert kept.status_code == 202
    await _deliver(client, env, later, 1)  # the pending event was kept and is sent now
    assert len(receiver.delivered()) == 5


async def test_failed_events_go_with_every_attempt(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey = await env.create_survey()
    with (
        time_machine.travel(datetime.now(UTC) - timedelta(days=31), tick=True),
        Receiver(statuses=[500] * 4) as down,
    ):
        webhook = await env.create_webhook(down.url, triggers=["responseCreated"])
        await env.create_response(survey["id"])
        async with make_worker(client).running():
            for _ in range(1000):
                if len((await _log(client, env, webhook))["data"]) == 4:
                    break
                await asyncio.sleep(0.02)
    failed = await _log(client, env, webhook)

    pruned = await _pruner(client, settings).run_once()

    assert [row["statusCode"] for row in failed["data"]] == [500] * 4
    assert pruned["webhook events"] == [1]
    assert await _log(client, env, webhook) == {
        "data": [],
        "meta": {"total": 0, "limit": 50, "offset": 0},
    }


async def test_pruning_runs_in_bounded_batches(
    client: AsyncClient, env: ApiEnv, settings: Settings, receiver: Receiver
) -> None:
    survey = await env.create_survey()
    with time_machine.travel(datetime.now(UTC) - timedelta(days=31), tick=True):
        webhook = await env.create_webhook(receiver.url, triggers=["responseCreated"])
        for _ in range(5):
            await env.create_response(survey["id"])
        await _deliver(client, env, webhook, 5)

    pruned = await _pruner(client, settings, batch_size=2).run_once()

    assert pruned["webhook events"] == [2, 2, 1]
    assert (await _log(client, env, webhook))["meta"]["total"] == 0


async def test_zero_days_keeps_events_forever(
    client: AsyncClient, env: ApiEnv, settings: Settings, receiver: Receiver
) -> None:
    survey = await env.create_survey()
    with time_machine.travel(datetime.now(UTC) - timedelta(days=3650), tick=True):
        webhook = await env.create_webhook(receiver.url, triggers=["responseCreated"])
        await env.create_response(survey["id"])
        await _deliver(client, env, webhook, 1)
    forever = settings.model_copy(update={"webhook_retention_days": 0.0})

    pruned = await _pruner(client, forever).run_once()

    assert "webhook events" not in pruned
    assert (await _log(client, env, webhook))["data"] == [ANY]
