"""`surveylink segments …` and `surveylink links export`, run as a user runs them."""

import csv
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from httpx import AsyncClient

from surveylink.links import tokens
from tests.cli.test_cli import _env, _surveylink
from tests.conftest import ENCRYPTION_KEY
from tests.factories import ApiEnv

KEYS = tokens.LinkKeys.from_setting(ENCRYPTION_KEY)
PRO = [
    {
        "id": "item1",
        "connector": None,
        "resource": {
            "id": "filter1",
            "root": {"type": "attribute", "contactAttributeKey": "plan"},
            "qualifier": {"operator": "equals"},
            "value": "PRO",
        },
    }
]


def _json(result: Any) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


async def test_segments_create_list_show_members_delete(
    tmp_path: Path, database_url: str, env: ApiEnv
) -> None:
    await env.create_attribute_key("plan")
    ada = await env.create_contact("ada@example.com", plan="pro")
    await env.create_contact("alan@example.com", plan="free")
    shell = _env(tmp_path, database_url)
    filters = tmp_path / "pro.json"
    filters.write_text(json.dumps(PRO))

    made = _json(
        _surveylink(
            shell,
            *("segments", "create", "--environment", env.environment_id, "--title", "Pro"),
            *("--filters", f"@{filters}", "--json"),
        )
    )
    listed = _json(_surveylink(shell, "segments", "list", "--json"))
    shown = _json(_surveylink(shell, "segments", "show", made["id"], "--json"))
    members = _json(_surveylink(shell, "segments", "members", made["id"], "--json"))
    deleted = _surveylink(shell, "segments", "delete", made["id"])
    again = _surveylink(shell, "segments", "show", made["id"])

    assert made["title"] == "Pro"
    assert made["filters"] == PRO
    assert [segment["id"] for segment in listed] == [made["id"]]
    assert shown["memberCount"] == 1
    assert members == {
        "data": [{"id": ada["id"], "attributes": {"email": "ada@example.com", "plan": "pro"}}],
        "meta": {"total": 1, "limit": 50, "offset": 0},
    }
    assert deleted.returncode == 0
    assert again.returncode == 1
    assert "Not Found (segment: not found)" in again.stderr


async def test_segments_create_refuses_what_the_api_refuses(
    tmp_path: Path, database_url: str, env: ApiEnv
) -> None:
    shell = _env(tmp_path, database_url)

    empty = _surveylink(
        shell,
        *("segments", "create", "--environment", env.environment_id, "--title", "None"),
        *("--filters", "[]"),
    )

    assert empty.returncode == 1
    assert "filters: At least one filter is required" in empty.stderr


async def test_links_export_writes_every_members_link(
    tmp_path: Path, database_url: str, client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey(status="inProgress")
    await env.create_attribute_key("plan")
    ada = await env.create_contact("ada@example.com", plan="pro", firstName="Ada")
    grace = await env.create_contact("grace@example.com", plan="Pro")
    await env.create_contact("alan@example.com", plan="free")
    segment = await env.create_segment("pro", PRO)
    shell = _env(tmp_path, database_url, PUBLIC_URL="http://testserver")
    output = tmp_path / "links.csv"

    result = _surveylink(
        shell,
        *("links", "export", "--survey", survey["id"], "--segment", segment),
        *("--attributes", "email,firstName", "--expiration-days", "7", "-o", str(output)),
    )

    assert result.returncode == 0, result.stderr
    assert "2 links written" in result.stderr
    with output.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert sorted((row["contactId"], row["email"], row["firstName"]) for row in rows) == sorted(
        [(ada["id"], "ada@example.com", "Ada"), (grace["id"], "grace@example.com", "")]
    )
    assert len({row["expiresAt"] for row in rows}) == 1
    for row in rows:
        path = urlsplit(row["surveyUrl"]).path
        claims = tokens.verify(path.removeprefix("/c/"), KEYS, now=0)
        assert claims == tokens.LinkClaims(row["contactId"], survey["id"])
        page = await client.get(path)
        assert page.status_code == 200
    assert not (tmp_path / "links.csv.part").exists()


async def test_links_export_short_ndjson_to_stdout(
    tmp_path: Path, database_url: str, client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey(status="inProgress")
    ada = await env.create_contact("ada@example.com")
    segment = await env.create_segment("everyone", [])
    shell = _env(tmp_path, database_url, PUBLIC_URL="http://testserver")

    result = _surveylink(
        shell,
        *("links", "export", "--survey", survey["id"], "--segment", segment),
        *("--short", "--format", "ndjson", "-o", "-"),
    )

    assert result.returncode == 0, result.stderr
    [line] = [json.loads(text) for text in result.stdout.splitlines()]
    assert line["contactId"] == ada["id"]
    hop = await client.get(urlsplit(line["surveyUrl"]).path)
    assert hop.status_code == 302
    token = urlsplit(hop.headers["location"]).path.removeprefix("/c/")
    assert tokens.verify(token, KEYS, now=0) == tokens.LinkClaims(ada["id"], survey["id"])


async def test_links_export_reports_a_refusal(
    tmp_path: Path, database_url: str, env: ApiEnv
) -> None:
    draft = await env.create_survey(status="draft")
    live = await env.create_survey(status="inProgress")
    segment = await env.create_segment("everyone", [])
    shell = _env(tmp_path, database_url)
    export = ("links", "export", "-o", str(tmp_path / "x.csv"))

    draft_export = _surveylink(shell, *export, "--survey", draft["id"], "--segment", segment)
    missing = _surveylink(shell, *export, "--survey", live["id"], "--segment", "nope")

    assert draft_export.returncode == 1
    assert "Forbidden" in draft_export.stderr
    assert missing.returncode == 1
    assert "Not Found (segment: not found)" in missing.stderr
    assert not (tmp_path / "x.csv").exists()
