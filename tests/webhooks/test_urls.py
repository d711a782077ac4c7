"""The URL safety check with upstream's messages (resources spec §4.2)."""

import pytest

from surveylink.webhooks.urls import FORMAT, LOCALHOST, PRIVATE, PROTOCOL, UnsafeUrl, check_url


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
        ("http://no-such-host.invalid/hook", "Could not resolve webhook URL hostname: "
         "no-such-host.invalid"),
    ],
)  # fmt: skip
async def test_unsafe_urls_are_refused_with_upstreams_message(url: str, message: str) -> None:
    with pytest.raises(UnsafeUrl) as refused:
        await check_url(url, allow_internal=False)

    assert refused.value.message == message


async def test_public_literal_addresses_pass() -> None:
    await check_url("https://93.184.215.14/hook", allow_internal=False)
    await check_url("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook", allow_internal=False)


async def test_the_setting_allows_internal_addresses_but_not_other_schemes() -> None:
    await check_url("http://127.0.0.1:9/hook", allow_internal=True)
    await check_url("http://localhost/hook", allow_internal=True)

    with pytest.raises(UnsafeUrl) as refused:
        await check_url("file:///etc/passwd", allow_internal=True)

    assert refused.value.message == PROTOCOL
