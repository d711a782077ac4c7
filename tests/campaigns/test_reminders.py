"""POST /management/surveys/{surveyId}/reminders, and what a failing recipient does to the rest."""

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import time_machine
from httpx import ASGITransport, AsyncClient

from surveylink.app import create_app
from surveylink.auth import service as auth_service
from surveylink.core.config import Settings
from surveylink.core.context import app_context
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
from tests.factories import QUESTION_ID, ApiEnv
from tests.respondent.helpers import post_step

REMINDER = {
    "subject": "Reminder: {{ survey.name }}",
    "text": "Still time, {{ attributes.firstName }}: {{ link }}",
}


async def _remind(client: AsyncClient, env: ApiEnv, survey_id: str, **body: Any) -> tuple[int, int]:
    response = await client.post(
        REMINDERS.format(survey_id), json={**REMINDER, **body}, headers=env.headers
    )
    assert response.status_code == 202, response.text
    data = response.json()["data"]
    assert data["kind"] == "reminder"
    return data["queued"], data["skipped"]


async def test_reminders_respect_the_gap_and_the_maximum_and_skip_who_finished(
    client: AsyncClient, env: ApiEnv, mailbox: Mailbox
) -> None:
    survey = await live_survey(env)
    ada = await env.create_contact("ada@example.com", firstName="Ada")
    bob = await env.create_contact("bob@example.com", firstName="Bob")
    worker = make_worker(client)
    await client.post(
        INVITATIONS.format(survey["id"]),
        json={"contactIds": [ada["id"], bob["id"]], **template()},
        headers=env.headers,
    )
    await deliver_all(worker, client)
    [bob_invitation] = mailbox.to("bob@example.com")
    link = urlsplit(bob_invitation.text.split(": ")[1].strip()).path
    finished = await post_step(client, link, 0, {QUESTION_ID: "Fine"})
    start = datetime.now(UTC)

    too_soon = await _remind(client, env, survey["id"], minGapHours=24)
    with time_machine.travel(start + timedelta(hours=25), tick=True):
        first = await _remind(client, env, survey["id"], minGapHours=24, maxReminders=1)
        await deliver_all(worker, client)
        again_at_once = await _remind(client, env, survey["id"], minGapHours=24, maxReminders=5)
    with time_machine.travel(start + timedelta(hours=50), tick=True):
        over_maximum = await _remind(client, env, survey["id"], minGapHours=24, maxReminders=1)
        second = await _remind(client, env, survey["id"], minGapHours=24, maxReminders=2)
        await deliver_all(worker, client)
    no_gap = await _remind(client, env, survey["id"], minGapHours=0, maxReminders=2)

    assert finished.status_code == 200
    assert too_soon == (0, 2)
    assert first == (1, 1)
    assert again_at_once == (0, 2)
    assert over_maximum == (0, 2)
    assert second == (1, 1)
    assert no_gap == (0, 2)
    subjects = [mail.message["Subject"] for mail in mailbox.to("ada@example.com")]
    assert subjects == [
        "Ada, a question for you",
        "Reminder: My new Survey from API",
        "Reminder: My new Survey from API",
    ]
    assert len(mailbox.to("bob@example.com")) == 1
    reminder = mailbox.to("ada@example.com")[1]
    assert reminder.text.startswith("Still time, Ada: http://testserver/c/")


async def test_uninvited_contacts_get_no_reminder(client: AsyncClient, env: ApiEnv) -> None:
    survey = await live_survey(env)
    await env.create_contact("ada@example.com")

    assert await _remind(client, env, survey["id"], minGapHours=0) == (0, 1)


async def test_a_refused_recipient_does_not_hold_up_the_others(
    client: AsyncClient, env: ApiEnv, mailbox: Mailbox
) -> None:
    survey = await live_survey(env)
    contacts = [
        await env.create_contact(email)
        for email in ("ada@example.com", "bounce@example.com", "slow@example.com")
    ]
    mailbox.refuse["bounce@example.com"] = "550 5.1.1 No such user"
    mailbox.refuse_times["slow@example.com"] = (1, "451 4.3.0 Try again later")

    await client.post(
        INVITATIONS.format(survey["id"]),
        json={"contactIds": [contact["id"] for contact in contacts], **template()},
        headers=env.headers,
    )
    await deliver_all(make_worker(client), client)
    failed = await client.get(
        STATUS.format(survey["id"]), params={"state": "mailFailed"}, headers=env.headers
    )
    invited = await client.get(
        STATUS.format(survey["id"]), params={"state": "invited"}, headers=env.headers
    )

    assert sorted(r for mail in mailbox.received() for r in mail.recipients) == [
        "ada@example.com",
        "slow@example.com",
    ]
    [bounced] = failed.json()["data"]
    assert bounced["email"] == "bounce@example.com"
    assert bounced["invitationStatus"] == "failed"
    assert bounced["invitationCount"] == 0
    assert bounced["lastMailError"] == "recipient refused: 550 5.1.1 No such user"
    assert sorted(row["email"] for row in invited.json()["data"]) == [
        "ada@example.com",
        "slow@example.com",
    ]
    assert all(row["lastMailError"] is None for row in invited.json()["data"])


async def test_a_mail_still_refused_after_the_last_attempt_fails(
    client: AsyncClient, env: ApiEnv, mailbox: Mailbox
) -> None:
    survey = await live_survey(env)
    contact = await env.create_contact("busy@example.com")
    mailbox.refuse_times["busy@example.com"] = (3, "451 4.3.0 Try again later")

    await client.post(
        INVITATIONS.format(survey["id"]),
        json={"contactIds": [contact["id"]], **template()},
        headers=env.headers,
    )
    await deliver_all(make_worker(client), client)  # FAST allows 3 attempts
    status = await client.get(STATUS.format(survey["id"]), headers=env.headers)

    [row] = status.json()["data"]
    assert mailbox.received() == []
    assert row["invitationStatus"] == "failed"
    assert row["lastMailError"] == "recipient refused: 451 4.3.0 Try again later"
    assert mailbox.refuse_times["busy@example.com"] == (0, "451 4.3.0 Try again later")


async def test_without_smtp_settings_mail_is_refused(env: ApiEnv, settings: Settings) -> None:
    survey = await live_survey(env)
    contact = await env.create_contact("ada@example.com")
    app = create_app(settings.model_copy(update={"smtp_host": ""}))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as bare:
        response = await bare.post(
            INVITATIONS.format(survey["id"]),
            json={"contactIds": [contact["id"]], **template()},
            headers=env.headers,
        )
    await auth_service.drain()
    await app_context(app).close()

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": "Bad Request",
            "details": [
                {
                    "field": "smtp",
                    "issue": "SMTP is not configured: set SMTP_HOST and MAIL_FROM to send mail",
                }
            ],
        }
    }
