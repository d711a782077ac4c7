"""The official n8n node, `@formbricks/n8n-nodes-formbricks` 1.0.2, replayed request by request
against a real `surveylink serve` with a one-environment key: credential test, survey picker,
trigger activation (check, create), a response delivered to the node's webhook URL (a receiver
on 127.0.0.1), deactivation (delete).

The requests are copied from the published package's `dist/` (fetched with `npm pack`, never
committed); `test_the_replayed_requests_are_the_packages` checks that they are still what the
package sends. n8n sends them through axios, which follows 308s with the same method, body and
headers, as httpx does here.
"""

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx import AsyncClient

from surveylink.core.config import Settings
from tests.factories import QUESTION_ID, ApiEnv
from tests.integrations.registry import npm_package
from tests.integrations.server import serving
from tests.webhooks.receiver import Receiver

PACKAGE = ("@formbricks/n8n-nodes-formbricks", "1.0.2")
EVENTS = ["responseCreated", "responseFinished"]
# What each replayed request is, in the package's own words (file → snippets it contains).
SOURCES = {
    # The credential: header, and the test request `GET {host}/api/v1/me`.
    "dist/credentials/FormbricksApi.credentials.js": [
        '"x-Api-Key": "={{$credentials.apiKey}}"',
        'baseURL: "={{$credentials.host}}/api/v1"',
        'url: "=/me"',
    ],
    # apiRequest(): every other call; getSurveys(): the survey picker, `GET /surveys`.
    "dist/nodes/Formbricks/GenericFunctions.js": [
        "baseURL: `${credentials.host}/api/v1`",
        '"x-Api-Key": credentials.apiKey',
        'const endpoint = "/surveys";',
        'apiRequest.call(this, "GET", endpoint, {})',
        "if (!responseData.data)",
    ],
    # The trigger's webhook methods: checkExists, create, delete.
    "dist/nodes/Formbricks/Formbricks.node.js": [
        'const endpoint = "/webhooks";',
        'apiRequest.call(this, "GET", endpoint, {})',
        "surveyIds.includes(surveyId) && webhook.url === webhookUrl",
        "url: webhookUrl,\n                        triggers: events,\n"
        "                        surveyIds: surveyIds,\n"
        '                        source: "n8n",',
        'apiRequest.call(this, "POST", endpoint, body)',
        "webhookData.webhookId = response.data.id;",
        "const endpoint = `/webhooks/${webhookData.webhookId}`;",
        'apiRequest.call(this, "DELETE", endpoint, {})',
    ],
}


class Node:
    """The node's calls: `{host}/api/v1` + path, header `x-Api-Key`, a JSON body (the package
    passes `{}` on GET and DELETE)."""

    def __init__(self, http: httpx.AsyncClient, host: str, api_key: str, webhook_url: str) -> None:
        self.http, self.host, self.api_key, self.webhook_url = http, host, api_key, webhook_url
        self.webhook_id: str | None = None

    async def request(self, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.http.request(
            method,
            f"{self.host}/api/v1{path}",
            json=body,
            headers={"x-Api-Key": self.api_key},
            follow_redirects=True,
        )

    async def credential_test(self) -> bool:
        return (await self.request("GET", "/me", {})).is_success

    async def get_surveys(self) -> list[dict[str, str]]:
        data = (await self.request("GET", "/surveys", {})).json()["data"]
        return [{"name": survey["name"], "value": survey["id"]} for survey in data]

    async def check_exists(self, survey_ids: list[str]) -> bool:
        for webhook in (await self.request("GET", "/webhooks", {})).json()["data"]:
            for survey_id in webhook["surveyIds"]:
                if survey_id in survey_ids and webhook["url"] == self.webhook_url:
                    self.webhook_id = webhook["id"]
                    return True
        return False

    async def create(self, survey_ids: list[str], events: list[str]) -> httpx.Response:
        body = {"url": self.webhook_url, "triggers": events, "surveyIds": survey_ids}
        response = await self.request("POST", "/webhooks", {**body, "source": "n8n"})
        self.webhook_id = response.json()["data"]["id"]
        return response

    async def delete(self) -> httpx.Response:
        response = await self.request("DELETE", f"/webhooks/{self.webhook_id}", {})
        self.webhook_id = None
        return response


def test_the_replayed_requests_are_the_packages() -> None:
    unpacked = npm_package(*PACKAGE) / "package"

    for file, snippets in SOURCES.items():
        text = (unpacked / file).read_text()
        for snippet in snippets:
            assert snippet in text, (file, snippet)


@pytest.mark.parametrize("host_suffix", ["", "/"], ids=["host", "host-with-trailing-slash"])
async def test_the_whole_trigger_lifecycle_works_with_a_one_environment_key(
    client: AsyncClient, env: ApiEnv, settings: Settings, tmp_path: Path, host_suffix: str
) -> None:
    survey = await env.create_survey(name="Onboarding", status="inProgress")
    api_key = await env.make_key([(env.environment_id, "manage")])

    with Receiver() as n8n, serving(settings, tmp_path) as base:
        async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
            webhook_url = n8n.url.replace("/hook", f"/webhook/{uuid.uuid4()}/webhook")
            node = Node(http, base + host_suffix, api_key, webhook_url)

            assert await node.credential_test()
            surveys = await node.get_surveys()
            assert surveys == [{"name": "Onboarding", "value": survey["id"]}]
            assert not await node.check_exists([survey["id"]])
            created = await node.create([survey["id"]], EVENTS)
            assert created.status_code == 200
            webhook_id = node.webhook_id
            assert await node.check_exists([survey["id"]])
            assert node.webhook_id == webhook_id

            answered = await http.post(  # a script answering, through the v1 API
                f"{base}/api/v1/management/responses",
                json={"surveyId": survey["id"], "finished": True, "data": {QUESTION_ID: "Yes"}},
                headers={"x-api-key": api_key},
            )
            assert answered.status_code == 200
            deliveries = await n8n.wait_for_deliveries(2)

            deleted = await node.delete()
            assert deleted.status_code == 200, deleted.text
            assert deleted.json()["data"]["id"] == webhook_id
            assert not await node.check_exists([survey["id"]])

    payloads = [json.loads(delivery.body) for delivery in deliveries]
    assert sorted(payload["event"] for payload in payloads) == sorted(EVENTS)
    for payload in payloads:
        assert payload["webhookId"] == webhook_id
        assert payload["data"]["id"] == answered.json()["data"]["id"]
        assert payload["data"]["surveyId"] == survey["id"]
        assert payload["data"]["survey"]["title"] == "Onboarding"
    assert created.json()["data"]["environmentId"] == env.environment_id
    assert created.json()["data"]["source"] == "n8n"
