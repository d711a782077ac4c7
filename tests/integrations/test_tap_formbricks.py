"""tap-formbricks 0.0.3 (PyPI, a Singer tap), unchanged, against a real `surveylink serve`: every
stream of its catalog syncs the seeded records.

The tap hard-codes `https://app.formbricks.com/api/v1/` as its base and joins paths such as
`/management/people` to it, so it requests `/api/v1//management/people`: upstream's 308 to the
single-slash path, then the people→contacts and attribute-classes→contact-attribute-keys
rewrites, are what make it work (v1 management spec §6, §8). Only the scheme and host of its
base are replaced here; the path stays the tap's own.
"""

import json
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

from httpx import AsyncClient

from surveylink.core.config import Settings
from tests.factories import QUESTION_ID, ApiEnv
from tests.integrations.registry import python_tool
from tests.integrations.server import serving

TAP = ("tap-formbricks", "0.0.3")
RUNNER = """
import sys

from tap_formbricks import client
from tap_formbricks.tap import TapFormbricks

UPSTREAM = "https://app.formbricks.com"
hard_coded = client.FormbricksStream.url_base.fget(None)
assert hard_coded == UPSTREAM + "/api/v1/", hard_coded
url_base = sys.argv.pop(1) + hard_coded[len(UPSTREAM):]
client.FormbricksStream.url_base = property(lambda self: url_base)
TapFormbricks.cli()
"""


def _tap(venv: Path, workdir: Path, base: str, *arguments: str) -> str:
    runner = workdir / "run_tap.py"
    runner.write_text(RUNNER)
    done = subprocess.run(
        [str(venv / "bin" / "python"), str(runner), base, *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


async def _seed(client: AsyncClient, env: ApiEnv) -> dict[str, set[str]]:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com", userId="u-1")
    response = await client.post(
        "/api/v1/management/responses",
        json={
            "environmentId": env.environment_id,
            "surveyId": survey["id"],
            "finished": True,
            "data": {QUESTION_ID: "Great"},
            "userId": "u-1",
        },
        headers=env.headers,
    )
    action_class = await client.post(
        "/api/v1/management/action-classes",
        json={
            "environmentId": env.environment_id,
            "type": "code",
            "name": "Signed up",
            "key": "signed-up",
        },
        headers=env.headers,
    )
    keys = await client.get("/api/v1/management/contact-attribute-keys", headers=env.headers)
    return {
        "people": {contact["id"]},
        "surveys": {survey["id"]},
        "responses": {response.json()["data"]["id"]},
        "action-classes": {action_class.json()["data"]["id"]},
        "attribute-classes": {key["id"] for key in keys.json()["data"]},
    }


async def test_every_stream_of_the_tap_syncs_the_seeded_records(
    client: AsyncClient, env: ApiEnv, settings: Settings, tmp_path: Path
) -> None:
    venv = python_tool(*TAP)
    seeded = await _seed(client, env)
    (tmp_path / "config.json").write_text(json.dumps({"api_key": env.api_key}))
    config = ["--config", str(tmp_path / "config.json")]

    with serving(settings, tmp_path) as base:
        catalog = json.loads(_tap(venv, tmp_path, base, *config, "--discover"))
        output = _tap(venv, tmp_path, base, *config)

    streams = {stream["tap_stream_id"] for stream in catalog["streams"]}
    records: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in output.splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            records[message["stream"]].append(message["record"])
    assert streams == set(seeded) == set(records)
    for stream in streams:
        assert {record["id"] for record in records[stream]} == seeded[stream], stream
    [response] = records["responses"]
    assert response["surveyId"] in seeded["surveys"]
    assert response["finished"] is True
