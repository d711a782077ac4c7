"""`surveylink prune`, run as an operator runs it, against the test's database."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import time_machine
from httpx import AsyncClient

from tests.cli.test_cli import _env, _surveylink
from tests.factories import ApiEnv
from tests.shortlinks.test_short_links import EXPIRED, INVALID, SEED


async def test_prune_deletes_what_the_retention_lets_go_in_batches(
    client: AsyncClient, env: ApiEnv, tmp_path: Path, database_url: str
) -> None:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")
    paths = []
    with time_machine.travel(datetime.now(UTC) - timedelta(days=100), tick=True):
        for _ in range(3):
            link = await client.get(
                SEED.format(survey["id"], contact["id"]),
                params={"short": "true", "expirationDays": "1"},
                headers=env.headers,
            )
            paths.append(urlsplit(link.json()["data"]["surveyUrl"]).path)
    kept = _env(tmp_path, database_url, SURVEYLINK_SHORT_LINK_RETENTION_DAYS="0")

    keeping = _surveylink(kept, "prune")
    still_there = await client.get(paths[0])
    pruning = _surveylink(_env(tmp_path, database_url), "prune", "--batch-size", "2")
    pages = [await client.get(path) for path in paths]
    refused = _surveylink(_env(tmp_path, database_url), "prune", "--batch-size", "0")

    assert keeping.returncode == 0, keeping.stderr
    assert "short links" not in keeping.stdout
    assert still_there.status_code == 410
    assert EXPIRED in still_there.text
    assert pruning.returncode == 0, pruning.stderr
    assert pruning.stdout.splitlines() == [
        "0 webhook events deleted.",
        "0 mails deleted.",
        "0 mail campaigns deleted.",
        "3 short links deleted.",
    ]
    assert "Pruning short links" in pruning.stderr  # the progress bar
    assert [page.status_code for page in pages] == [404, 404, 404]
    assert all(INVALID in page.text for page in pages)
    assert refused.returncode == 2
