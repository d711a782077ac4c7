"""Webhook throughput: events delivered per second by the real delivery worker to a local
receiver, alone and with a slow receiver present. Standalone: each run makes its own SQLite
database in a temporary directory (or adds to DATABASE_URL, a scratch database: each run counts
only its own webhooks' events), seeds responses through the API in-process (rate limiting
disabled), then times the worker.

    python bench/webhook_throughput.py [--events 2000] [--webhooks 4] [--workers 1]

Prints two JSON lines: `webhook_throughput` (healthy receivers only) and
`webhook_throughput_slow_receiver` (the same, plus one more webhook whose receiver drips its
reply one byte a second and never finishes; the figure counts the healthy webhooks' events).
"""

from __future__ import annotations

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
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from httpx import ASGITransport, AsyncClient
from sqlalchemy import func, select

from surveylink import migrate
from surveylink.app import create_app
from surveylink.auth import service as auth_service
from surveylink.core.config import Settings
from surveylink.core.db import make_engine, make_sessionmaker, transaction
from surveylink.environments import service as environments
from surveylink.webhooks.delivery import DeliveryWorker, Policy
from surveylink.webhooks.models import DeliveryStatus, WebhookEvent
from surveylink.webhooks.secrets import SecretBox

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

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
DRIP_SECONDS = 1.0


def _receive(port: int, received: Synchronized[int]) -> None:
    """The healthy receiver: 204 to every POST, counting them where the benchmark can see."""

    class Ok(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real receivers

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", "0")))
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()
            with received.get_lock():
                received.value += 1

        def log_message(self, format: str, *args: object) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Ok).serve_forever()


def _drip(port: int) -> None:
    """A receiver that reads the request, then answers one byte a second, never finishing."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        reply = b"HTTP/1.1 200 OK\r\nx-drip: "
        try:
            for position in range(10**6):
                writer.write(reply[position : position + 1] or b"a")
                await writer.drain()
                await asyncio.sleep(DRIP_SECONDS)
        except OSError:
            pass  # the client gave up

    async def serve() -> None:
        server = await asyncio.start_server(answer, "127.0.0.1", port)
        await server.serve_forever()

    asyncio.run(serve())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Seeded:
    healthy: list[str]  # webhook ids
    events: int  # staged for the healthy webhooks


async def _seed(
    settings: Settings, healthy_url: str, webhooks: int, events: int, slow_url: str | None
) -> Seeded:
    """Webhooks, then responses through the API until `events` events are staged for the
    healthy webhooks (the slow one gets as many per webhook)."""
    engine = make_engine(settings.sqlalchemy_url)
    async with transaction(make_sessionmaker(engine), write=True) as session:
        workspace = await environments.create_workspace(session, "Bench", "Webhooks")
        _, key = await auth_service.create_api_key(
            session, workspace.organization.id, [(workspace.production.id, "manage")]
        )
    await engine.dispose()
    app = create_app(settings)
    headers = {"x-api-key": key}
    healthy: list[str] = []
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://bench") as http:
        survey = await http.post(
            "/api/v1/management/surveys",
            json={**SURVEY, "environmentId": workspace.production.id},
            headers=headers,
        )
        survey_id = survey.json()["data"]["id"]
        urls = [healthy_url] * webhooks + ([slow_url] if slow_url else [])
        for number, url in enumerate(urls):
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
            if url == healthy_url:
                healthy.append(created.json()["data"]["id"])
        per_response = 2 * webhooks
        responses = -(-events // per_response)
        for number in range(responses):
            body = {"surveyId": survey_id, "finished": True, "data": {"q1": f"answer {number}"}}
            created = await http.post("/api/v2/management/responses", json=body, headers=headers)
            assert created.status_code == 201, created.text
    await auth_service.drain()
    await app.state.engine.dispose()
    return Seeded(healthy, responses * per_response)


async def _deliver(
    settings: Settings, seeded: Seeded, workers: int, received: Synchronized[int]
) -> tuple[float, float]:
    """Seconds until every healthy webhook's events are delivered and recorded, and the CPU
    seconds this process (the workers) used meanwhile. The receiver's count is watched, not the
    database, so that watching costs nothing; the database is read once they have all arrived."""
    engine = make_engine(settings.sqlalchemy_url)
    sessions = make_sessionmaker(engine)
    policy = Policy.from_settings(settings)
    box = SecretBox.from_setting(settings.encryption_key.get_secret_value())
    delivered_query = select(func.count()).where(
        WebhookEvent.webhook_id.in_(seeded.healthy),
        WebhookEvent.status == DeliveryStatus.DELIVERED,
    )
    received.value = 0
    started, cpu = time.perf_counter(), time.process_time()
    runners = [DeliveryWorker(sessions, box, policy) for _ in range(workers)]
    stops = [asyncio.Event() for _ in runners]
    tasks = [asyncio.create_task(r.run(s)) for r, s in zip(runners, stops, strict=True)]
    while received.value < seeded.events:  # noqa: ASYNC110 (a counter in another process)
        await asyncio.sleep(0.01)
    while True:
        async with transaction(sessions) as session:
            if (await session.scalar(delivered_query) or 0) >= seeded.events:
                break
        await asyncio.sleep(0.01)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    for stop in stops:
        stop.set()
    # A lane stuck on the slow receiver would finish its attempt first: no need to wait.
    _, pending = await asyncio.wait(tasks, timeout=1)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await engine.dispose()
    return elapsed, cpu


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _run(
    url: str,
    scratch: str,
    options: argparse.Namespace,
    slow_url: str | None,
    received: Synchronized[int],
) -> dict[str, object]:
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
    healthy_url = f"http://127.0.0.1:{options.port}/hook"
    seeded = asyncio.run(_seed(settings, healthy_url, options.webhooks, options.events, slow_url))
    seconds, cpu = asyncio.run(_deliver(settings, seeded, options.workers, received))
    return {
        "figure": "webhook_throughput_slow_receiver" if slow_url else "webhook_throughput",
        "events": seeded.events,
        "seconds": round(seconds, 3),
        "events_per_second": round(seeded.events / seconds, 1),
        # Wall time stretches when other processes share the CPU; CPU per event much less.
        "worker_cpu_us_per_event": round(cpu / seeded.events * 1e6),
        "healthy_webhooks": options.webhooks,
        "slow_webhooks": 1 if slow_url else 0,
        "delivery_workers": options.workers,
        "concurrency": settings.webhook_concurrency,
        "timeout_seconds": settings.webhook_timeout_seconds,
        "database": url.split(":", 1)[0],
        "rate_limiting": "disabled",
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "commit": _commit(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--webhooks", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    options = parser.parse_args()
    options.port = _free_port()
    slow_port = _free_port()
    received: Synchronized[int] = multiprocessing.Value("q", 0)
    receivers = [
        multiprocessing.Process(target=_receive, args=(options.port, received), daemon=True),
        multiprocessing.Process(target=_drip, args=(slow_port,), daemon=True),
    ]
    for receiver in receivers:
        receiver.start()
    try:
        for slow_url in (None, f"http://127.0.0.1:{slow_port}/hook"):
            with tempfile.TemporaryDirectory() as scratch:
                url = (
                    os.environ.get("DATABASE_URL")
                    or f"sqlite+aiosqlite:///{Path(scratch) / 'b.db'}"
                )
                print(json.dumps(_run(url, scratch, options, slow_url, received)), flush=True)
    finally:
        for receiver in receivers:
            receiver.terminate()


if __name__ == "__main__":
    main()
