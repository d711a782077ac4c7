"""The URL safety check with upstream's messages (resources spec §4.2), and the one address
rule behind it. Parsing only: no URL here is ever connected to."""

import ipaddress

import pytest

from surveylink.webhooks.urls import (
    FORMAT,
    LOCALHOST,
    PRIVATE,
    PROTOCOL,
    UnsafeUrl,
    check_url,
    delivery_url,
    is_internal,
)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", FORMAT),
        ("http://", FORMAT),
        ("ftp://example.com/hook", PROTOCOL),
        ("http://localhost:3000/hook", LOCALHOST),
        ("http://METADATA.google.internal/", LOCALHOST),
        ("http://127.0.0.1/hook", PRIVATE),
        ("http://0x7f.1/hook", PRIVATE),
        ("http://2130706433/hook", PRIVATE),
        ("http://10.1.2.3/", PRIVATE),
        ("http://169.254.169.254/latest/meta-data", PRIVATE),
        ("http://[::1]/hook", PRIVATE),
        ("http://[fd00::1]/hook", PRIVATE),
        ("http://[::ffff:192.168.0.1]/hook", PRIVATE),
        ("http://[::1%251]:8080/hook", FORMAT),
        ("http://[::%251]/hook", FORMAT),
        ("http://[fe80::1%25eth0]/hook", FORMAT),
        ("http://[::127.0.0.1]/hook", PRIVATE),
        ("http://[::ffff:0:127.0.0.1]/hook", PRIVATE),
        ("http://[64:ff9b::127.0.0.1]/hook", PRIVATE),
        ("http://[fec0::1]/hook", PRIVATE),
        ("http://[ff02::1]/hook", PRIVATE),
        ("http://no-such-host.invalid/hook", "Could not resolve webhook URL hostname: "
         "no-such-host.invalid"),
    ],
)  # fmt: skip
async def test_unsafe_urls_are_refused_with_upstreams_message(url: str, message: str) -> None:
    with pytest.raises(UnsafeUrl) as refused:
        await check_url(url, allow_internal=False)

    assert refused.value.message == message


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.255.0.1", "0.0.0.0",  # noqa: S104 (an address checked, never bound)
        "10.0.0.1", "100.64.0.1", "169.254.169.254",
        "172.16.0.1", "192.0.0.9", "192.0.2.1", "192.168.1.1", "198.18.0.1", "224.0.0.1",
        "239.255.255.250", "240.0.0.1", "255.255.255.255",
        "::", "::1", "::1%1", "fe80::1", "fe80::1%2", "fec0::1", "fd00::1", "fc00::1",
        "ff02::1", "ff0e::1", "100::1", "2001:db8::1",
        "::127.0.0.1", "::93.184.215.14", "::ffff:127.0.0.1", "::ffff:93.184.215.14",
        "::ffff:0:127.0.0.1", "64:ff9b::127.0.0.1", "64:ff9b::93.184.215.14", "64:ff9b:1::1",
        "2002:7f00:1::1", "2002:a00:1::", "2001:0:7f00:1:0:0:80ff:fffe",
    ],
)  # fmt: skip
def test_internal_addresses_in_every_spelling(address: str) -> None:
    assert is_internal(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "2002:5db8:d70e::1"]
)
def test_globally_routable_addresses_pass(address: str) -> None:
    assert not is_internal(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://[::1%251]:8080/hook", FORMAT),
        ("http://[::1]/hook", PRIVATE),
        ("http://[::]/hook", PRIVATE),
        ("http://[::127.0.0.1]/hook", PRIVATE),
        ("http://[::ffff:127.0.0.1]/hook", PRIVATE),
        ("http://[::ffff:0:127.0.0.1]/hook", PRIVATE),
        ("http://[64:ff9b::127.0.0.1]/hook", PRIVATE),
        ("http://[2002:7f00:1::1]/hook", PRIVATE),
        ("http://[fec0::1]/hook", PRIVATE),
        ("http://[ff02::1]/hook", PRIVATE),
        ("http://127.1/hook", PRIVATE),
        ("http://0x7f.1/hook", PRIVATE),
        ("http://LOCALHOST/hook", LOCALHOST),
    ],
)
def test_delivery_refuses_internal_literals_before_any_connection(url: str, message: str) -> None:
    with pytest.raises(UnsafeUrl) as refused:
        delivery_url(url, allow_internal=False)

    assert refused.value.message == message


def test_delivery_leaves_names_to_the_checking_resolver() -> None:
    target = delivery_url("https://hooks.surveylink.test:8443/in?x=1", allow_internal=False)

    assert (target.raw_host, target.port, target.raw_path_qs) == (
        "hooks.surveylink.test",
        8443,
        "/in?x=1",
    )


async def test_public_literal_addresses_pass() -> None:
    await check_url("https://93.184.215.14/hook", allow_internal=False)
    await check_url("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook", allow_internal=False)


async def test_the_setting_allows_internal_addresses_but_not_other_schemes() -> None:
    await check_url("http://127.0.0.1:9/hook", allow_internal=True)
    await check_url("http://localhost/hook", allow_internal=True)

    with pytest.raises(UnsafeUrl) as refused:
        await check_url("file:///etc/passwd", allow_internal=True)

    assert refused.value.message == PROTOCOL
