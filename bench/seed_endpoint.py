"""Load test of the seed endpoint against a bare FastAPI route, in one run on this machine.

Starts the real `surveylink serve` (2 workers, rate limiting disabled) on SQLite and then on
PostgreSQL, and a bare FastAPI app on the same workers before and after them; loads each with wrk
at 50 connections (the best of `BENCH_REPEAT` loads, default 2) and prints one JSON line per
figure, then per database the seed/bare ratio of req/s (`ratio`) and of the server processes'
CPU time per request (`cpu_ratio`, which other load on a shared machine barely moves). The
baseline is the mean of the two bare loads: the machine is shared, and bracketing the databases
halves the drift of other load between the runs.

`BENCH_PG_URL` names the PostgreSQL bench database (created when missing, emptied at each run);
when no server answers, the PostgreSQL figures are skipped with a note.
"""

import asyncio
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
DURATION = os.environ.get("BENCH_DURATION", "15s")
CONNECTIONS = "50"
WORKERS = "2"
REPEAT = int(os.environ.get("BENCH_REPEAT", "2"))
PG_URL = os.environ.get(
    "BENCH_PG_URL", "postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/surveylink_bench"
)
READY = "/api/v2/openapi.json"  # answers once `surveylink serve` is up
BARE = [sys.executable, "-m", "uvicorn", "baseline_app:app", "--log-level", "warning"]
BARE += ["--app-dir", str(ROOT / "bench")]


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
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "req_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1) if errors else None,
    }


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 3)


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) used so far by a process and all its descendants."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # the name may hold spaces
        except OSError:  # the process ended meanwhile
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    tree, grew = {root}, True
    while grew:
        children = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= children
        grew = bool(children)
    return sum(times.get(pid, 0.0) for pid in tree)


def measure(url: str, headers: dict[str, str], server: int) -> dict[str, Any]:
    """After a warm-up load, the best of REPEAT loads (the machine is shared), each with the CPU
    the server's processes spent per request."""
    wrk(url, headers)  # warm-up, not reported
    best: dict[str, Any] = {}
    for _ in range(REPEAT):
        cpu_before = tree_cpu_seconds(server)
        figures = wrk(url, headers)
        cpu = tree_cpu_seconds(server) - cpu_before
        figures["server_cpu_us_per_request"] = round(cpu / max(figures["requests"], 1) * 1e6, 1)
        if figures["req_per_s"] > best.get("req_per_s", -1.0):
            best = figures
    return best


def seed(base: str, key: str, environment_id: str) -> str:
    """A link survey and a contact; the path of the contact's seed endpoint."""
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
    return f"/api/v2/management/surveys/{survey['id']}/contact-links/contacts/{contact['id']}/"


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("w")
    return subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)


