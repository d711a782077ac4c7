"""Invitation campaign figures on this machine (SQLite, in-process over ASGI):

- how long `POST …/invitations` takes to stage a segment of CONTACTS contacts (one
  INSERT … SELECT, plus the state upsert), and a status page with `state=notFinished`;
- how fast the mail worker sends SENT mails to a local SMTP server (aiosmtpd on 127.0.0.1),
  links minted and templates rendered per mail.

Prints one JSON line per figure.
"""

import asyncio
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from httpx import ASGITransport, AsyncClient

from surveylink import migrate
from surveylink.app import create_app
from surveylink.auth import service as auth
from surveylink.core.config import Settings
from surveylink.core.db import make_engine, make_sessionmaker, transaction
from surveylink.environments import service as environments
from surveylink.mail.worker import LinkIssuer, MailPolicy, MailWorker
from surveylink.segments import service as segments

ROOT = Path(__file__).resolve().parents[1]
CONTACTS = int(os.environ.get("BENCH_CONTACTS", "20000"))
SENT = int(os.environ.get("BENCH_MAILS", "1000"))
KEY = "5f9a0c1e2d3b4a5968778695a4b3c2d1e0f11223344556677889900aabbccdde"


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.count += 1
        return "250 OK"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _setup(url: str) -> tuple[str, str, str]:
    engine = make_engine(url)
    async with transaction(make_sessionmaker(engine), write=True) as session:
        workspace = await environments.create_workspace(session, "Bench", "Campaign")
        grants = [(workspace.production.id, "manage")]
        _, key = await auth.create_api_key(session, workspace.organization.id, grants)
    await engine.dispose()
    return workspace.production.id, workspace.organization.id, key


async def _contacts(client: AsyncClient, environment_id: str, headers: dict[str, str]) -> None:
    for start in range(0, CONTACTS, 250):
        contacts = [
            {
                "attributes": [
                    {
                        "attributeKey": {"key": "email", "name": "Email"},
                        "value": f"c{i}@example.com",
                    },
                    {"attributeKey": {"key": "firstName", "name": "First"}, "value": f"C{i}"},
                ]
            }
            for i in range(start, min(start + 250, CONTACTS))
        ]
        response = await client.put(
            "/api/v2/management/contacts/bulk",
            json={"environmentId": environment_id, "contacts": contacts},
            headers=headers,
        )
        assert response.status_code == 200, response.text


async def measure(work: Path, url: str) -> list[dict[str, Any]]:
    environment_id, _, key = await _setup(url)
    sink = Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings = Settings(
        _env_file=None,
        DATABASE_URL=url,
        ENCRYPTION_KEY=KEY,
        PUBLIC_URL="http://127.0.0.1:3000",
        SURVEYLINK_DATA_DIR=str(work / "data"),
        RATE_LIMITING_DISABLED=True,
        SURVEYLINK_RUN_WORKER=False,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        MAIL_FROM="surveys@example.com",
    )
    app = create_app(settings)
    headers = {"x-api-key": key}
    figures: list[dict[str, Any]] = []
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
        survey = (
            await client.post(
                "/api/v1/management/surveys",
                json={
                    "environmentId": environment_id,
                    "name": "Bench",
                    "status": "inProgress",
                    "questions": [
                        {
                            "id": "q1",
                            "type": "openText",
                            "headline": {"default": "Q?"},
                            "required": True,
                        }
                    ],
                },
                headers=headers,
            )
        ).json()["data"]
        await _contacts(client, environment_id, headers)
        engine = make_engine(url)
        async with transaction(make_sessionmaker(engine), write=True) as session:
            segment = await segments.create_segment(
                session,
                environment_id,
                "Everyone",
                [
                    {
                        "id": "f1",
                        "connector": None,
                        "resource": {
                            "id": "r1",
                            "root": {"type": "attribute", "contactAttributeKey": "email"},
                            "qualifier": {"operator": "endsWith"},
                            "value": "@example.com",
                        },
                    }
                ],
            )
        await engine.dispose()
        body = {
            "segmentId": segment.id,
            "subject": "{{ attributes.firstName }}, a question",
            "text": "Hi {{ attributes.firstName }}: {{ link }}",
            "html": '<p>Hi {{ attributes.firstName }}, <a href="{{ link }}">answer</a></p>',
        }
        started = time.perf_counter()
        response = await client.post(
            f"/api/v2/management/surveys/{survey['id']}/invitations", json=body, headers=headers
        )
        staged = time.perf_counter() - started
        assert response.status_code == 202, response.text
        figures.append(
            {
                "figure": "invitations_staged",
                "contacts": response.json()["data"]["queued"],
                "seconds": round(staged, 3),
            }
        )
        started = time.perf_counter()
        page = await client.get(
            f"/api/v2/management/surveys/{survey['id']}/contact-links/status",
            params={"state": "notFinished", "limit": 250, "skip": CONTACTS // 2},
            headers=headers,
        )
        figures.append(
            {
                "figure": "status_page",
                "contacts": CONTACTS,
                "limit": 250,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "total": page.json()["meta"]["total"],
            }
        )
        policy = MailPolicy(connections=4, batch_size=100, timeout_seconds=30)
        worker = MailWorker(
            app.state.sessions,
            app.state.smtp,
            LinkIssuer(app.state.link_keys, settings.link_base),
            policy,
        )
        started = time.perf_counter()
        while sink.count < SENT:
            await worker.run_once()
        elapsed = time.perf_counter() - started
        figures.append(
            {
                "figure": "mails_sent",
                "mails": sink.count,
                "per_second": round(sink.count / elapsed, 1),
            }
        )
    await app.state.engine.dispose()
    app.state.reader.dispose()
    controller.stop()
    return figures


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="surveylink-campaign-"))
    url = f"sqlite+aiosqlite:///{work / 'bench.db'}"
    migrate.upgrade(url)
    figures = asyncio.run(measure(work, url))
    context = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpus",
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
        "database": "sqlite",
    }
    for figure in figures:
        print(json.dumps({**figure, **context}))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
