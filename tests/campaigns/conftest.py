import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from surveylink.core.config import Settings
from surveylink.core.context import app_context
from surveylink.core.db import transaction
from surveylink.mail.models import MailMessage
from surveylink.mail.worker import LinkIssuer, MailPolicy, MailWorker
from tests.campaigns.mailbox import Mailbox
from tests.factories import ApiEnv

INVITATIONS = "/api/v2/management/surveys/{}/invitations"
REMINDERS = "/api/v2/management/surveys/{}/reminders"
STATUS = "/api/v2/management/surveys/{}/contact-links/status"
REVOKE = "/api/v2/management/surveys/{}/contact-links/contacts/{}"
SENDER = "surveys@example.com"

FAST = MailPolicy(
    max_attempts=3,
    retry_base_seconds=0.01,
    timeout_seconds=5.0,
    connections=2,
    batch_size=10,
    poll_seconds=0.05,
)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as running:
        yield running


@pytest.fixture
def settings(settings: Settings, mailbox: Mailbox) -> Settings:
    """SMTP pointed at the test's own server on 127.0.0.1."""
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": mailbox.port,
            "mail_from": SENDER,
            "mail_from_name": "Acme Surveys",
        }
    )


def make_worker(client: AsyncClient, policy: MailPolicy = FAST) -> MailWorker:
    """The real mail worker of the test's app (tests turn off the app's own)."""
    app = client.app  # type: ignore[attr-defined]
    context = app_context(app)
    assert context.smtp is not None
    issuer = LinkIssuer(context.links.keys, context.links.base_url)
    return MailWorker(context.sessions, context.smtp, issuer, policy)


async def pending_mails(client: AsyncClient) -> int:
    app = client.app  # type: ignore[attr-defined]
    async with transaction(app_context(app).sessions) as session:
        statement = select(func.count()).where(MailMessage.status == "pending")
        return int(await session.scalar(statement) or 0)


async def deliver_all(worker: MailWorker, client: AsyncClient) -> None:
    """Runs the worker until no mail is pending (retries included)."""
    for _ in range(500):
        if await worker.run_once():
            continue
        if not await pending_mails(client):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("mails still pending")


def leaf(key: str, operator: str, value: object = "") -> dict[str, Any]:
    """One attribute filter of a segment."""
    resource = {
        "id": f"f{key}{operator}",
        "root": {"type": "attribute", "contactAttributeKey": key},
        "qualifier": {"operator": operator},
        "value": value,
    }
    return {"id": f"i{key}{operator}", "connector": None, "resource": resource}


async def live_survey(env: ApiEnv, **fields: Any) -> dict[str, Any]:
    return await env.create_survey(**{"status": "inProgress", **fields})


def template(**overrides: Any) -> dict[str, Any]:
    return {
        "subject": "{{ attributes.firstName|default('Hello') }}, a question for you",
        "text": "Hi {{ attributes.firstName }}, answer here: {{ link }}",
        "html": '<p>Hi {{ attributes.firstName }}, <a href="{{ link }}">answer here</a></p>',
        **overrides,
    }
