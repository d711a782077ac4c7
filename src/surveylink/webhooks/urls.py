"""Where a webhook may point: upstream's URL safety check with its exact messages (resources spec
§4.2), on one address rule that upstream's string prefixes miss.

`check_url` runs on create and update, resolving the host once. Delivery never resolves twice:
`delivery_url` does the checks that need no DNS, and the HTTP client asks `resolve_checked` (its
resolver, webhooks/sender.py) for the addresses it then connects to, so the address checked is the
address used.
"""

import asyncio
import ipaddress
import re
import socket
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from urllib.parse import urlsplit

from yarl import URL

from surveylink.core.errors import BadRequest, DomainError

FORMAT = "Invalid webhook URL format"
PROTOCOL = "Webhook URL must use HTTPS or HTTP protocol"
LOCALHOST = "Webhook URL must not point to localhost or internal services"
PRIVATE = "Webhook URL must not point to private or internal IP addresses"
DNS_TIMEOUT_SECONDS = 3.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_BLOCKED_NAMES = {
    "localhost",
    "localhost.localdomain",
    "ip6-localhost",
    "ip6-loopback",
    "metadata.google.internal",
}
# Upstream's list; `ipaddress` misses some (192.0.0.0/24 counts as global on Python 3.11).
_INTERNAL_V4 = [
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
# Prefixes that carry an IPv4 address a gateway would reach on our behalf (NAT64, well-known
# and local-use), and Teredo; ::/8 (mapped, compatible, SIIT) is `is_reserved`.
_TRANSLATED_V6 = [
    ipaddress.IPv6Network(block) for block in ("64:ff9b::/96", "64:ff9b:1::/48", "2001::/32")
]
# One lookup blocked on a slow DNS server holds a thread: these lookups get their own few, so
# they never starve the event loop's default executor (which the database driver uses).
_DNS_THREADS = ThreadPoolExecutor(max_workers=16, thread_name_prefix="surveylink-dns")


class UnsafeUrl(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def as_error(self) -> DomainError:
        return BadRequest.on("url", self.message)


def is_internal(address: IPAddress) -> bool:
    """True unless the address is globally routable and reaches no one else on our behalf:
    loopback, private, link- and site-local, multicast, reserved, unspecified, documentation,
    IPv4 inside IPv6 (mapped, compatible, NAT64, Teredo; 6to4 by the IPv4 it embeds)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            return True
        if address.sixtofour is not None:
            return is_internal(address.sixtofour)
        if address.is_site_local or any(address in block for block in _TRANSLATED_V6):
            return True
    elif any(address in block for block in _INTERNAL_V4):
        return True
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


async def check_url(url: str, allow_internal: bool) -> None:
    """Raises UnsafeUrl with upstream's message when the URL may not receive webhooks."""
    host = _named_host(url, allow_internal)
    if host is not None:
        await resolve_checked(host, 0, socket.AF_UNSPEC, allow_internal)


def delivery_url(url: str, allow_internal: bool) -> URL:
    """The URL to send to, checked as far as it can be without DNS; the client's resolver
    checks the rest. The host is read again the way the HTTP client reads it, so an address it
    would connect to without asking its resolver is never one we did not check."""
    _named_host(url, allow_internal)
    try:
        target = URL(url.strip())
    except ValueError:
        raise UnsafeUrl(FORMAT) from None
    raw = target.raw_host or ""
    if allow_internal or not (":" in raw or raw.replace(".", "").isdigit()):
        return target  # a name: aiohttp resolves it through `resolve_checked`
    address = _literal(raw)
    if address is None:
        raise UnsafeUrl(FORMAT)
    if is_internal(address):
        raise UnsafeUrl(PRIVATE)
    return target


async def resolve_checked(
    host: str, port: int, family: socket.AddressFamily, allow_internal: bool
) -> list[IPAddress]:
    """Every address of `host`, resolved once within DNS_TIMEOUT_SECONDS; UnsafeUrl when there
    is none or any of them is internal (unless allowed)."""
    loop = asyncio.get_running_loop()
    lookup = partial(socket.getaddrinfo, host, port, family, socket.SOCK_STREAM)
    try:
        async with asyncio.timeout(DNS_TIMEOUT_SECONDS):
            infos = await loop.run_in_executor(_DNS_THREADS, lookup)
    except TimeoutError:
        raise UnsafeUrl(f"DNS resolution timed out for webhook URL hostname: {host}") from None
    except (OSError, UnicodeError):
        infos = []
    addresses = [
        address
        for info in infos
        if info[0] in (socket.AF_INET, socket.AF_INET6)
        and (address := _sockaddr_address(info[4])) is not None
    ]
    if not addresses:
        raise UnsafeUrl(f"Could not resolve webhook URL hostname: {host}")
    if not allow_internal and any(is_internal(address) for address in addresses):
        raise UnsafeUrl(PRIVATE)
    return addresses


def _named_host(url: str, allow_internal: bool) -> str | None:
    """The host name still to resolve, after upstream's checks that need no DNS; None when the
    host is an address (checked here) or a blocked name the setting allows."""
    host = _host_of(url)
    if host in _BLOCKED_NAMES:
        if allow_internal:
            return None
        raise UnsafeUrl(LOCALHOST)
    literal = _ip_literal(host)
    if literal is None:
        return host
    if not allow_internal and is_internal(literal):
        raise UnsafeUrl(PRIVATE)
    return None


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
    if not host or "%" in host:  # a zone id (`[::1%251]`): no URL parser of a browser takes it
        raise UnsafeUrl(FORMAT)
    return host.lower()


def _ip_literal(host: str) -> IPAddress | None:
    """The address a literal host stands for, normalised as the WHATWG URL parser does."""
    if ":" in host:
        address = _literal(host)
        if address is None:
            raise UnsafeUrl(FORMAT)
        return address
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
    return ipaddress.IPv4Address(value)


def _literal(host: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id is not None:
        return None
    return address


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


def _sockaddr_address(sockaddr: tuple[object, ...]) -> IPAddress | None:
    try:
        return ipaddress.ip_address(str(sockaddr[0]))
    except ValueError:
        return None
