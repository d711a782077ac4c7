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
from urllib.parse import urlsplit

import httpx
from httpx import AsyncClient

from surveylink.core.config import Settings
from tests.campaigns.conftest import (
    FAST,
    INVITATIONS,
    REMINDERS,
    STATUS,
    deliver_all,
    leaf,
    live_survey,
    make_worker,
    template,
)
from tests.campaigns.mailbox import Mailbox
from tests.conftest import free_port
from tests.factories import QUESTION_ID, ApiEnv
from tests.respondent.helpers import post_step

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


async def test_a_segment_campaign_and_its_reminder_arrive_once_each_across_a_restart(
    client: AsyncClient, env: ApiEnv, settings: Settings, mailbox: Mailbox, tmp_path: Path
) -> None:
    """Issue #11's promise end to end, on `surveylink serve`: a segment is invited, one member
    answers on the page, the service is SIGKILLed after sending, and after a restart the
    reminder reaches the non-responder only; every mail arrives once, and the status says who
    is where."""
    survey = await live_survey(env)
    ada = await env.create_contact("ada@example.com", firstName="Ada", language="en")
    bob = await env.create_contact("bob@example.com", firstName="Bob", language="en")
    await env.create_contact("cy@example.com", firstName="Cy", language="fr")
    segment = await env.create_segment("English", [leaf("language", "equals", "en")])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = _environment(settings, mailbox, tmp_path)

    with _running(["serve", "--port", str(port)], environment, tmp_path) as first:
        async with httpx.AsyncClient(base_url=base, trust_env=False) as http:
            await _until_up(http, env)
            invited = await http.post(
                INVITATIONS.format(survey["id"]),
                json={"segmentId": segment, **template()},
                headers=env.headers,
            )
            await mailbox.wait_for(2, within=60)
            [bob_mail] = mailbox.to("bob@example.com")
            link = urlsplit(bob_mail.text.split(": ", 1)[1].strip()).path
            answered = await post_step(http, link, 0, {QUESTION_ID: "Fine"})
        deadline = time.monotonic() + 30
        while await _sent(client, env, survey["id"], "invited") < 2:
            assert time.monotonic() < deadline, "the mails were not recorded as sent"
            await asyncio.sleep(0.1)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    with _running(["serve", "--port", str(port)], environment, tmp_path):
        async with httpx.AsyncClient(base_url=base, trust_env=False) as http:
            await _until_up(http, env)
            reminded = await http.post(
                REMINDERS.format(survey["id"]),
                json={
                    "segmentId": segment,
                    "subject": "Reminder",
                    "text": "{{ link }}",
                    "minGapHours": 0,
                },
                headers=env.headers,
            )
            await mailbox.wait_for(3, within=60)
            deadline = time.monotonic() + 30
            while await _sent(client, env, survey["id"], "reminded") < 1:
                assert time.monotonic() < deadline, "the reminder was not recorded as sent"
                await asyncio.sleep(0.1)
            status = (await http.get(STATUS.format(survey["id"]), headers=env.headers)).json()

    assert invited.json()["data"]["queued"] == 2
    assert answered.status_code == 200
    assert reminded.json()["data"]["queued"] == 1
    assert [mail.message["Subject"] for mail in mailbox.to("ada@example.com")] == [
        "Ada, a question for you",
        "Reminder",
    ]
    assert [mail.message["Subject"] for mail in mailbox.to("bob@example.com")] == [
        "Bob, a question for you"
    ]
    assert mailbox.to("cy@example.com") == []
    states = {
        row["email"]: (row["state"], row["invitationCount"], row["reminderCount"])
        for row in status["data"]
    }
    assert states == {
        "ada@example.com": ("invited", 1, 1),
        "bob@example.com": ("finished", 1, 0),
        "cy@example.com": ("notInvited", 0, 0),
    }
    assert {row["contactId"] for row in status["data"]} >= {ada["id"], bob["id"]}


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