@contextmanager
def served(
    command: list[str], env: dict[str, str], log: Path, ready: str
) -> Iterator[tuple[str, int]]:
    """`command` serving on a free port with WORKERS workers until the block ends: its base URL
    and process id, once `ready` (a path) answers."""
    port = free_port()
    server = start([*command, "--port", str(port), "--workers", WORKERS], env, log)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + ready)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def initialized(
    prefix: str, database_url: str | None = None
) -> tuple[Path, dict[str, str], list[str], dict[str, Any]]:
    """A fresh data folder, the environment of the served process, the `surveylink` command, and
    what `surveylink init --json` made in the database: `database_url` (an empty database), by
    default a SQLite file in that folder."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    work = Path(tempfile.mkdtemp(prefix=prefix))
    env = {
        **os.environ,
        "DATABASE_URL": database_url or f"sqlite+aiosqlite:///{work / 'bench.db'}",
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


def empty_postgres(url: str) -> str | None:
    """Creates the bench database when missing (from the server's `postgres` database) and
    empties it; why not, when that fails (no server answers, a refused login)."""
    target = make_url(url)
    name = target.database or "surveylink_bench"
    plain = target.set(drivername="postgresql", database=name)  # the URL asyncpg reads

    async def reset() -> None:
        server = await asyncpg.connect(plain.set(database="postgres").render_as_string(False))
        try:
            if not await server.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await server.execute('CREATE DATABASE "{}"'.format(name.replace('"', '""')))
        finally:
            await server.close()
        bench = await asyncpg.connect(plain.render_as_string(False))
        try:
            await bench.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        finally:
            await bench.close()

    try:
        asyncio.run(asyncio.wait_for(reset(), timeout=10))
    except (OSError, asyncpg.PostgresError) as error:  # TimeoutError is an OSError
        return f"{type(error).__name__}: {error}"
    return None


@dataclass(frozen=True)
class Seeded:
    """A database holding the bench's survey and contact, and how to serve it."""

    work: Path
    env: dict[str, str]
    command: list[str]
    key: str
    path: str  # of the seed endpoint
    url_length: int  # of the link it answers


def seeded(database: str, database_url: str | None = None) -> Seeded:
    """A database initialized and seeded through a first `surveylink serve`, which stops before
    any load: the bare route's body takes the length of the link this one answers."""
    work, env, surveylink, created = initialized(f"surveylink-bench-{database}-", database_url)
    command = [*surveylink, "serve"]
    key = created["apiKey"]
    with served(command, env, work / "seed.log", READY) as (base, _):
        path = seed(base, key, created["environmentId"])
        sample = httpx.get(base + path, headers={"x-api-key": key})
    assert sample.status_code == 200, sample.text
    url_length = len(sample.json()["data"]["surveyUrl"])
    return Seeded(work, env, command, key, path, url_length)


def load_seed_endpoint(database: Seeded) -> dict[str, Any]:
    with served(database.command, database.env, database.work / "serve.log", READY) as (base, pid):
        return measure(base + database.path, {"x-api-key": database.key}, pid)


def load_bare(env: dict[str, str], log: Path) -> dict[str, Any]:
    with served(BARE, env, log, "/bare") as (base, pid):
        return measure(f"{base}/bare", {}, pid)


def main() -> None:
    databases = {"sqlite": seeded("sqlite")}
    skipped = empty_postgres(PG_URL)
    if skipped is None:
        databases["postgresql"] = seeded("postgresql", PG_URL)
    first = databases["sqlite"]
    bare_env = {**first.env, "BENCH_URL_LENGTH": str(first.url_length)}
    bare_before = load_bare(bare_env, first.work / "bare-before.log")
    runs = {name: load_seed_endpoint(database) for name, database in databases.items()}
    bare_after = load_bare(bare_env, first.work / "bare-after.log")
    context = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpus",
        "load_average": os.getloadavg(),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
        "workers": int(WORKERS),
        "connections": int(CONNECTIONS),
        "duration": DURATION,
        "repeat": REPEAT,
        "rate_limiting": "disabled (RATE_LIMITING_DISABLED=1)",
    }
    bare = (bare_before, bare_after)
    for run, figures in zip(("before", "after"), bare, strict=True):
        print(json.dumps({"figure": "bare_fastapi_baseline", "run": run, **figures, **context}))
    bare_req_per_s = sum(figures["req_per_s"] for figures in bare) / 2
    bare_cpu = sum(figures["server_cpu_us_per_request"] for figures in bare) / 2
    for name, figures in runs.items():
        print(json.dumps({"figure": "seed_endpoint", "database": name, **figures, **context}))
        ratio = figures["req_per_s"] / bare_req_per_s
        cpu_ratio = bare_cpu / figures["server_cpu_us_per_request"]
        print(
            json.dumps(
                {
                    "figure": "seed_to_baseline_ratio",
                    "database": name,
                    "ratio": round(ratio, 3),
                    "cpu_ratio": round(cpu_ratio, 3),
                    "floor": 0.47,
                    "goal": 0.6,
                }
            )
        )
    if skipped is not None:
        print(json.dumps({"figure": "seed_endpoint", "database": "postgresql", "skipped": skipped}))
    for database in databases.values():
        shutil.rmtree(database.work, ignore_errors=True)


if __name__ == "__main__":
    main()
