"""v1 webhooks (v1 management spec §3): the same rows as v2's, in v1's envelope and errors, and
v1 responses delivered through the same outbox."""

from typing import Any
from unittest.mock import ANY

import pytest
from httpx import AsyncClient
from standardwebhooks.webhooks import Webhook as Verifier

from surveylink.webhooks.delivery import DeliveryWorker
from tests.factories import QUESTION_ID, ApiEnv
from tests.webhooks.receiver import Receiver

WEBHOOKS = "/api/v1/webhooks"
UNAUTHORIZED = {
    "code": "unauthorized",
    "message": "You are not authorized to access this resource",
    "details": {},
}
NOT_AUTHENTICATED = {
    "code": "not_authenticated",
    "message": "Not authenticated",
    "details": {"x-Api-Key": "Header not provided or API Key invalid"},
}
INVALID = "Fields are missing or incorrectly formatted"


def _webhook(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": ANY,
        "name": None,
        "createdAt": ANY,
        "updatedAt": ANY,
        "url": ANY,
        "source": "user",
        "environmentId": ANY,
        "triggers": ANY,
        "surveyIds": [],
        "secret": ANY,
    }
    return {**base, **fields}


async def test_post_creates_a_webhook_that_v2_lists(
    client: AsyncClient, env: ApiEnv, receiver: Receiver
) -> None:
    survey = await env.create_survey()
    body = {
        "url": receiver.url,
        "triggers": ["responseFinished"],
        "environmentId": env.environment_id,
        "surveyIds": [survey["id"]],
        "source": "zapier",
        "secret": "ignored",
    }

    response = await client.post(WEBHOOKS, json=body, headers=env.headers)

    assert response.status_code == 200
    created = response.json()["data"]
    assert list(created) == list(_webhook())
    assert created == _webhook(
        url=receiver.url,
        source="zapier",
        environmentId=env.environment_id,
        triggers=["responseFinished"],
        surveyIds=[survey["id"]],
    )
    assert created["secret"].startswith("whsec_")
    assert created["secret"] != "ignored"
    v2 = await client.get(f"/api/v2/management/webhooks/{created['id']}", headers=env.headers)
    assert v2.json() == {"data": created}


async def test_post_without_environment_id_takes_a_one_environment_keys_environment(
    client: AsyncClient, env: ApiEnv, receiver: Receiver
) -> None:
    single = await env.make_key([(env.environment_id, "manage")])
    # The body the n8n node 1.0.2 sends (v1 management spec §3.3).
    body = {"url": receiver.url, "triggers": ["responseCreated"], "surveyIds": [], "source": "n8n"}

    accepted = await client.post(WEBHOOKS, json=body, headers={"x-api-key": single})
    refused = await client.post(WEBHOOKS, json=body, headers=env.headers)

    assert accepted.status_code == 200
    assert accepted.json()["data"]["environmentId"] == env.environment_id
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "bad_request",
        "message": INVALID,
        "details": {"environmentId": "Invalid input: expected string, received undefined"},
    }


