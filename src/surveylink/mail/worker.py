"""The mail worker: claims due outbox messages, renders each with a link minted now, sends it
over SMTP, and records the outcome of each mail as soon as the server has answered.

All of its state is in the database, so any number of workers (in `serve` or `surveylink
worker`) can run, and a killed one loses nothing: a message it had claimed is claimed again when
the lease runs out. Delivery is at-least-once with one narrow window: a worker killed after the
SMTP server accepted a mail (250 to DATA) and before its own commit of that outcome (a few
milliseconds later) leaves the message pending, and it is sent again after the lease, with the
same Message-ID. Killed anywhere else (before sending, or after recording), nothing is sent
twice. One contact's failure only touches its own message: each is its own SMTP transaction and
its own database record.
"""

import asyncio
import logging
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from surveylink.campaigns import service as campaigns
from surveylink.core.background import in_background
from surveylink.core.clock import utcnow
from surveylink.core.config import Settings
from surveylink.core.db import transaction
from surveylink.links.service import build_link
from surveylink.links.tokens import LinkKeys
from surveylink.mail import compose, repository
from surveylink.mail.models import MailCampaign, MailMessage
from surveylink.mail.smtp import Connection, Outcome, SmtpConfig
from surveylink.webhooks.delivery import backoff_seconds

logger = logging.getLogger("surveylink.mail")


