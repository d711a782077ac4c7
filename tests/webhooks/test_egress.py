"""Webhook egress under attack (issue #9): internal addresses in every spelling, a name whose
address is checked and then used, a receiver that drips its reply, and one that streams a huge
one. Every receiver listens on loopback, and no URL here points anywhere else."""

import asyncio
import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import update

from surveylink.core.config import Settings
from surveylink.core.db import make_engine, make_sessionmaker, transaction
from surveylink.webhooks.models import Webhook
from tests.factories import QUESTION_ID, ApiEnv
from tests.webhooks.conftest import FAST, api, make_worker
from tests.webhooks.receiver import HUGE_REPLY_BYTES, Receiver
from tests.webhooks.tls import certificates_for

WEBHOOKS = "/api/v2/management/webhooks"
FORMAT = "Invalid webhook URL format"
LOCALHOST = "Webhook URL must not point to localhost or internal services"
PRIVATE = "Webhook URL must not point to private or internal IP addresses"
REFUSING = replace(FAST, allow_internal=False)


def _loopback_name() -> list[str]:
    """This machine's own name when it resolves to loopback only (it does on Debian), for a
    name that is not one of upstream's blocked ones."""
    name = socket.gethostname()
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(name, None)}
    except OSError:
        return []
    loopback = all(address.startswith("127.") or address == "::1" for address in addresses)
    return [name] if addresses and loopback else []


# Spellings that all land on this machine's loopback, as a receiver would see them.
LOOPBACK_FORMS = [
    ("http://[::1]:{port}/hook", PRIVATE),
    ("http://[::]:{port}/hook", PRIVATE),
    ("http://[::ffff:127.0.0.1]:{port}/hook", PRIVATE),
    ("http://127.0.0.1:{port}/hook", PRIVATE),
    ("http://0x7f.1:{port}/hook", PRIVATE),
    ("http://2130706433:{port}/hook", PRIVATE),
    ("http://localhost:{port}/hook", LOCALHOST),
    *[(f"http://{name}:{{port}}/hook", PRIVATE) for name in _loopback_name()],
]
# Zone ids: no browser's URL parser takes one, so none can be created any more.
ZONE_FORMS = [("http://[::1%251]:{port}/hook", FORMAT), ("http://[::%251]:{port}/hook", FORMAT)]
# The table at create time, which makes no connection.
CREATE_TABLE = [
    *[(form, 400, message) for form, message in LOOPBACK_FORMS],
    ("http://[::1%251]:{port}/hook", 422, "Invalid URL"),
    ("http://[::%251]:{port}/hook", 422, "Invalid URL"),
    ("http://[::127.0.0.1]:{port}/hook", 400, PRIVATE),
    ("http://[::ffff:0:127.0.0.1]:{port}/hook", 400, PRIVATE),
    ("http://[64:ff9b::127.0.0.1]:{port}/hook", 400, PRIVATE),
    ("http://[2002:7f00:1::1]:{port}/hook", 400, PRIVATE),
    ("http://[fec0::1]:{port}/hook", 400, PRIVATE),
    ("http://[ff02::1]:{port}/hook", 400, PRIVATE),
    ("http://[fe80::1]:{port}/hook", 400, PRIVATE),
]


@contextmanager
def loopback_receivers() -> Iterator[tuple[Receiver, Receiver]]:
    """Receivers on [::1] and 127.0.0.1, on one port number."""
    for _ in range(20):
        with Receiver(host="::1") as v6:
            try:
                v4 = Receiver(port=v6.port)
            except OSError:
                continue  # that port is taken on 127.0.0.1: try another
            with v4:
                yield v6, v4
                return
    raise RuntimeError("no port free on both loopback addresses")


def deliveries_of(webhook: dict[str, Any]) -> str:
    return f"{WEBHOOKS}/{webhook['id']}/deliveries"


