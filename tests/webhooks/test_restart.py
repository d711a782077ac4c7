"""The service is SIGKILLed with an event pending and started again: the event still arrives,
once, with the `webhook-id` of its first attempt."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from httpx import AsyncClient
from standardwebhooks.webhooks import Webhook as Verifier

from surveylink.core.config import Settings
from tests.factories import QUESTION_ID, ApiEnv
from tests.respondent.helpers import SEED, post_step
from tests.webhooks.receiver import Receiver


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def service(settings: Settings, workdir: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    environment = {
        **os.environ,
        "DATABASE_URL": settings.sqlalchemy_url,
        "ENCRYPTION_KEY": settings.encryption_key.get_secret_value(),
        "SURVEYLINK_DATA_DIR": str(workdir / "data"),
        "RATE_LIMITING_DISABLED": "1",
        "SURVEYLINK_RUN_WORKER": "1",
        "DANGEROUSLY_ALLOW_WEBHOOK_INTERNAL_URLS": "1",
        "SURVEYLINK_WEBHOOK_RETRY_BASE_SECONDS": "2",
        "SURVEYLINK_WEBHOOK_TIMEOUT_SECONDS": "2",
        "LOG_LEVEL": "warning",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "surveylink", "serve", "--port", str(port)],
        cwd=workdir,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


async def _until_up(base: str, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient(trust_env=False) as http:
        while time.monotonic() < deadline:
            try:
                if (
                    await http.get(f"{base}/api/v2/management/webhooks", headers=headers)
                ).is_success:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the service did not start")


async def test_answer_through_a_personal_link_arrives_after_receiver_down_and_sigkill(
    client: AsyncClient, env: ApiEnv, settings: Settings, tmp_path: Path
) -> None:
    """Issue #5's promise end to end: the respondent answers on the real page, the receiver is
    down, the service is SIGKILLed and started again, and the signed event still arrives once."""
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with Receiver(statuses=[503] * 1000) as receiver:
        webhook = await env.create_webhook(receiver.url, triggers=["responseFinished"])
        log = f"/api/v2/management/webhooks/{webhook['id']}/deliveries"
        with service(settings, tmp_path, port) as first:
            await _until_up(base, env.headers)
            async with httpx.AsyncClient(base_url=base, trust_env=False) as http:
                link = await http.get(SEED.format(survey["id"], contact["id"]), headers=env.headers)
                path = urlsplit(link.json()["data"]["surveyUrl"]).path
                answered = await post_step(http, path, 0, {QUESTION_ID: "yes"})
            assert answered.status_code == 200
            assert "Survey response submitted." not in answered.text  # the ending card
            for _ in range(600):  # until the first attempt failed and was recorded
                if (await client.get(log, headers=env.headers)).json()["data"]:
                    break
                await asyncio.sleep(0.05)

            first.send_signal(signal.SIGKILL)
            first.wait(10)

        receiver.script.clear()  # the receiver recovers while the service is down
        with service(settings, tmp_path, port):
            [delivered] = await receiver.wait_for_deliveries(1, within=30)
            for _ in range(600):  # until the restarted service has recorded it
                attempts = (await client.get(log, headers=env.headers)).json()["data"]
                if attempts[0]["statusCode"] == 200:
                    break
                await asyncio.sleep(0.05)

        ids = {request.headers["webhook-id"] for request in receiver.requests}
    assert ids == {delivered.headers["webhook-id"]}
    payload = Verifier(webhook["secret"]).verify(delivered.body, delivered.headers)
    assert payload["event"] == "responseFinished"
    assert payload["data"]["contact"] == {"id": contact["id"]}
    assert payload["data"]["data"] == {QUESTION_ID: "yes"}
    assert payload["data"]["finished"] is True
    assert attempts[0]["statusCode"] == 200
    assert len(attempts) >= 2
    assert all(attempt["statusCode"] == 503 for attempt in attempts[1:])


async def test_worker_command_delivers_and_stops_on_sigterm(
    client: AsyncClient, env: ApiEnv, settings: Settings, tmp_path: Path
) -> None:
    survey = await env.create_survey()
    with Receiver() as receiver:
        webhook = await env.create_webhook(receiver.url, triggers=["responseCreated"])
        await env.create_response(survey["id"])  # staged; this app runs no worker
        worker = _start_worker(settings, tmp_path)
        try:
            [delivered] = await receiver.wait_for_deliveries(1, within=30)
        finally:
            worker.send_signal(signal.SIGTERM)
            code = worker.wait(20)

    assert code == 0
    Verifier(webhook["secret"]).verify(delivered.body, delivered.headers)


def _start_worker(settings: Settings, workdir: Path) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "DATABASE_URL": settings.sqlalchemy_url,
        "ENCRYPTION_KEY": settings.encryption_key.get_secret_value(),
        "SURVEYLINK_DATA_DIR": str(workdir / "data"),
        "DANGEROUSLY_ALLOW_WEBHOOK_INTERNAL_URLS": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "surveylink", "worker"],
        cwd=workdir,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
