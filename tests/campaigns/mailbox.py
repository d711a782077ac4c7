"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the mail tests: keeps every accepted mail,
refuses the recipients it is told to (permanently or a given number of times), and can hold a
recipient's RCPT until released, to stop a sender in the middle of a delivery."""

import asyncio
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

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


class Mailbox:
    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply, every time
        self.refuse_times: dict[str, tuple[int, str]] = {}  # address -> (times left, reply)
        self.hold: set[str] = set()  # RCPT for these waits until `released` is set
        self.holding = threading.Event()  # set once a held RCPT arrived
        self.released = threading.Event()
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

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
