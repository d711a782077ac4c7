"""Real HTTP receivers on loopback (127.0.0.1 or [::1]) for webhook tests and the benchmark:
each records every request and answers with the next scripted status (200 once the script runs
out), or misbehaves as a hostile receiver would: dripping its reply a byte at a time, or
streaming a huge body."""

import asyncio
import socket
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Literal

HUGE_REPLY_BYTES = 50 * 1024 * 1024
Behaviour = Literal["answer", "drip", "huge"]


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: str
    status: int


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, port: int, handler: type[BaseHTTPRequestHandler]) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), handler)


class Receiver:
    def __init__(
        self,
        statuses: list[int] | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
        behaviour: Behaviour = "answer",
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.requests: list[Received] = []
        self.script: deque[int] = deque(statuses or [])
        self.behaviour = behaviour
        self.hung_up = threading.Event()  # the client closed while we were still replying
        self.reply_bytes_sent = 0
        self.server_names: list[str | None] = []  # TLS server names the clients asked for
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = _Server(host, port, self._handler())
        if tls is not None:
            tls.sni_callback = self._record_server_name
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._scheme = "https" if tls else "http"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self._scheme}://{host}:{self.port}/hook"

    def __enter__(self) -> "Receiver":
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()

    def delivered(self) -> list[Received]:
        with self._lock:
            return [request for request in self.requests if 200 <= request.status < 300]

    async def wait_for_deliveries(self, count: int, within: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + within
        while len(self.delivered()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.delivered())} of {count} deliveries arrived")
            await asyncio.sleep(0.02)
        return self.delivered()

    async def wait_for_requests(self, count: int, within: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + within
        while len(self.requests) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.requests)} of {count} requests arrived")
            await asyncio.sleep(0.02)
        with self._lock:
            return list(self.requests)

    def _record_server_name(
        self, connection: ssl.SSLObject, name: str | None, context: ssl.SSLContext
    ) -> None:
        with self._lock:
            self.server_names.append(name)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
                with receiver._lock:
                    status = receiver.script.popleft() if receiver.script else 200
                    headers = {name.lower(): value for name, value in self.headers.items()}
                    receiver.requests.append(Received(headers, body, status))
                try:
                    if receiver.behaviour == "drip":
                        self._drip(status)
                    elif receiver.behaviour == "huge":
                        self._huge(status)
                    else:
                        self.send_response(status)
                        self.send_header("content-length", "0")
                        self.end_headers()
                except OSError:  # BrokenPipe, ConnectionReset: the client hung up
                    receiver.hung_up.set()

            def _drip(self, status: int) -> None:
                """A reply one byte every 0.2 s, never finished, for as long as the client
                listens: every read gets a byte long before any per-read timeout."""
                start = f"HTTP/1.1 {status} OK\r\nx-drip: ".encode()
                position = 0
                while not receiver._closing.wait(0.2):
                    self.wfile.write(start[position : position + 1] or b"a")
                    position += 1

            def _huge(self, status: int) -> None:
                self.send_response(status)
                self.send_header("content-length", str(HUGE_REPLY_BYTES))
                self.end_headers()
                chunk = b"x" * 65536
                for _ in range(HUGE_REPLY_BYTES // len(chunk)):
                    self.wfile.write(chunk)
                    with receiver._lock:
                        receiver.reply_bytes_sent += len(chunk)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
