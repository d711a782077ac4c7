"""Sent, failed and skipped mails go once older than the retention; each contact's campaign
status is unchanged, and nobody already invited is invited again."""

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from httpx import AsyncClient
from sqlalchemy import func, select

from surveylink.core.config import Settings
from surveylink.core.context import app_context
from surveylink.core.db import transaction
from surveylink.core.retention import Pruner
from surveylink.mail.models import MailCampaign, MailMessage
from surveylink.retention import retentions
from tests.campaigns.conftest import (
    INVITATIONS,
    REMINDERS,
    STATUS,
    deliver_all,
    live_survey,
    make_worker,
    template,
)
from tests.campaigns.mailbox import Mailbox
from tests.factories import ApiEnv


def _pruner(client: AsyncClient, settings: Settings, batch_size: int = 1000) -> Pruner:
    app = client.app  # type: ignore[attr-defined]
    return Pruner(app_context(app).sessions, retentions(settings), batch_size)


async def _rows(client: AsyncClient) -> tuple[int, int]:
    """(mails, campaigns) left in the outbox."""
    app = client.app  # type: ignore[attr-defined]
    async with transaction(app_context(app).sessions) as session:
        mails = await session.scalar(select(func.count()).select_from(MailMessage))
        campaigns = await session.scalar(select(func.count()).select_from(MailCampaign))
    return int(mails or 0), int(campaigns or 0)


async def _status(client: AsyncClient, env: ApiEnv, survey_id: str) -> Any:
    response = await client.get(STATUS.format(survey_id), headers=env.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _invite(client: AsyncClient, env: ApiEnv, survey_id: str, ids: list[str]) -> Any:
    body = {"contactIds": ids, **template()}
    response = await client.post(INVITATIONS.format(survey_id), json=body, headers=env.headers)
    assert response.status_code == 202, response.text
    return response.json()["data"]


async def test_old_mails_go_and_campaign_status_stays(
    client: AsyncClient, env: ApiEnv, settings: Settings, mailbox: Mailbox
) -> None:
    survey = await live_survey(env)
    sid = survey["id"]
    ada = await env.create_contact("ada@example.com")
    bob = await env.create_contact("bob@example.com")
    broken = await env.create_contact("bounce@example.com")
    mailbox.refuse["bounce@example.com"] = "550 5.1.1 No such user"
    cy = await env.create_contact("cy@example.com")
    worker = make_worker(client)
    start = datetime.now(UTC) - timedelta(days=40)
    with time_machine.travel(start, tick=True):
        await _invite(client, env, sid, [ada["id"], bob["id"], broken["id"]])
        await deliver_all(worker, client)
    with time_machine.travel(start + timedelta(days=2), tick=True):
        reminded = await client.post(
            REMINDERS.format(sid),
            json={"contactIds": [ada["id"]], "minGapHours": 24, **template()},
            headers=env.headers,
        )
        await deliver_all(worker, client)
    await _invite(client, env, sid, [cy["id"]])
    await deliver_all(worker, client)
    before = await _status(client, env, sid)
    rows_before = await _rows(client)

    pruned = await _pruner(client, settings).run_once()
    after = await _status(client, env, sid)
    again = await _invite(client, env, sid, [ada["id"], bob["id"], broken["id"], cy["id"]])
    await deliver_all(worker, client)

    assert reminded.status_code == 202
    assert rows_before == (5, 3)
    assert pruned["mails"] == [4]
    assert pruned["mail campaigns"] == [2]
    assert await _rows(client) == (2, 2)  # cy's recent invitation, the bounce retried
    assert after == before
    states = {
        row["email"]: (row["state"], row["invitationCount"], row["reminderCount"])
        for row in after["data"]
    }
    assert states == {
        "ada@example.com": ("invited", 1, 1),
        "bob@example.com": ("invited", 1, 0),
        "bounce@example.com": ("mailFailed", 0, 0),
        "cy@example.com": ("invited", 1, 0),
    }
    assert (again["queued"], again["skipped"]) == (1, 3)  # only the failed one is tried again
    assert len(mailbox.to("ada@example.com")) == 2
    assert len(mailbox.to("bob@example.com")) == 1


async def test_pending_mails_stay_however_old(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey = await live_survey(env)
    ada = await env.create_contact("ada@example.com")
    with time_machine.travel(datetime.now(UTC) - timedelta(days=400), tick=True):
        await _invite(client, env, survey["id"], [ada["id"]])

    pruned = await _pruner(client, settings).run_once()

    assert pruned["mails"] == []
    assert pruned["mail campaigns"] == []
    assert await _rows(client) == (1, 1)
    await deliver_all(make_worker(client), client)
    [row] = (await _status(client, env, survey["id"]))["data"]
    assert row["state"] == "invited"


async def test_mails_are_pruned_in_bounded_batches(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey = await live_survey(env)
    contacts = [await env.create_contact(f"c{number}@example.com") for number in range(5)]
    with time_machine.travel(datetime.now(UTC) - timedelta(days=31), tick=True):
        await _invite(client, env, survey["id"], [contact["id"] for contact in contacts])
        await deliver_all(make_worker(client), client)

    pruned = await _pruner(client, settings, batch_size=2).run_once()

    assert pruned["mails"] == [2, 2, 1]
    assert pruned["mail campaigns"] == [1]
    assert await _rows(client) == (0, 0)
