"""One webhook attempt on the wire: one deadline for all of it (DNS, connect, send, reply), at
most REPLY_CAP bytes of the reply read, and connections only to addresses that were checked.

aiohttp connects to a name through its resolver and to nothing else, so the resolver here is the
address check: it resolves once, refuses the whole name if any address is internal, and hands
back the very addresses the connection then uses (no second lookup to rebind). The name stays
the request's Host and the TLS server name, verified against the receiver's certificate.
Connections are kept alive per receiver and reused by the next attempts.
"""

import asyncio
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from surveylink.webhooks import urls

REPLY_CAP = 64 * 1024
USER_AGENT = "surveylink-webhooks"
_NUMERIC = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV


@dataclass(frozen=True)
class Reply:
    status_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class CheckedResolver(AbstractResolver):
    """aiohttp's resolver: only addresses that passed `urls.is_internal`."""

    def __init__(self, allow_internal: bool) -> None:
        self._allow_internal = allow_internal

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await urls.resolve_checked(host, port, family, self._allow_internal)
        return [
            ResolveResult(
                hostname=host,
                host=str(address),
                port=port,
                family=socket.AF_INET6 if address.version == 6 else socket.AF_INET,
                proto=0,
                flags=_NUMERIC,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        pass


class Sender:
    """The worker's HTTP client; open it with `async with` inside the running loop."""

    def __init__(self, timeout_seconds: float, allow_internal: bool, connections: int) -> None:
        self._timeout = timeout_seconds
        self._allow_internal = allow_internal
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "Sender":
        connector = aiohttp.TCPConnector(
            limit=self._connections,
            resolver=CheckedResolver(self._allow_internal),
            # The system's trust store (SSL_CERT_FILE and SSL_CERT_DIR are honoured).
            ssl=ssl.create_default_context(),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),  # a receiver's cookie never reaches another
            auto_decompress=False,
            trust_env=False,  # no proxy from the environment: it would connect for us
            timeout=aiohttp.ClientTimeout(total=None),  # ours is below, over the whole attempt
            headers={"user-agent": USER_AGENT},
            skip_auto_headers=("accept-encoding",),
        )
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(self, url: URL, body: bytes, headers: Mapping[str, str]) -> Reply:
        """POSTs `body`; the receiver's status, or why there is none. Never raises for
        anything the receiver or the network does."""
        assert self._session is not None
        try:
            async with asyncio.timeout(self._timeout):
                async with self._session.post(
                    url, data=body, headers=headers, allow_redirects=False
                ) as response:
                    await _discard(response.content)
                    status = response.status
        except TimeoutError:
            return Reply(None, f"timed out after {self._timeout:g} s")
        except urls.UnsafeUrl as unsafe:
            return Reply(None, unsafe.message)
        except (aiohttp.ClientError, OSError, ValueError) as failure:
            return Reply(None, f"{type(failure).__name__}: {failure}"[:500])
        if 200 <= status < 300:
            return Reply(status, None)
        return Reply(status, f"receiver answered {status}")


async def _discard(content: aiohttp.StreamReader) -> None:
    """Reads the reply up to REPLY_CAP and drops it. A longer reply is cut there: leaving the
    response unread closes its connection instead of returning it to the pool."""
    read = 0
    while read < REPLY_CAP:
        chunk = await content.readany()
        if not chunk:
            return
        read += len(chunk)
