"""Which address counts as the respondent's."""

import pytest

from surveylink.core.proxies import client_ip, parse_networks

PROXIES = parse_networks("10.0.0.0/8, 192.0.2.1")


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("198.51.100.7", "203.0.113.9", "198.51.100.7"),  # not a proxy: its header is ignored
        ("10.1.2.3", "203.0.113.9", "203.0.113.9"),
        ("10.1.2.3", "203.0.113.9, 192.0.2.1", "203.0.113.9"),  # trusted hops skipped
        ("10.1.2.3", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # what the client wrote: not trusted
        ("10.1.2.3", None, "10.1.2.3"),
        ("10.1.2.3", "garbage", "10.1.2.3"),
        ("10.1.2.3", "[2001:db8::1]:443", "2001:db8::1"),
    ],
)
def test_forwarded_address_counts_only_from_trusted_proxies(
    peer: str, forwarded: str | None, expected: str
) -> None:
    assert client_ip(peer, forwarded, PROXIES) == expected


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_ip("10.1.2.3", "203.0.113.9", ()) == "10.1.2.3"


def test_a_bad_proxy_setting_is_refused() -> None:
    with pytest.raises(ValueError, match=r"'10\.0\.0\.300'"):
        parse_networks("10.0.0.300")
