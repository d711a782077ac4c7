"""Real deliveries to a receiver on 127.0.0.1, checked with the `standardwebhooks` package."""

import json
from typing import Any
from unittest.mock import ANY

from httpx import AsyncClient, Response
from standardwebhooks.webhooks import Webhook as Verifier

from surveylink.core.context import app_context
from surveylink.core.db import transaction
from surveylink.responses import repository as response_rows
from surveylink.responses import service as responses
from surveylink.webhooks.delivery import DeliveryWorker, Policy
from tests.factories import QUESTION_ID, ApiEnv
from tests.webhooks.conftest import FAST, make_worker
from tests.webhooks.receiver import Receiver

RESPONSES = "/api/v2/management/responses"


def deliveries_of(webhook: dict[str, Any]) -> str:
    return f"/api/v2/management/webhooks/{webhook['id']}/deliveries"


async def test_finished_response_arrives_signed_with_upstreams_payload(
    client: AsyncClient, env: ApiEnv, receiver: Receiver, worker: DeliveryWorker
) -> None:
    survey = await env.create_survey()
    contact = await env.create_contact("ada@example.com", userId="u-1")
    webhook = await env.create_webhook(receiver.url, triggers=["responseFinished"])

    created = await env.create_response(
        survey["id"],
        contact["id"],
        finished=True,
        data={QUESTION_ID: "Great product"},
        ttc={QUESTION_ID: 5120},
        meta={"source": "api"},
    )

    [delivery] = await receiver.wait_for_deliveries(1)
    payload = Verifier(webhook["secret"]).verify(delivery.body, delivery.headers)
    assert payload == json.loads(delivery.body)
    assert delivery.body == json.dumps(payload, separators=(",", ":"))  # compact, key order
    assert list(payload) == ["webhookId", "event", "data"]
    assert payload == {
        "webhookId": webhook["id"],
        "event": "responseFinished",
        "data": {
            "id": created["id"],
            "createdAt": created["createdAt"],
            "updatedAt": created["updatedAt"],
            "surveyId": survey["id"],
            "displayId": None,
            "contact": {"id": contact["id"], "userId": "u-1"},
            "contactAttributes": {"email": "ada@example.com", "userId": "u-1"},
            "finished": True,
            "endingId": None,
            "data": {QUESTION_ID: "Great product"},
            "variables": {},
            "ttc": {QUESTION_ID: 5120, "_total": 5120},
            "tags": [],
            "meta": {"source": "api"},
            "singleUseId": None,
            "language": None,
            "survey": {
                "title": survey["name"],
                "type": "link",
                "status": survey["status"],
                "createdAt": survey["createdAt"],
                "updatedAt": survey["updatedAt"],
            },
        },
    }
    assert list(payload["data"]) == [
        "id", "createdAt", "updatedAt", "surveyId", "displayId", "contact", "contactAttributes",
        "finished", "endingId", "data", "variables", "ttc", "tags", "meta", "singleUseId",
        "language", "survey",
    ]  # fmt: skip
    assert delivery.headers["content-type"] == "application/json"


async def test_create_fires_created_and_finished_for_each_subscribed_webhook(
    client: AsyncClient, env: ApiEnv, receiver: Receiver, worker: DeliveryWorker
) -> None:
    survey = await env.create_survey()
    other = await env.create_survey(name="Other survey")
    everything = await env.create_webhook(receiver.url)
    only_other = await env.create_webhook(receiver.url, surveyIds=[other["id"]])
    await env.create_webhook(receiver.url, triggers=["responseUpdated"])

    await env.create_response(survey["id"], finished=True, data={})

    received = await receiver.wait_for_deliveries(2)
    events = sorted(
        (json.loads(r.body)["webhookId"], json.loads(r.body)["event"]) for r in received
    )
    assert events == sorted(
        [(everything["id"], "responseCreated"), (everything["id"], "responseFinished")]
    )
    assert only_other["id"] not in {webhook_id for webhook_id, _ in events}
    assert json.loads(received[0].body)["data"]["contact"] is None


async def test_update_fires_updated_and_finished_even_when_already_finished(
    client: AsyncClient, env: ApiEnv, receiver: Receiver, worker: DeliveryWorker
) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"], finished=True, data={})
    await env.create_webhook(receiver.url)

    response = await client.put(
        f"{RESPONSES}/{created['id']}", json={"data": {QUESTION_ID: "x"}}, headers=env.headers
    )

    assert response.status_code == 200
    received = await receiver.wait_for_deliveries(2)
    assert sorted(json.loads(r.body)["event"] for r in received) == [
        "responseFinished",
        "responseUpdated",
    ]