async def test_post_validates_as_upstream(client: AsyncClient, env: ApiEnv) -> None:
    body = {
        "url": "notaurl",
        "triggers": [],
        "environmentId": "ABC",
        "source": "activepieces",
        "surveyIds": ["A-1"],
    }

    response = await client.post(WEBHOOKS, json=body, headers=env.headers)
    null = await client.post(
        WEBHOOKS, content=b"null", headers={**env.headers, "content-type": "application/json"}
    )
    malformed = await client.post(
        WEBHOOKS, content=b"{", headers={**env.headers, "content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": INVALID,
        "details": {
            "url": "Invalid URL",
            "source": 'Invalid option: expected one of "user"|"zapier"|"make"|"n8n"',
            "environmentId": "Invalid cuid2",
            "triggers": "At least one trigger is required",
            "surveyIds.0": "Invalid cuid2",
        },
    }
    assert null.status_code == 400
    assert null.json()["details"] == {"": "Invalid input: expected object, received null"}
    assert malformed.status_code == 400
    assert malformed.json()["message"] == "Malformed JSON input, please check your request body"


async def test_post_refuses_unsafe_urls_and_foreign_environments(
    client: AsyncClient, env: ApiEnv
) -> None:
    other = await env.other_workspace()
    reader = await env.make_key([(env.environment_id, "read")])
    body = {"url": "http://127.0.0.1:9/hook", "triggers": ["responseCreated"]}

    unsafe = await client.post(
        WEBHOOKS,
        json={**body, "url": "mailto:a@b.c", "environmentId": env.environment_id},
        headers=env.headers,
    )
    foreign = await client.post(
        WEBHOOKS, json={**body, "environmentId": other.production.id}, headers=env.headers
    )
    read_only = await client.post(WEBHOOKS, json=body, headers={"x-api-key": reader})

    assert unsafe.status_code == 400
    assert unsafe.json() == {
        "code": "bad_request",
        "message": "Webhook URL must use HTTPS or HTTP protocol",
        "details": {},
    }
    assert (foreign.status_code, foreign.json()) == (401, UNAUTHORIZED)
    assert (read_only.status_code, read_only.json()) == (401, UNAUTHORIZED)


async def test_get_lists_every_webhook_of_the_key_and_only_those(
    client: AsyncClient, env: ApiEnv, receiver: Receiver
) -> None:
    first = await env.create_webhook(receiver.url)
    second = await env.create_webhook(receiver.url, environmentId=env.workspace.development.id)
    other = await env.other_workspace()
    outsider = await env.make_key(
        [(other.production.id, "manage")], organization_id=other.organization.id
    )

    mine = await client.get(WEBHOOKS, headers=env.headers)
    theirs = await client.get(WEBHOOKS, headers={"x-api-key": outsider})

    assert mine.status_code == 200
    assert mine.json() == {"data": [first, second]}
    assert theirs.json() == {"data": []}


async def test_get_and_delete_one(client: AsyncClient, env: ApiEnv, receiver: Receiver) -> None:
    webhook = await env.create_webhook(receiver.url)
    writer = await env.make_key([(env.environment_id, "write")])
    other = await env.other_workspace()
    outsider = await env.make_key(
        [(other.production.id, "manage")], organization_id=other.organization.id
    )
    path = f"{WEBHOOKS}/{webhook['id']}"

    found = await client.get(path, headers=env.headers)
    foreign = await client.get(path, headers={"x-api-key": outsider})
    not_manage = await client.delete(path, headers={"x-api-key": writer})
    deleted = await client.delete(path, headers=env.headers)
    gone = await client.get(path, headers=env.headers)
    bad_id = await client.get(f"{WEBHOOKS}/undefined-1", headers=env.headers)
    no_key = await client.get(path)

    assert (found.status_code, found.json()) == (200, {"data": webhook})
    assert (foreign.status_code, foreign.json()) == (401, UNAUTHORIZED)
    assert (not_manage.status_code, not_manage.json()) == (401, UNAUTHORIZED)
    assert (deleted.status_code, deleted.json()) == (200, {"data": webhook})
    assert gone.status_code == 404
    assert gone.json() == {
        "code": "not_found",
        "message": "Webhook not found",
        "details": {"resource_id": webhook["id"], "resource_type": "Webhook"},
    }
    assert bad_id.status_code == 400
    assert bad_id.json()["details"] == {"webhookId": "Invalid cuid2"}
    assert (no_key.status_code, no_key.json()) == (401, NOT_AUTHENTICATED)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_v1_webhooks_have_no_update(
    client: AsyncClient, env: ApiEnv, receiver: Receiver, method: str
) -> None:
    webhook = await env.create_webhook(receiver.url)

    response = await client.request(method, f"{WEBHOOKS}/{webhook['id']}", headers=env.headers)

    assert response.status_code == 405


async def test_v1_responses_are_delivered_through_the_outbox(
    client: AsyncClient, env: ApiEnv, receiver: Receiver, worker: DeliveryWorker
) -> None:
    survey = await env.create_survey()
    created_hook = await client.post(
        WEBHOOKS,
        json={
            "url": receiver.url,
            "triggers": ["responseCreated", "responseUpdated", "responseFinished"],
            "environmentId": env.environment_id,
        },
        headers=env.headers,
    )
    webhook = created_hook.json()["data"]
    body = {"environmentId": env.environment_id, "surveyId": survey["id"], "finished": False}

    posted = await client.post(
        "/api/v1/management/responses", json={**body, "data": {}}, headers=env.headers
    )
    response_id = posted.json()["data"]["id"]
    await client.put(
        f"/api/v1/management/responses/{response_id}",
        json={"finished": True, "data": {QUESTION_ID: "Done"}},
        headers=env.headers,
    )

    deliveries = await receiver.wait_for_deliveries(3)
    payloads = [Verifier(webhook["secret"]).verify(d.body, d.headers) for d in deliveries]
    by_event = {payload["event"]: payload for payload in payloads}
    assert sorted(by_event) == ["responseCreated", "responseFinished", "responseUpdated"]
    assert {payload["data"]["id"] for payload in payloads} == {response_id}
    assert {payload["webhookId"] for payload in payloads} == {webhook["id"]}
    assert by_event["responseCreated"]["data"]["data"] == {}
    assert by_event["responseFinished"]["data"]["data"] == {QUESTION_ID: "Done"}
