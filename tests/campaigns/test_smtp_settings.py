"""Upstream's SMTP settings against a real server on 127.0.0.1 with a self-signed certificate:
STARTTLS and login, implicit TLS, certificate checks, a wrong password."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from pydantic import SecretStr

from surveylink.core.config import Settings
from surveylink.core.context import app_context
from surveylink.mail.smtp import SmtpConfig
from surveylink.mail.worker import LinkIssuer, MailWorker
from tests.campaigns.conftest import FAST, INVITATIONS, STATUS, deliver_all, live_survey, template
from tests.campaigns.mailbox import Mailbox, self_signed
from tests.factories import ApiEnv

LOGIN = ("mailer", "s3cret")
# aiosmtpd does not count implicit TLS as TLS when it checks where AUTH is offered, and warns.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture
def tls_mailbox(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Mailbox]:
    implicit: bool = request.param
    with Mailbox(self_signed(tmp_path), implicit_tls=implicit, login=LOGIN) as running:
        yield running


def _worker(client: AsyncClient, settings: Settings, mailbox: Mailbox, **smtp: Any) -> MailWorker:
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": mailbox.port,
        "smtp_user": LOGIN[0],
        "smtp_password": SecretStr(LOGIN[1]),
        **smtp,
    }
    config = SmtpConfig.from_settings(settings.model_copy(update=values))
    assert config is not None
    app = client.app  # type: ignore[attr-defined]
    issuer = LinkIssuer(app_context(app).links.keys, settings.link_base)
    return MailWorker(app_context(app).sessions, config, issuer, FAST)


async def _invite(client: AsyncClient, env: ApiEnv) -> str:
    survey = await live_survey(env)
    contact = await env.create_contact("ada@example.com")
    response = await client.post(
        INVITATIONS.format(survey["id"]),
        json={"contactIds": [contact["id"]], **template()},
        headers=env.headers,
    )
    assert response.status_code == 202, response.text
    return str(survey["id"])


async def _row(client: AsyncClient, env: ApiEnv, survey_id: str) -> dict[str, Any]:
    response = await client.get(STATUS.format(survey_id), headers=env.headers)
    row: dict[str, Any] = response.json()["data"][0]
    return row


@pytest.mark.parametrize(
    ("tls_mailbox", "secure"),
    [(False, False), (True, True)],
    indirect=["tls_mailbox"],
    ids=["starttls", "implicit-tls"],
)
async def test_tls_and_login_deliver(
    client: AsyncClient, env: ApiEnv, settings: Settings, tls_mailbox: Mailbox, secure: bool
) -> None:
    survey_id = await _invite(client, env)
    worker = _worker(
        client,
        settings,
        tls_mailbox,
        smtp_secure_enabled=secure,
        smtp_reject_unauthorized_tls=False,  # the certificate is self-signed
    )

    await deliver_all(worker, client)

    assert [mail.recipients for mail in tls_mailbox.received()] == [["ada@example.com"]]
    assert len(tls_mailbox.logins) == 1
    assert tls_mailbox.logins[0].endswith(":mailer")
    assert (await _row(client, env, survey_id))["invitationStatus"] == "sent"


@pytest.mark.parametrize("tls_mailbox", [False], indirect=True)
async def test_an_untrusted_certificate_is_refused_by_default(
    client: AsyncClient, env: ApiEnv, settings: Settings, tls_mailbox: Mailbox
) -> None:
    survey_id = await _invite(client, env)
    worker = _worker(client, settings, tls_mailbox)

    claimed = await worker.run_once()
    row = await _row(client, env, survey_id)

    assert claimed == 1
    assert tls_mailbox.received() == []
    assert row["invitationStatus"] == "queued"  # retried later: the mail itself is fine
    assert "CERTIFICATE_VERIFY_FAILED" in row["lastMailError"]


@pytest.mark.parametrize("tls_mailbox", [False], indirect=True)
async def test_a_wrong_password_is_retried_not_failed(
    client: AsyncClient, env: ApiEnv, settings: Settings, tls_mailbox: Mailbox
) -> None:
    survey_id = await _invite(client, env)
    worker = _worker(
        client,
        settings,
        tls_mailbox,
        smtp_password=SecretStr("wrong"),
        smtp_reject_unauthorized_tls=False,
    )

    await worker.run_once()
    row = await _row(client, env, survey_id)

    assert tls_mailbox.received() == []
    assert row["invitationStatus"] == "queued"
    assert row["lastMailError"].startswith("SMTPAuthenticationError: 535")
    assert "s3cret" not in row["lastMailError"]
    assert "wrong" not in row["lastMailError"]