async def first_attempt(client: AsyncClient, env: ApiEnv, webhook: dict[str, Any]) -> Any:
    """The webhook's first recorded attempt, once there is one."""
    for _ in range(1000):
        log = (await client.get(deliveries_of(webhook), headers=env.headers)).json()
        if log["data"]:
            return log["data"][-1]
        await asyncio.sleep(0.02)
    raise AssertionError("no attempt was recorded")


async def store_legacy_url(settings: Settings, webhook_id: str, url: str) -> None:
    """A URL stored by an earlier version, which took zone ids; no API call can store one now."""
    engine = make_engine(settings.sqlalchemy_url)
    async with transaction(make_sessionmaker(engine), write=True) as session:
        await session.execute(update(Webhook).where(Webhook.id == webhook_id).values(url=url))
    await engine.dispose()


async def test_create_refuses_every_form_of_an_internal_address(
    settings: Settings, env: ApiEnv
) -> None:
    port = 9  # nothing is connected to at create time
    async with api(settings, allow_internal=False) as http:
        answers = [
            await http.post(
                WEBHOOKS,
                json={
                    "name": "probe",
                    "url": form.format(port=port),
                    "source": "user",
                    "environmentId": env.environment_id,
                    "triggers": ["responseCreated"],
                    "surveyIds": [],
                },
                headers=env.headers,
            )
            for form, _, _ in CREATE_TABLE
        ]

    assert [(answer.status_code, answer.json()) for answer in answers] == [
        (
            status,
            {
                "error": {
                    "code": status,
                    "message": "Bad Request" if status == 400 else "Unprocessable Entity",
                    "details": [{"field": "url", "issue": message}],
                }
            },
        )
        for _, status, message in CREATE_TABLE
    ]