async def test_respondent_page_writes_fire_updated_then_finished(
    client: AsyncClient, env: ApiEnv, receiver: Receiver, worker: DeliveryWorker
) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"], data={QUESTION_ID: "a"})
    await env.create_webhook(receiver.url, triggers=["responseUpdated", "responseFinished"])
    sessions = app_context(client.app).sessions  # type: ignore[attr-defined]

    async with transaction(sessions, write=True) as session:  # what the /c/ page does
        response = await response_rows.get_response(session, created["id"])
        assert response is not None
        await responses.save_answers(
            session,
            response,
            base_url="http://testserver",
            data={QUESTION_ID: "b"},
            ttc={QUESTION_ID: 10.0},
            finished=True,
        )

    received = await receiver.wait_for_deliveries(2)
    assert sorted(json.loads(r.body)["event"] for r in received) == [
        "responseFinished",
        "responseUpdated",
    ]


async def test_delivered_after_the_receiver_failed_its_first_attempts(
    client: AsyncClient, env: ApiEnv, worker: DeliveryWorker
) -> None:
    survey = await env.create_survey()
    with Receiver(statuses=[500, 503]) as flaky:
        webhook = await env.create_webhook(flaky.url, triggers=["responseCreated"])

        await env.create_response(survey["id"])

        [delivered] = await flaky.wait_for_deliveries(1)
        ids = {request.headers["webhook-id"] for request in flaky.requests}
        assert len(flaky.requests) == 3
    assert ids == {delivered.headers["webhook-id"]}  # stable across retries
    Verifier(webhook["secret"]).verify(delivered.body, delivered.headers)
    log = await _log_once_recorded(client, env, webhook)
    assert log.status_code == 200
    assert [(d["attempt"], d["statusCode"], d["error"]) for d in log.json()["data"]] == [
        (3, 200, None),
        (2, 503, "receiver answered 503"),
        (1, 500, "receiver answered 500"),
    ]
    assert log.json()["meta"] == {"total": 3, "limit": 50, "offset": 0}
    assert log.json()["data"][0] == {
        "id": ANY,
        "createdAt": ANY,
        "webhookId": webhook["id"],
        "eventId": delivered.headers["webhook-id"],
        "event": "responseCreated",
        "attempt": 3,
        "statusCode": 200,
        "durationMs": ANY,
        "error": None,
    }


async def test_event_fails_after_the_last_attempt_and_retry_sends_it_again(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey()
    with Receiver(statuses=[500] * FAST.max_attempts) as down:
        webhook = await env.create_webhook(down.url, triggers=["responseCreated"])
        await env.create_response(survey["id"])
        async with make_worker(client).running():
            while len(down.requests) < FAST.max_attempts:
                await _pause()
            await _pause(0.3)
            assert len(down.requests) == FAST.max_attempts  # no attempt after the last
            log = (await client.get(deliveries_of(webhook), headers=env.headers)).json()
            last = log["data"][0]

            retry = await client.post(
                f"{deliveries_of(webhook)}/{last['id']}/retry", headers=env.headers
            )

            assert retry.status_code == 202
            assert retry.json()["data"]["status"] == "pending"
            [delivered] = await down.wait_for_deliveries(1)
    assert delivered.headers["webhook-id"] == last["eventId"]


async def test_gone_disables_the_webhook(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    with Receiver(statuses=[410]) as gone:
        webhook = await env.create_webhook(gone.url, triggers=["responseCreated"])
        await env.create_response(survey["id"])
        async with make_worker(client).running():
            while not gone.requests:
                await _pause()
            await _pause(0.2)
            await env.create_response(survey["id"], data={"other": "answer"})
            await _pause(0.3)
        assert len(gone.requests) == 1
    log = (await client.get(deliveries_of(webhook), headers=env.headers)).json()
    assert [d["statusCode"] for d in log["data"]] == [410]
    retry = await client.post(
        f"{deliveries_of(webhook)}/{log['data'][0]['id']}/retry", headers=env.headers
    )
    assert retry.status_code == 400


async def test_two_workers_never_send_an_event_twice(
    client: AsyncClient, env: ApiEnv, receiver: Receiver
) -> None:
    survey = await env.create_survey()
    await env.create_webhook(receiver.url, triggers=["responseCreated"])
    for number in range(40):
        await env.create_response(survey["id"], data={QUESTION_ID: str(number)})
    small_batches = Policy(**{**FAST.__dict__, "batch_size": 3})
    first, second = make_worker(client, small_batches), make_worker(client, small_batches)

    async with first.running(), second.running():
        await receiver.wait_for_deliveries(40)
        await _pause(0.3)

    ids = [request.headers["webhook-id"] for request in receiver.requests]
    assert len(ids) == 40
    assert len(set(ids)) == 40


async def _log_once_recorded(client: AsyncClient, env: ApiEnv, webhook: dict[str, Any]) -> Response:
    """The delivery log once the worker has recorded the successful attempt it just made."""
    for _ in range(500):
        log = await client.get(deliveries_of(webhook), headers=env.headers)
        if log.json()["data"] and log.json()["data"][0]["statusCode"] == 200:
            break
        await _pause()
    return log


async def _pause(seconds: float = 0.02) -> None:
    import asyncio

    await asyncio.sleep(seconds)
