"""SMTP with upstream's settings, through aiosmtplib: one connection reused for many mails.

Upstream (nodemailer) uses implicit TLS when SMTP_SECURE_ENABLED=1 or the port is 465, else
upgrades with STARTTLS when the server offers it; it logs in when SMTP_AUTHENTICATED is not 0, and
SMTP_REJECT_UNAUTHORIZED_TLS=0 accepts any certificate. Same here.

A failure is classified for the worker: a recipient or a message the server refuses with a 5xx
is final for that mail; anything else (network, 4xx, timeouts, authentication) is retried, since
it says nothing about the mail itself and would otherwise fail a whole campaign at once.
"""

import asyncio
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

import aiosmtplib

from surveylink.core.config import Settings

Result = Literal["sent", "retry", "failed", "skipped"]


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    validate_certs: bool
    timeout: float
    sender: str
    sender_name: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "SmtpConfig | None":
        """None unless SMTP_HOST and MAIL_FROM are both set."""
        if not settings.smtp_host or not settings.mail_from:
            return None
        implicit = settings.smtp_secure_enabled or settings.smtp_port == 465
        login = settings.smtp_authenticated and bool(settings.smtp_user)
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port or (465 if implicit else 587),
            username=settings.smtp_user if login else None,
            password=settings.smtp_password.get_secret_value() if login else None,
            implicit_tls=implicit,
            validate_certs=settings.smtp_reject_unauthorized_tls,
            timeout=settings.mail_timeout_seconds,
            sender=settings.mail_from,
            sender_name=settings.mail_from_name,
        )

    @property
    def domain(self) -> str:
        """The sender's domain: the right-hand side of our Message-IDs."""
        return self.sender.rpartition("@")[2] or "surveylink.invalid"


@dataclass(frozen=True)
class Outcome:
    result: Result
    error: str | None = None


SENT = Outcome("sent")


class Connection:
    """One SMTP session, opened on first use and again after any failure that may have left it
    in an unknown state. Not for concurrent use: the worker gives each its own."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._client: aiosmtplib.SMTP | None = None

    async def send(self, mail: EmailMessage, recipient: str) -> Outcome:
        """Sends one mail to one recipient within the configured timeout, never raising."""
        try:
            async with asyncio.timeout(self.config.timeout):
                client = await self._connected()
                await client.send_message(mail, sender=self.config.sender, recipients=[recipient])
        except aiosmtplib.SMTPRecipientsRefused as refused:
            codes = [each.code for each in refused.recipients]
            text = "; ".join(f"{each.code} {each.message}" for each in refused.recipients)
            final = bool(codes) and all(code >= 500 for code in codes)
            return Outcome("failed" if final else "retry", f"recipient refused: {text}"[:500])
        except aiosmtplib.SMTPDataError as refused:
            result: Result = "failed" if refused.code >= 500 else "retry"
            return Outcome(result, f"message refused: {refused.code} {refused.message}"[:500])
        except aiosmtplib.SMTPResponseException as error:
            await self.close()
            return Outcome("retry", f"{type(error).__name__}: {error.code} {error.message}"[:500])
        except TimeoutError:
            await self.close()
            return Outcome("retry", f"timed out after {self.config.timeout:g} s")
        except (aiosmtplib.SMTPException, OSError) as error:
            await self.close()
            return Outcome("retry", f"{type(error).__name__}: {error}"[:500])
        except ValueError as error:  # an address aiosmtplib will not put on the wire
            return Outcome("failed", f"invalid address: {error}"[:500])
        return SENT

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        client = aiosmtplib.SMTP(
            hostname=self.config.host,
            port=self.config.port,
            username=self.config.username,
            password=self.config.password,
            use_tls=self.config.implicit_tls,
            start_tls=False if self.config.implicit_tls else None,
            validate_certs=self.config.validate_certs,
            timeout=self.config.timeout,
        )
        await client.connect()
        self._client = client
        return client

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None or not client.is_connected:
            return
        try:
            async with asyncio.timeout(2):
                await client.quit()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            client.close()
