"""Where a webhook may point: upstream's URL safety check, exact messages (resources spec §4.2).

Run on create, on update and again before every delivery, so a name that later resolves to a
private address is still refused.
"""

import asyncio
import ipaddress
import re
import socket
from urllib.parse import urlsplit

from surveylink.core.errors import BadRequest, DomainError

FORMAT = "Invalid webhook URL format"
PROTOCOL = "Webhook URL must use HTTPS or HTTP protocol"
LOCALHOST = "Webhook URL must not point to localhost or internal services"
PRIVATE = "Webhook URL must not point to private or internal IP addresses"
DNS_TIMEOUT_SECONDS = 3.0

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_BLOCKED_NAMES = {
    "localhost",
    "localhost.localdomain",
    "ip6-localhost",
    "ip6-loopback",
    "metadata.google.internal",
}
_PRIVATE_V4 = [
    ipaddress.IPv4Network(block)
    for block in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "255.255.255.255/32",
    )
]


class UnsafeUrl(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def as_error(self) -> DomainError:
        return BadRequest.on("url", self.message)


async def check_url(url: str, allow_internal: bool) -> None:
    """Raises UnsafeUrl with upstream's message when the URL may not receive webhooks."""
    host = _host_of(url)
    if host in _BLOCKED_NAMES:
        if allow_internal:
            return
        raise UnsafeUrl(LOCALHOST)
    literal = _ip_literal(host)
    if literal is not None:
        if not allow_internal and is_private(literal):
            raise UnsafeUrl(PRIVATE)
        return
    addresses = await _resolve(host)
    if not allow_internal and any(is_private(address) for address in addresses):
        raise UnsafeUrl(PRIVATE)


def _host_of(url: str) -> str:
    if not _SCHEME.match(url):
        raise UnsafeUrl(FORMAT)
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        raise UnsafeUrl(FORMAT) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UnsafeUrl(PROTOCOL)
    if not host:
        raise UnsafeUrl(FORMAT)
    return host.lower()


def _ip_literal(host: str) -> str | None:
    """The address a literal host stands for, normalised as the WHATWG URL parser does."""
    if ":" in host:
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            raise UnsafeUrl(FORMAT) from None
    parts = host.split(".")
    if parts and parts[-1] == "":
        parts.pop()
    if not parts or not _is_number(parts[-1]):
        return None
    numbers = [_parse_part(part) for part in parts]
    if len(numbers) > 4 or any(n > 255 for n in numbers[:-1]):
        raise UnsafeUrl(FORMAT)
    if numbers[-1] >= 256 ** (5 - len(numbers)):
        raise UnsafeUrl(FORMAT)
    value = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        value += number * 256 ** (3 - index)
    return str(ipaddress.IPv4Address(value))


def _is_number(part: str) -> bool:
    return part.isdigit() or bool(re.fullmatch(r"0[xX][0-9a-fA-F]*", part))


def _parse_part(part: str) -> int:
    try:
        if part[:2].lower() == "0x":
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part.startswith("0"):
            return int(part[1:], 8)
        return int(part, 10)
    except ValueError:
        raise UnsafeUrl(FORMAT) from None


def is_private(address: str) -> bool:
    """Upstream's private ranges: the IPv4 blocks above; `::`, `::1`, fe80:, fc, fd and
    IPv4-mapped private addresses."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return True  # not an address we can reason about: refuse
    if isinstance(parsed, ipaddress.IPv4Address):
        return any(parsed in block for block in _PRIVATE_V4)
    if parsed.ipv4_mapped is not None:
        return is_private(str(parsed.ipv4_mapped))
    text = str(parsed)
    return text in ("::", "::1") or text.startswith(("fe80:", "fc", "fd"))


async def _resolve(host: str) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(DNS_TIMEOUT_SECONDS):
            infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except TimeoutError:
        raise UnsafeUrl(f"DNS resolution timed out for webhook URL hostname: {host}") from None
    except (OSError, UnicodeError):
        infos = []
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise UnsafeUrl(f"Could not resolve webhook URL hostname: {host}")
    return addresses
