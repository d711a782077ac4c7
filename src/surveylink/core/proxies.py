"""The client's address, trusting X-Forwarded-For only from the proxies an operator names
(SURVEYLINK_TRUSTED_PROXIES). Pure.

Upstream takes the first X-Forwarded-For entry from anyone, so any respondent could write
the address stored with their answer; here a forwarded address counts only when the peer that
sent it is trusted, and the chain is read from the right, skipping trusted hops.
"""

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(setting: str) -> tuple[Network, ...]:
    """Comma- or space-separated addresses or CIDRs; ValueError names the first bad one."""
    networks: list[Network] = []
    for part in setting.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(
                f"SURVEYLINK_TRUSTED_PROXIES: {part!r} is no address or CIDR"
            ) from None
    return tuple(networks)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: Sequence[Network]
) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_ip(
    peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]
) -> str | None:
    """The peer's address; behind trusted proxies, the last forwarded address that is not one."""
    current = _address(peer or "")
    if current is None:
        return None
    if not trusted or not forwarded_for or not _trusted(current, trusted):
        return str(current)
    for hop in reversed(forwarded_for.split(",")[-32:]):
        address = _address(hop)
        if address is None:
            return str(current)  # a garbled chain: keep the last address we can vouch for
        current = address
        if not _trusted(address, trusted):
            break
    return str(current)
