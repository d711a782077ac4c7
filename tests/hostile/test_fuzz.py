"""The fuzz corpus (corpus.py) against the whole app: no hostile input is ever a 5xx, every
API answer is JSON and every page answer under /c/ is HTML."""

import itertools
from collections.abc import Iterable

from httpx import AsyncClient

from tests.factories import ApiEnv
from tests.hostile.corpus import (
    Probe,
    Seed,
    attribute_probes,
    body_probes,
    page_probes,
    query_probes,
)


async def _failures(raw: AsyncClient, env: ApiEnv, probes: Iterable[Probe]) -> list[str]:
    failures = []
    for probe in probes:
        headers = {**env.headers, **probe.headers}
        if probe.body is not None:
            headers["content-type"] = "application/json"
        response = await raw.request(
            probe.method,
            probe.path,
            params=tuple(probe.params),
            content=probe.body,
            data=probe.form,
            headers=headers,
        )
        kind = response.headers.get("content-type", "")
        expected = "text/html" if probe.page else "application/json"
        # The page's own redirects, and upstream's 308 off a trailing slash (core/paths.py).
        moved = response.status_code in (303, 307, 308) and probe.page
        if response.status_code >= 500 or not (moved or kind.startswith(expected)):
            failures.append(
                f"{probe.method} {probe.path[:80]} {probe.what}: {response.status_code} {kind}"
            )
    return failures


async def test_no_body_is_a_server_error(raw: AsyncClient, env: ApiEnv, seed: Seed) -> None:
    probes = itertools.chain(
        body_probes(seed, env.environment_id), attribute_probes(env.environment_id)
    )
    failures = await _failures(raw, env, probes)

    assert failures == [], "\n".join(failures)


async def test_no_query_or_path_is_a_server_error(
    raw: AsyncClient, env: ApiEnv, seed: Seed
) -> None:
    failures = await _failures(raw, env, query_probes(seed))

    assert failures == [], "\n".join(failures)


async def test_no_page_request_is_a_server_error_and_each_is_html(
    raw: AsyncClient, env: ApiEnv, seed: Seed
) -> None:
    failures = await _failures(raw, env, page_probes(seed))

    assert failures == [], "\n".join(failures)
