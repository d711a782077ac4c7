"""Load test of the seed endpoint against a bare FastAPI route, in one run on this machine.

Starts the real `surveylink serve` (2 workers, SQLite, rate limiting disabled) and a bare
FastAPI app on the same workers, loads each with wrk at 50 connections, and prints one JSON line
per figure plus their ratio.
"""

import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
DURATION = os.environ.get("BENCH_DURATION", "15s")
CONNECTIONS = "50"
WORKERS = "2"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def wrk(url: str, headers: dict[str, str], script: Path | None = None) -> dict[str, Any]:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:  # a Lua script: another method and body (bench/write_latency.py)
        command += ["-s", str(script)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "req_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1) if errors else None,
    }


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 3)


def seed(base: str, key: str, environment_id: str) -> str:
    headers = {"x-api-key": key}
    survey = httpx.post(
        f"{base}/api/v1/management/surveys",
        json={
            "environmentId": environment_id,
            "name": "Bench",
            "status": "inProgress",
            "questions": [
                {"id": "q1", "type": "openText", "headline": {"default": "Q?"}, "required": True}
            ],
        },
        headers=headers,
    ).json()["data"]
    contact = httpx.post(
        f"{base}/api/v2/management/contacts",
        json={"environmentId": environment_id, "attributes": {"email": "bench@example.com"}},
        headers=headers,
    ).json()["data"]
    return (
        f"{base}/api/v2/management/surveys/{survey['id']}/contact-links/contacts/{contact['id']}/"
    )


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("w")
    return subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)


def initialized(prefix: str) -> tuple[Path, dict[str, str], list[str], dict[str, Any]]:
    """A fresh SQLite data folder, the environment of the served process, the `surveylink`
    command, and what `surveylink init --json` made there."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    work = Path(tempfile.mkdtemp(prefix=prefix))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{work / 'bench.db'}",
        "SURVEYLINK_DATA_DIR": str(work / "data"),
        "RATE_LIMITING_DISABLED": "1",
        "LOG_LEVEL": "warning",
    }
    surveylink = [sys.executable, "-m", "surveylink"]
    created = json.loads(
        subprocess.run(
            [*surveylink, "init", "--json"], env=env, capture_output=True, check=True
        ).stdout
    )
    return work, env, surveylink, created


def main() -> None:
    work, env, surveylink, created = initialized("surveylink-bench-")
    port, bare_port = free_port(), free_port()
    server = start(
        [*surveylink, "serve", "--port", str(port), "--workers", WORKERS], env, work / "serve.log"
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/api/v2/openapi.json")
        url = seed(base, created["apiKey"], created["environmentId"])
        headers = {"x-api-key": created["apiKey"]}
        sample = httpx.get(url, headers=headers)
        assert sample.status_code == 200, sample.text
        env["BENCH_URL_LENGTH"] = str(len(sample.json()["data"]["surveyUrl"]))
        wrk(url, headers)  # warm-up, not reported
        seed_figures = wrk(url, headers)
    finally:
        server.terminate()
        server.wait(timeout=30)
    bare = start(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "baseline_app:app",
            "--port",
            str(bare_port),
            "--workers",
            WORKERS,
            "--log-level",
            "warning",
            "--app-dir",
            str(ROOT / "bench"),
        ],
        env,
        work / "bare.log",
    )
    try:
        bare_url = f"http://127.0.0.1:{bare_port}/bare"
        wait_for(bare_url)
        wrk(bare_url, {})
        bare_figures = wrk(bare_url, {})
    finally:
        bare.terminate()
        bare.wait(timeout=30)
    context = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpus",
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
        "workers": int(WORKERS),
        "connections": int(CONNECTIONS),
        "duration": DURATION,
        "rate_limiting": "disabled (RATE_LIMITING_DISABLED=1)",
    }
    print(json.dumps({"figure": "seed_endpoint", **seed_figures, **context}))
    print(json.dumps({"figure": "bare_fastapi_baseline", **bare_figures, **context}))
    ratio = seed_figures["req_per_s"] / bare_figures["req_per_s"]
    print(json.dumps({"figure": "seed_to_baseline_ratio", "ratio": round(ratio, 3), "target": 0.4}))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
