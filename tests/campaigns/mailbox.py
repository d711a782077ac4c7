"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the mail tests: keeps every accepted mail,
refuses the recipients it is told to (permanently or a given number of times), and can hold a
recipient's RCPT until released, to stop a sender in the middle of a delivery. Optionally with a
self-signed certificate (implicit TLS or STARTTLS) and a login it requires."""

import asyncio
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from ipaddress import IPv4Address
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import free_port


@dataclass(frozen=True)
class Mail:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        part = self.message.get_body(("plain",))
        return "" if part is None else _lines(part.get_content())

    @property
    def html(self) -> str:
        part = self.message.get_body(("html",))
        return "" if part is None else _lines(part.get_content())


def _lines(content: object) -> str:
    """The part's text with the wire's CRLF line ends read back as \n."""
    return str(content).replace("\r\n", "\n")


def self_signed(directory: Path) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "smtp.crt", directory / "smtp.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


class Mailbox:
    def __init__(
        self,
        tls: ssl.SSLContext | None = None,
        *,
        implicit_tls: bool = False,
        login: tuple[str, str] | None = None,
    ) -> None:
        self.mails: list[Mail] = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply, every time
        self.refuse_times: dict[str, tuple[int, str]] = {}  # address -> (times left, reply)
        self.hold: set[str] = set()  # RCPT for these waits until `released` is set
        self.holding = threading.Event()  # set once a held RCPT arrived
        self.released = threading.Event()
        self._lock = threading.Lock()
        self.logins: list[str] = []
        self.port = free_port()
        options: dict[str, Any] = {}
        if tls is not None and implicit_tls:
            # aiosmtpd only counts STARTTLS as TLS when it decides whether to offer AUTH.
            options.update(ssl_context=tls, auth_require_tls=False)
        elif tls is not None:
            options.update(tls_context=tls, require_starttls=True)
        if login is not None:
            options.update(authenticator=self._authenticator(login), auth_required=True)
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)

    def __enter__(self) -> "Mailbox":
        self._controller.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.released.set()
        self._controller.stop()

    def _authenticator(self, expected: tuple[str, str]) -> Any:
        def authenticate(
            server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
        ) -> AuthResult:
            given = (
                (data.login.decode(), data.password.decode())
                if isinstance(data, LoginPassword)
                else None
            )
            if given != expected:
                return AuthResult(success=False, handled=False)
            with self._lock:
                self.logins.append(f"{mechanism}:{given[0]}")
            return AuthResult(success=True)

        return authenticate

    def received(self) -> list[Mail]:
        with self._lock:
            return list(self.mails)

    def to(self, address: str) -> list[Mail]:
        return [mail for mail in self.received() if address in mail.recipients]

    async def wait_for(self, count: int, within: float = 20.0) -> list[Mail]:
        deadline = time.monotonic() + within
        while len(self.received()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received())} of {count} mails arrived")
            await asyncio.sleep(0.02)
        return self.received()

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook names
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[Any],
    ) -> str:
        if address in self.hold and not self.released.is_set():
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.released.wait)
        with self._lock:
            if address in self.refuse:
                return self.refuse[address]
            if address in self.refuse_times:
                left, reply = self.refuse_times[address]
                if left > 0:
                    self.refuse_times[address] = (left - 1, reply)
                    return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.mails.append(Mail(str(envelope.mail_from), list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"