@dataclass(frozen=True)
class MailPolicy:
    max_attempts: int = 8
    retry_base_seconds: float = 60.0
    timeout_seconds: float = 30.0
    connections: int = 4
    batch_size: int = 20
    poll_seconds: float = 1.0
    lease_seconds: float | None = None  # default: longer than any send can take

    @classmethod
    def from_settings(cls, settings: Settings) -> "MailPolicy":
        return cls(
            max_attempts=settings.mail_max_attempts,
            retry_base_seconds=settings.mail_retry_base_seconds,
            timeout_seconds=settings.mail_timeout_seconds,
            connections=settings.mail_connections,
            batch_size=5 * settings.mail_connections,
        )

    @property
    def lease(self) -> timedelta:
        """A claimed batch is sent over `connections` sessions, each mail within the timeout."""
        if self.lease_seconds is not None:
            return timedelta(seconds=self.lease_seconds)
        per_connection = -(-self.batch_size // self.connections)
        return timedelta(seconds=(per_connection + 2) * self.timeout_seconds)


@dataclass(frozen=True)
class LinkIssuer:
    keys: LinkKeys
    base_url: str


@dataclass
class _Batch:
    """What rendering a batch needs, loaded in a fixed number of queries."""

    campaigns: dict[str, MailCampaign]
    surveys: dict[str, repository.SurveyFacts]
    attributes: dict[str, dict[str, str]]
    finished: set[tuple[str, str]]
    templates: dict[str, compose.Templates] = field(default_factory=dict)


@dataclass(frozen=True)
class _Prepared:
    mail: EmailMessage | None
    recipient: str
    outcome: Outcome | None  # set when the mail is not to be sent at all


class MailWorker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        smtp: SmtpConfig,
        links: LinkIssuer,
        policy: MailPolicy,
    ) -> None:
        self.sessions = sessions
        self.smtp = smtp
        self.links = links
        self.policy = policy

    def running(self) -> AbstractAsyncContextManager[None]:
        """Runs the worker in the background for the duration of the block."""
        return in_background(self.run, "mail-delivery", self.policy.timeout_seconds + 5)

    async def run(self, stop: asyncio.Event) -> None:
        """Sends until `stop` is set; never raises (errors are logged and retried)."""
        while not stop.is_set():
            try:
                claimed = await self.run_once()
            except Exception:
                logger.exception("mail round failed")
                claimed = 0
            if claimed < self.policy.batch_size:
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.policy.poll_seconds)

    async def run_once(self) -> int:
        """Claims one batch of due messages and sends them; returns how many were claimed."""
        messages = await self.claim()
        await self.deliver(messages)
        return len(messages)

    async def claim(self) -> list[MailMessage]:
        now = utcnow()
        async with transaction(self.sessions) as session:
            if not await repository.has_due_messages(session, now):
                return []
        async with transaction(self.sessions, write=True) as session:
            return await repository.claim_due_messages(
                session, now, self.policy.batch_size, self.policy.lease
            )

    async def deliver(self, messages: Sequence[MailMessage]) -> None:
        """Sends claimed messages over up to `connections` SMTP sessions at once."""
        if not messages:
            return
        batch = await self._load(messages)
        lanes = min(self.policy.connections, len(messages))
        shares = [messages[lane::lanes] for lane in range(lanes)]
        await asyncio.gather(*(self._send_share(share, batch) for share in shares))

    async def _load(self, messages: Sequence[MailMessage]) -> _Batch:
        async with transaction(self.sessions) as session:
            campaigns_by_id = await repository.get_campaigns(
                session, {message.campaign_id for message in messages}
            )
            return _Batch(
                campaigns=campaigns_by_id,
                surveys=await repository.get_surveys(
                    session, {message.survey_id for message in messages}
                ),
                attributes=await repository.get_attributes(
                    session, {message.contact_id for message in messages}
                ),
                finished=await repository.get_finished(
                    session, [(message.survey_id, message.contact_id) for message in messages]
                ),
            )

    async def _send_share(self, share: Sequence[MailMessage], batch: _Batch) -> None:
        connection = Connection(self.smtp)
        try:
            for message in share:
                prepared = self._prepare(message, batch)
                outcome = prepared.outcome
                if outcome is None:
                    assert prepared.mail is not None
                    outcome = await connection.send(prepared.mail, prepared.recipient)
                await self._record(message, outcome)
        finally:
            await connection.close()

    def _prepare(self, message: MailMessage, batch: _Batch) -> _Prepared:
        """The mail to send, or the outcome of a mail that must not be sent."""
        campaign = batch.campaigns.get(message.campaign_id)
        survey = batch.surveys.get(message.survey_id)
        if campaign is None or survey is None:
            return _Prepared(None, "", Outcome("skipped", "the survey was deleted"))
        if (message.survey_id, message.contact_id) in batch.finished:
            return _Prepared(None, "", Outcome("skipped", "already finished the survey"))
        if survey.type != "link" or survey.status != "inProgress":
            return _Prepared(None, "", Outcome("skipped", "the survey is not in progress"))
        attributes = batch.attributes.get(message.contact_id, {})
        recipient = compose.valid_address(attributes.get("email"))
        if recipient is None:
            return _Prepared(None, "", Outcome("failed", "no valid email attribute"))
        link = build_link(
            message.contact_id,
            message.survey_id,
            survey.single_use,
            campaign.expiration_days,
            self.links.keys,
            self.links.base_url,
        )
        try:
            templates = batch.templates.get(campaign.id)
            if templates is None:
                templates = compose.Templates(campaign.subject, campaign.text, campaign.html)
                batch.templates[campaign.id] = templates
            composed = templates.render(
                compose.context(
                    link.surveyUrl,
                    link.expiresAt,
                    attributes,
                    message.contact_id,
                    message.survey_id,
                    survey.name,
                )
            )
        except compose.TemplateProblem as problem:
            return _Prepared(None, recipient, Outcome("failed", str(problem)[:500]))
        mail = compose.message(
            composed,
            sender=self.smtp.sender,
            sender_name=self.smtp.sender_name,
            recipient=recipient,
            # Stable across retries: a mail sent twice (see the module docstring) shows as one.
            message_id=f"<{campaign.id}.{message.contact_id}@{self.smtp.domain}>",
            date=utcnow(),
        )
        return _Prepared(mail, recipient, None)

    async def _record(self, message: MailMessage, outcome: Outcome) -> None:
        """The outcome of one mail, in its own transaction, right after the server answered."""
        now = utcnow()
        status = outcome.result
        next_attempt_at: datetime | None = None
        if status == "retry":
            if message.attempts >= self.policy.max_attempts:
                status = "failed"
            else:
                delay = backoff_seconds(message.attempts, self.policy.retry_base_seconds)
                next_attempt_at = now + timedelta(seconds=delay)
        stored = "pending" if status == "retry" else status
        try:
            async with transaction(self.sessions, write=True) as session:
                recorded = await repository.finish_message(
                    session,
                    message.id,
                    message.attempts,
                    status=stored,
                    next_attempt_at=next_attempt_at,
                    error=outcome.error,
                    now=now,
                )
                if recorded:
                    state = "queued" if stored == "pending" else stored
                    await campaigns.record_mail(
                        session,
                        message.survey_id,
                        message.contact_id,
                        message.kind,
                        state,
                        outcome.error,
                        now,
                    )
        except Exception:
            # Left claimed: the message is tried again when its lease runs out.
            logger.exception("could not record mail %s (%s)", message.id, outcome.result)
            return
        if status != "sent":
            logger.info("mail %s: %s (%s)", message.id, status, outcome.error)
