"""Write latency under SQLite with several workers: 50 concurrent writers, none may fail.

Starts the real `surveylink serve` (2 workers, SQLite, rate limiting disabled) and loads
`POST /api/v2/management/responses` (a response and its webhook outbox rows, one short write
transaction each) with wrk at 50 connections. SQLite takes one writer at a time, so writes queue:
the figure is how long they queue (p50, p99) and that none fails ("database is locked").
"""

import json
import os
import platform
import shutil
import subprocess

import httpx
from seed_endpoint import (
    CONNECTIONS,
    DURATION,
    ROOT,
    WORKERS,
    free_port,
    initialized,
    start,
    wait_for,
    wrk,
)

SCRIPT = """
wrk.method = "POST"
wrk.body = '{body}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-api-key"] = "{key}"
"""


def make_survey(base: str, key: str, environment_id: str) -> str:
    survey = httpx.post(
        f"{base}/api/v1/management/surveys",
        json={
            "environmentId": environment_id,
            "name": "Bench writes",
            "status": "inProgress",
            "questions": [
                {"id": "q1", "type": "openText", "headline": {"default": "Q?"}, "required": True}
            ],
        },
        headers={"x-api-key": key},
    )
    survey.raise_for_status()
    survey_id: str = survey.json()["data"]["id"]
    return survey_id


def main() -> None:
    work, env, surveylink, created = initialized("surveylink-bench-writes-")
    port = free_port()
    server = start(
        [*surveylink, "serve", "--port", str(port), "--workers", WORKERS], env, work / "serve.log"
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/api/v2/openapi.json")
        key = created["apiKey"]
        survey_id = make_survey(base, key, created["environmentId"])
        body = json.dumps({"surveyId": survey_id, "finished": True, "data": {"q1": "bench"}})
        script = work / "post.lua"
        script.write_text(SCRIPT.format(body=body, key=key))
        url = f"{base}/api/v2/management/responses"
        wrk(url, {}, script)  # warm-up, not reported
        figures = wrk(url, {}, script)
    finally:
        server.terminate()
        server.wait(timeout=30)
    context = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpus",
        "load_average": os.getloadavg(),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
        "database": "sqlite",
        "workers": int(WORKERS),
        "connections": int(CONNECTIONS),
        "duration": DURATION,
    }
    print(
        json.dumps({"figure": "sqlite_write_latency", **figures, **context, "target_p99_ms": 250})
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
