"""Bodies over 2 MiB: 413 in the envelope of the route's API version, a page under /c/, and
never more than the limit read, whether the size is declared or only streamed."""

from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient

from surveylink.core.limits import MAX_BODY_BYTES
from tests.factories import ApiEnv
from tests.hostile.corpus import Seed

ISSUE = "Request body must not exceed 2097152 bytes"
V2_TOO_LARGE = {
    "error": {
        "code": 413,
        "message": "Payload Too Large",
        "details": [{"field": "body", "issue": ISSUE}],
    }
}
V1_TOO_LARGE = {
    "code": "payload_too_large",
    "message": "Payload Too Large",
    "details": {"error": ISSUE},
}
CHUNK = 64 * 1024


class Trickle:
    """A body sent chunk by chunk without a declared length; counts what the server pulled."""

    def __init__(self, size: int) -> None:
        self.size, self.sent = size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < self.size:
            chunk = b" " * min(CHUNK, self.size - self.sent)
            self.sent += len(chunk)
            yield chunk


def _json_of(size: int) -> bytes:
    """A valid JSON document of exactly `size` bytes."""
    return b'{"name": "' + b"x" * (size - 12) + b'"}'


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v2/management/responses", V2_TOO_LARGE),
        ("/api/v2/management/contacts", V2_TOO_LARGE),
        ("/api/v1/management/surveys", V1_TOO_LARGE),
        ("/api/v1/management/contact-attribute-keys", V1_TOO_LARGE),
    ],
)
async def test_a_declared_body_over_2_mib_is_refused_in_the_routes_envelope(
    client: AsyncClient, env: ApiEnv, path: str, expected: object
) -> None:
    body = _json_of(MAX_BODY_BYTES + 1)

    response = await client.post(path, content=body, headers=env.headers)

    assert response.status_code == 413
    assert response.json() == expected
    assert response.headers["connection"] == "close"
    assert response.headers["cache-control"] == "private, no-store"


async def test_a_declared_length_is_refused_before_any_byte_is_read(
    client: AsyncClient, env: ApiEnv
) -> None:
    body = Trickle(MAX_BODY_BYTES + 1)
    headers = {**env.headers, "content-length": str(body.size)}

    response = await client.post("/api/v2/management/responses", content=body, headers=headers)

    assert response.status_code == 413
    assert response.json() == V2_TOO_LARGE
    assert body.sent == 0


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v2/management/responses", V2_TOO_LARGE),
        ("/api/v1/management/surveys", V1_TOO_LARGE),
    ],
)
async def test_a_streamed_body_is_cut_at_the_limit(
    client: AsyncClient, env: ApiEnv, path: str, expected: object
) -> None:
    body = Trickle(20 * MAX_BODY_BYTES)

    response = await client.post(path, content=body, headers=env.headers)

    assert response.status_code == 413
    assert response.json() == expected
    assert body.sent <= MAX_BODY_BYTES + CHUNK  # the chunk that crossed the limit, no more


async def test_a_body_of_exactly_2_mib_is_read(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    padding = "x" * (MAX_BODY_BYTES - 200)
    body = (
        f'{{"surveyId": "{survey["id"]}", "finished": false, "data": {{}}, '
        f'"meta": {{"source": "{padding}"}}}}'
    ).encode()
    body += b" " * (MAX_BODY_BYTES - len(body))

    headers = {**env.headers, "content-type": "application/json"}

    response = await client.post("/api/v2/management/responses", content=body, headers=headers)

    assert len(body) == MAX_BODY_BYTES
    assert response.status_code == 201


async def test_an_unauthenticated_oversized_body_is_413_too(client: AsyncClient) -> None:
    response = await client.post("/api/v2/management/responses", content=_json_of(3 * 2**20))

    assert response.status_code == 413
    assert response.json() == V2_TOO_LARGE


@pytest.mark.parametrize("declared", [True, False])
async def test_an_oversized_answer_on_the_page_is_an_html_413(
    raw: AsyncClient, seed: Seed, declared: bool
) -> None:
    form = b"step=0&shown=1&name=" + b"x" * MAX_BODY_BYTES
    headers = {"content-type": "application/x-www-form-urlencoded"}
    content: bytes | Trickle = form
    if not declared:
        content = Trickle(len(form))

    response = await raw.post(seed.link, content=content, headers=headers)

    assert response.status_code == 413
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Your answer is too long.</h1>" in response.text
