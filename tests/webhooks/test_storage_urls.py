"""Webhook payloads carry a response's file answers as absolute URLs starting with PUBLIC_URL,
as upstream's pipeline sends them (resolveStorageUrlsInObject on `data`, every event)."""

import json

import pytest
from httpx import AsyncClient
from standardwebhooks.webhooks import Webhook as Verifier

from surveylink.core.config import Settings
from surveylink.webhooks.delivery import DeliveryWorker
from tests.factories import ApiEnv
from tests.webhooks.receiver import Receiver

PUBLIC_URL = "http://127.0.0.1:8080"
FILE = "report--fid--2f6c1a9e-8b1d-4c52-9a4e-0d6f5b7c3e21.pdf"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"public_url": PUBLIC_URL})


async def test_payloads_carry_file_answers_as_absolute_urls(
    client: AsyncClient, env: ApiEnv, receiver: Receiver, worker: DeliveryWorker
) -> None:
    survey = await env.create_survey()
    webhook = await env.create_webhook(receiver.url, triggers=["responseCreated"])
    stored = {
        "doc": [f"/storage/{env.environment_id}/private/{FILE}"],
        "help": "/storage/help",
        "prose": f"see /storage/{env.environment_id}/private/{FILE}",
    }

    created = await env.create_response(survey["id"], finished=False, data=stored)

    [delivery] = await receiver.wait_for_deliveries(1)
    payload = Verifier(webhook["secret"]).verify(delivery.body, delivery.headers)
    assert payload == json.loads(delivery.body)
    assert payload == {
        "webhookId": webhook["id"],
        "event": "responseCreated",
        "data": {
            "id": created["id"],
            "createdAt": created["createdAt"],
            "updatedAt": created["updatedAt"],
            "surveyId": survey["id"],
            "displayId": None,
            "contact": None,
            "contactAttributes": None,
            "finished": False,
            "endingId": None,
            "data": {
                "doc": [f"{PUBLIC_URL}/storage/{env.environment_id}/private/{FILE}"],
                "help": "/storage/help",
                "prose": f"see /storage/{env.environment_id}/private/{FILE}",
            },
            "variables": {},
            "ttc": {},
            "tags": [],
            "meta": {},
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
    assert created["data"] == stored  # stored, and answered by the create, as sent


async def test_every_event_of_a_v1_put_carries_absolute_urls(
    client: AsyncClient, env: ApiEnv, receiver: Receiver, worker: DeliveryWorker
) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"])
    await env.create_webhook(receiver.url, triggers=["responseUpdated", "responseFinished"])
    answer = [f"/storage/{env.environment_id}/private/{FILE}"]

    await client.put(
        f"/api/v1/management/responses/{created['id']}",
        json={"finished": True, "data": {"doc": answer}},
        headers=env.headers,
    )

    received = await receiver.wait_for_deliveries(2)
    payloads = sorted((json.loads(r.body) for r in received), key=lambda p: str(p["event"]))
    assert [(p["event"], p["data"]["data"]) for p in payloads] == [
        ("responseFinished", {"doc": [PUBLIC_URL + answer[0]]}),
        ("responseUpdated", {"doc": [PUBLIC_URL + answer[0]]}),
    ]