async def test_no_form_of_an_internal_address_is_reached_at_delivery(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    """Stored while DANGEROUSLY_ALLOW_WEBHOOK_INTERNAL_URLS was on, sent after it was turned
    off: every attempt is refused before any connection."""
    survey = await env.create_survey()
    with loopback_receivers() as (v6, v4):
        webhooks = [
            await env.create_webhook(form.format(port=v6.port), triggers=["responseCreated"])
            for form, _ in LOOPBACK_FORMS
        ]
        for form, _ in ZONE_FORMS:
            webhook = await env.create_webhook(v6.url, triggers=["responseCreated"])
            await store_legacy_url(settings, webhook["id"], form.format(port=v6.port))
            webhooks.append(webhook)
        await env.create_response(survey["id"])

        async with make_worker(client, REFUSING).running():
            attempts = [await first_attempt(client, env, webhook) for webhook in webhooks]

        assert [
            (form, attempt["statusCode"], attempt["error"])
            for (form, _), attempt in zip(LOOPBACK_FORMS + ZONE_FORMS, attempts, strict=True)
        ] == [(form, None, message) for form, message in LOOPBACK_FORMS + ZONE_FORMS]
        assert v6.requests == []
        assert v4.requests == []


async def test_with_the_setting_a_webhook_reaches_a_receiver_on_ipv6_loopback(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey()
    with Receiver(host="::1") as receiver:
        await env.create_webhook(receiver.url, triggers=["responseCreated"])
        await env.create_response(survey["id"])

        async with make_worker(client).running():
            [delivered] = await receiver.wait_for_deliveries(1)

    assert delivered.headers["host"] == f"[::1]:{receiver.port}"


async def test_a_name_is_resolved_once_and_stays_the_host_header(
    client: AsyncClient, env: ApiEnv
) -> None:
    """The connection goes to the address the name resolved to (the receiver listens on
    127.0.0.1 only), and the request still names the host it was meant for."""
    survey = await env.create_survey()
    with Receiver() as receiver:
        await env.create_webhook(
            f"http://localhost:{receiver.port}/hook", triggers=["responseCreated"]
        )
        await env.create_response(survey["id"])

        async with make_worker(client).running():
            [delivered] = await receiver.wait_for_deliveries(1)

    assert delivered.headers["host"] == f"localhost:{receiver.port}"


async def test_tls_verifies_the_name_while_connecting_to_its_resolved_address(
    client: AsyncClient, env: ApiEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The receiver's certificate names `localhost` only: the attempt through the name is
    delivered with that name as the TLS server name; the same receiver by address is refused."""
    certificates = certificates_for("localhost", tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.authority))
    survey = await env.create_survey()
    with Receiver(tls=certificates.server) as receiver:
        by_name = await env.create_webhook(
            f"https://localhost:{receiver.port}/hook", triggers=["responseCreated"]
        )
        by_address = await env.create_webhook(receiver.url, triggers=["responseCreated"])
        await env.create_response(survey["id"])

        async with make_worker(client, replace(FAST, max_attempts=1)).running():
            [delivered] = await receiver.wait_for_deliveries(1)
            named, addressed = [
                await first_attempt(client, env, webhook) for webhook in (by_name, by_address)
            ]

    assert delivered.headers["host"] == f"localhost:{receiver.port}"
    assert json.loads(delivered.body)["webhookId"] == by_name["id"]
    assert "localhost" in receiver.server_names
    assert (named["statusCode"], named["error"]) == (200, None)
    assert addressed["statusCode"] is None
    assert "certificate is not valid for '127.0.0.1'" in addressed["error"]


async def test_a_dripping_receiver_delays_only_its_own_webhook(
    client: AsyncClient, env: ApiEnv
) -> None:
    """One byte every 0.2 s keeps every read short, yet the attempt ends at the deadline; the
    other webhook's events go out meanwhile."""
    survey = await env.create_survey()
    policy = replace(FAST, timeout_seconds=6.0, max_attempts=1)
    with Receiver(behaviour="drip") as slow, Receiver() as healthy:
        stalled = await env.create_webhook(slow.url, triggers=["responseFinished"])
        async with make_worker(client, policy).running():
            await env.create_response(survey["id"], finished=True)
            await slow.wait_for_requests(1)  # its attempt is under way
            await env.create_webhook(healthy.url, triggers=["responseCreated"])
            for number in range(3):
                await env.create_response(survey["id"], data={QUESTION_ID: str(number)})

            await healthy.wait_for_deliveries(3)
            meanwhile = await client.get(deliveries_of(stalled), headers=env.headers)
            attempt = await first_attempt(client, env, stalled)
        hung_up = await asyncio.to_thread(slow.hung_up.wait, 10)

    assert meanwhile.json()["data"] == []  # the slow attempt had not ended
    assert (attempt["statusCode"], attempt["error"]) == (None, "timed out after 6 s")
    assert hung_up
    assert len(slow.requests) == 1


async def test_a_huge_reply_is_read_only_up_to_a_cap(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    with Receiver(behaviour="huge") as huge:
        webhook = await env.create_webhook(huge.url, triggers=["responseCreated"])
        await env.create_response(survey["id"])

        async with make_worker(client).running():
            attempt = await first_attempt(client, env, webhook)
        hung_up = await asyncio.to_thread(huge.hung_up.wait, 10)

    assert (attempt["statusCode"], attempt["error"]) == (200, None)
    assert hung_up  # we closed the connection instead of reading on
    assert huge.reply_bytes_sent < HUGE_REPLY_BYTES


async def test_events_of_one_webhook_arrive_in_the_order_they_happened(
    client: AsyncClient, env: ApiEnv
) -> None:
    """Two workers, small batches, and a first attempt that fails: the retry still comes
    before any later event."""
    survey = await env.create_survey()
    with Receiver(statuses=[500]) as receiver:
        await env.create_webhook(receiver.url, triggers=["responseCreated"])
        created = [
            await env.create_response(survey["id"], data={QUESTION_ID: str(number)})
            for number in range(12)
        ]
        small = replace(FAST, batch_size=4)

        async with make_worker(client, small).running(), make_worker(client, small).running():
            await receiver.wait_for_deliveries(12)

    sent = [json.loads(request.body)["data"]["id"] for request in receiver.requests]
    ids = [response["id"] for response in created]
    assert sent == [ids[0], *ids]
