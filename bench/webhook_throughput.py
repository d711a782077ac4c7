"""Webhook throughput: events delivered per second by the real delivery worker to a local
receiver. Standalone: makes its own database (SQLite in a temporary directory, or DATABASE_URL),
seeds responses through the API in-process (rate limiting disabled), then times the worker.

    python bench/webhook_throughput.py [--events 2000] [--webhooks 4] [--workers 1]

Prints one JSON line.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import socket
import subprocess
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from httpx import ASGITransport, AsyncClient
from sqlalchemy import func, select

from surveylink import migrate
from surveylink.app import create_app
from surveylink.auth import service as auth_service
from surveylink.core.config import Settings
from surveylink.core.db import make_engine, make_sessionmaker, transaction
from surveylink.environments import service as environments
from surveylink.webhooks.delivery import DeliveryWorker, Policy
from surveylink.webhooks.models import WebhookEvent
from surveylink.webhooks.secrets import SecretBox

SURVEY = {
    "type": "link",
    "name": "Throughput",
    "questions": [
        {
            "id": "q1",
            "type": "openText",
            "headline": {"default": "Anything?"},
            "required": False,
            "inputType": "text",
            "charLimit": {"enabled": False},
        }
    ],
}


class _Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real receivers

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def _receive(port: int) -> None:
    ThreadingHTTPServer(("127.0.0.1", port), _Ok).serve_forever()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _seed(settings: Settings, url: str, events: int, webhooks: int) -> int:
    """Responses through the API until `events` events are staged; returns how many were."""
    engine = make_engine(settings.sqlalchemy_url)
    async with transaction(make_sessionmaker(engine), write=True) as session:
        workspace = await environments.create_workspace(session, "Bench", "Webhooks")
        _, key = await auth_service.create_api_key(
            session, workspace.organization.id, [(workspace.production.id, "manage")]
        )
    await engine.dispose()
    app = create_app(settings)
    headers = {"x-api-key": key}
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://bench") as http:
        survey = await http.post(
            "/api/v1/management/surveys",
            json={**SURVEY, "environmentId": workspace.production.id},
            headers=headers,
        )
        survey_id = survey.json()["data"]["id"]
        for number in range(webhooks):
            webhook = {
                "name": f"bench {number}",
                "url": url,
                "source": "user",
                "environmentId": workspace.production.id,
                "triggers": ["responseCreated", "responseFinished"],
                "surveyIds": [],
            }
            created = await http.post("/api/v2/management/webhooks", json=webhook, headers=headers)
            assert created.status_code == 201, created.text
        per_response = 2 * webhooks
        for number in range(-(-events // per_response)):
            body = {"surveyId": survey_id, "finished": True, "data": {"q1": f"answer {number}"}}
            created = await http.post("/api/v2/management/responses", json=body, headers=headers)
            assert created.status_code == 201, created.text
    await auth_service.drain()
    await app.state.engine.dispose()
    return -(-events // per_response) * per_response


async def _deliver(settings: Settings, total: int, workers: int) -> float:
    engine = make_engine(settings.sqlalchemy_url)
    sessions = make_sessionmaker(engine)
    policy = Policy(allow_internal=True, poll_seconds=0.05)
    box = SecretBox.from_setting(settings.encryption_key.get_secret_value())
    delivered_query = select(func.count()).where(WebhookEvent.status == "delivered")
    started = time.perf_counter()
    runners = [DeliveryWorker(sessions, box, policy) for _ in range(workers)]
    stops = [asyncio.Event() for _ in runners]
    tasks = [asyncio.create_task(r.run(s)) for r, s in zip(runners, stops, strict=True)]
    while True:
        async with transaction(sessions) as session:
            if (await session.scalar(delivered_query) or 0) >= total:
                break
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    for stop in stops:
        stop.set()
    await asyncio.gather(*tasks)
    await engine.dispose()
    return elapsed


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--webhooks", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    options = parser.parse_args()
    port = _free_port()
    receiver = multiprocessing.Process(target=_receive, args=(port,), daemon=True)
    receiver.start()
    with tempfile.TemporaryDirectory() as scratch:
        url = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{Path(scratch) / 'b.db'}"
        migrate.upgrade(url)
        settings = Settings(
            _env_file=None,
            DATABASE_URL=url,
            ENCRYPTION_KEY="b" * 64,
            SURVEYLINK_DATA_DIR=scratch,
            RATE_LIMITING_DISABLED=True,
            SURVEYLINK_RUN_WORKER=False,
            DANGEROUSLY_ALLOW_WEBHOOK_INTERNAL_URLS=True,
        )
        total = asyncio.run(
            _seed(settings, f"http://127.0.0.1:{port}/hook", options.events, options.webhooks)
        )
        seconds = asyncio.run(_deliver(settings, total, options.workers))
    receiver.terminate()
    figure = {
        "figure": "webhook_throughput",
        "events": total,
        "seconds": round(seconds, 3),
        "events_per_second": round(total / seconds, 1),
        "delivery_workers": options.workers,
        "database": url.split(":", 1)[0],
        "rate_limiting": "disabled",
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "commit": _commit(),
    }
    print(json.dumps(figure))


if __name__ == "__main__":
    main()
