"""Exactly once across a restart: a worker that dies after claiming mails, or after sending
them, never makes a contact get a mail twice, and the mails it held still go out."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
from httpx import AsyncClient

from surveylink.core.config import Settings
from tests.campaigns.conftest import (
    FAST,
    INVITATIONS,
    REMINDERS,
    STATUS,
    deliver_all,
    live_survey,
    make_worker,
    template,
)
from tests.campaigns.mailbox import Mailbox
from tests.conftest import free_port
from tests.factories import ApiEnv

SHORT_LEASE = replace(FAST, lease_seconds=0.3)


async def _invite(client: AsyncClient, env: ApiEnv, survey_id: str, *ids: str) -> None:
    response = await client.post(
        INVITATIONS.format(survey_id),
        json={"contactIds": list(ids), **template()},
        headers=env.headers,
    )
    assert response.status_code == 202, response.text


async def test_mails_claimed_by_a_dead_worker_go_out_once_after_the_lease(
    client: AsyncClient, env: ApiEnv, mailbox: Mailbox
) -> None:
    survey = await live_survey(env)
    ada = await env.create_contact("ada@example.com")
    bob = await env.create_contact("bob@example.com")
    await _invite(client, env, survey["id"], ada["id"], bob["id"])
    dead = make_worker(client, SHORT_LEASE)
    successor = make_worker(client, SHORT_LEASE)

    claimed = await dead.claim()  # ... and the worker dies before sending
    during_lease = await successor.run_once()
    await deliver_all(successor, client)

    assert len(claimed) == 2
    assert during_lease == 0
    assert sorted(r for mail in mailbox.received() for r in mail.recipients) == [
        "ada@example.com",
        "bob@example.com",
    ]


async def test_mails_a_dead_worker_sent_and_recorded_are_not_sent_again(
    client: AsyncClient, env: ApiEnv, mailbox: Mailbox
) -> None:
    survey = await live_survey(env)
    ada = await env.create_contact("ada@example.com")
    await _invite(client, env, survey["id"], ada["id"])
    dead = make_worker(client, SHORT_LEASE)
    successor = make_worker(client, SHORT_LEASE)

    sent = await dead.run_once()  # ... and the worker dies right after
    await asyncio.sleep(0.4)  # past the lease it would have held
    again = await successor.run_once()

    assert (sent, again) == (1, 0)
    assert len(mailbox.to("ada@example.com")) == 1


def _environment(settings: Settings, mailbox: Mailbox, workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": settings.sqlalchemy_url,
        "ENCRYPTION_KEY": settings.encryption_key.get_secret_value(),
        "PUBLIC_URL": "http://testserver",
        "SURVEYLINK_DATA_DIR": str(workdir / "data"),
        "RATE_LIMITING_DISABLED": "1",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
        "MAIL_FROM": "surveys@example.com",
        "SURVEYLINK_MAIL_TIMEOUT_SECONDS": "1",  # lease: (5 + 2) x 1 s
        "SURVEYLINK_MAIL_RETRY_BASE_SECONDS": "1",
        "LOG_LEVEL": "warning",
    }


@contextmanager
def _running(
    command: list[str], environment: dict[str, str], workdir: Path
) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "surveylink", *command],
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


async def _sent(client: AsyncClient, env: ApiEnv, survey_id: str, state: str) -> int:
    response = await client.get(
        STATUS.format(survey_id), params={"state": state}, headers=env.headers
    )
    return int(response.json()["meta"]["total"])


async def test_worker_killed_in_the_middle_of_a_send_delivers_once_after_restart(
    client: AsyncClient, env: ApiEnv, settings: Settings, mailbox: Mailbox, tmp_path: Path
) -> None:
    """`surveylink worker` is SIGKILLed while the SMTP server holds the mail's RCPT: nothing
    was delivered; the next worker sends it once, after the dead one's lease."""
    survey = await live_survey(env)
    ada = await env.create_contact("ada@example.com")
    mailbox.hold.add("ada@example.com")
    await _invite(client, env, survey["id"], ada["id"])
    environment = _environment(settings, mailbox, tmp_path)

    with _running(["worker"], environment, tmp_path) as first:
        held = await asyncio.to_thread(mailbox.holding.wait, 60)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    mailbox.released.set()
    arrived_while_down = len(mailbox.received())
    with _running(["worker"], environment, tmp_path):
        await mailbox.wait_for(1, within=60)
        deadline = time.monotonic() + 30
        while not await _sent(client, env, survey["id"], "invited"):
            assert time.monotonic() < deadline, "the mail was not recorded as sent"
            await asyncio.sleep(0.1)

    assert held
    assert arrived_while_down == 0
    assert len(mailbox.to("ada@example.com")) == 1


async def test_serve_killed_after_sending_sends_nothing_twice(
    client: AsyncClient, env: ApiEnv, settings: Settings, mailbox: Mailbox, tmp_path: Path
) -> None:
    """The worker inside `surveylink serve` sends an invitation and is SIGKILLed; after a
    restart a reminder arrives and the invitation is still there once."""
    survey = await live_survey(env)
    ada = await env.create_contact("ada@example.com", firstName="Ada")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = _environment(settings, mailbox, tmp_path)

    with _running(["serve", "--port", str(port)], environment, tmp_path) as first:
        async with httpx.AsyncClient(base_url=base, trust_env=False) as http:
            await _until_up(http, env)
            await _invite(http, env, survey["id"], ada["id"])
        await mailbox.wait_for(1, within=60)
        deadline = time.monotonic() + 30
        while not await _sent(client, env, survey["id"], "invited"):
            assert time.monotonic() < deadline, "the mail was not recorded as sent"
            await asyncio.sleep(0.1)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    with _running(["serve", "--port", str(port)], environment, tmp_path):
        async with httpx.AsyncClient(base_url=base, trust_env=False) as http:
            await _until_up(http, env)
            reminded = await http.post(
                REMINDERS.format(survey["id"]),
                json={"subject": "Reminder", "text": "{{ link }}", "minGapHours": 0},
                headers=env.headers,
            )
        await mailbox.wait_for(2, within=60)

    assert reminded.status_code == 202
    assert [mail.message["Subject"] for mail in mailbox.to("ada@example.com")] == [
        "Ada, a question for you",
        "Reminder",
    ]


async def _until_up(http: httpx.AsyncClient, env: ApiEnv) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if (await http.get("/api/v2/management/webhooks", headers=env.headers)).is_success:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("the service did not start")
