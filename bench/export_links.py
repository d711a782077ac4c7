"""Links export of a 100,000-contact segment: over HTTP and through the CLI, on SQLite, one core.

Loads the contacts through the bulk API of a real `surveylink serve`, makes a segment of them,
then:
- streams `GET …/contact-links/segments/{id}/export` (CSV, then NDJSON, then CSV with short
  links) from a server pinned to one core, reading on the other, and samples the server's RSS
  every 10 ms while it streams (growth = peak during the stream minus RSS just before it);
- runs `surveylink links export` pinned to one core, with the server stopped, and reads its
  peak RSS (VmHWM) while it runs.
Prints one JSON line per figure, with wall and CPU seconds: on a shared machine the CPU
seconds are what one idle core would take. Targets: < 5 s for 100,000 links, server growth < 50 MB,
CLI peak RSS < 150 MB. `BENCH_CONTACTS` (default 100000) changes the size; `BENCH_KEEP=1` keeps
the database and files.
"""

import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from seed_endpoint import free_port, start, wait_for

ROOT = Path(__file__).resolve().parents[1]
CONTACTS = int(os.environ.get("BENCH_CONTACTS", "100000"))
OUTSIDERS = CONTACTS // 20  # contacts the segment's filter leaves out
SERVER_CORE, CLIENT_CORE = 0, 1


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (utime, stime of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field}")


class PeakWatcher:
    """A child's peak RSS (VmHWM, which belongs to its own image: the rusage of a forked child
    starts from the parent's RSS) read every 10 ms until it exits."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while True:
            try:
                self.peak = max(self.peak, rss_kb(self.pid, "VmHWM"))
            except (OSError, RuntimeError):  # gone, or a zombie without memory
                return
            time.sleep(0.01)


class RssSampler:
    """The process's RSS every 10 ms in a thread, for as long as the block runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.running = pid, 0, True
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.01)

    def __enter__(self) -> "RssSampler":
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.running = False
        self.thread.join()


def load_contacts(base: str, headers: dict[str, str], environment_id: str) -> None:
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        for start_at in range(0, CONTACTS + OUTSIDERS, 250):
            people = [
                {
                    "attributes": [
                        {"attributeKey": {"key": "email", "name": "Email"}, "value": email},
                        {"attributeKey": {"key": "firstName", "name": "First"}, "value": "Ada"},
                        {"attributeKey": {"key": "plan", "name": "Plan"}, "value": plan},
                    ]
                }
                for index in range(start_at, min(start_at + 250, CONTACTS + OUTSIDERS))
                for email, plan in [
                    (f"c{index}@example.com", "pro" if index < CONTACTS else "free")
                ]
            ]
            response = client.put(
                "/api/v2/management/contacts/bulk",
                json={"environmentId": environment_id, "contacts": people},
            )
            assert response.status_code == 200, response.text


def make_survey_and_segment(
    base: str, headers: dict[str, str], environment_id: str
) -> tuple[str, str]:
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
    leaf = {
        "id": "plan",
        "root": {"type": "attribute", "contactAttributeKey": "plan"},
        "qualifier": {"operator": "equals"},
        "value": "pro",
    }
    segment = httpx.post(
        f"{base}/api/v2/management/segments",
        json={
            "environmentId": environment_id,
            "title": "Pro",
            "filters": [{"id": "root", "connector": None, "resource": leaf}],
        },
        headers=headers,
    )
    assert segment.status_code == 201, segment.text
    return survey["id"], segment.json()["data"]["id"]


def http_export(url: str, headers: dict[str, str], pid: int, name: str) -> dict[str, Any]:
    before = rss_kb(pid)
    lines = 0
    with RssSampler(pid) as sampler, httpx.Client(timeout=120) as client:
        started, cpu = time.perf_counter(), cpu_seconds(pid)
        with client.stream("GET", url, headers=headers) as response:
            assert response.status_code == 200, response.read()
            for chunk in response.iter_bytes():
                lines += chunk.count(b"\n")
        seconds, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu
    links = lines - (1 if "format=ndjson" not in url else 0)
    assert links == CONTACTS, (links, CONTACTS)
    return {
        "figure": name,
        "links": links,
        "seconds": round(seconds, 2),
        "links_per_s": round(links / seconds),
        "server_cpu_seconds": round(cpu, 2),
        "links_per_cpu_s": round(links / cpu),
        "server_rss_before_mb": round(before / 1024, 1),
        "server_rss_growth_mb": round((sampler.peak - before) / 1024, 1),
        "target": "< 5 s; growth < 50 MB",
    }


def cli_export(env: dict[str, str], survey: str, segment: str, out: Path) -> dict[str, Any]:
    command = [
        "taskset",
        "-c",
        str(SERVER_CORE),
        sys.executable,
        "-m",
        "surveylink",
        "links",
        "export",
        *("--survey", survey, "--segment", segment),
        *("--attributes", "email,firstName", "-o", str(out)),
    ]
    started = time.perf_counter()
    log = out.with_suffix(".log")
    with log.open("w") as stderr:
        process = subprocess.Popen(command, env=env, stderr=stderr)
        watcher = PeakWatcher(process.pid)
        watcher.thread.join()
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    message = log.read_text()
    assert os.waitstatus_to_exitcode(status) == 0, message
    with out.open(newline="") as file:
        links = sum(1 for _ in csv.reader(file)) - 1
    assert links == CONTACTS, (links, CONTACTS)
    summary = message.strip().splitlines()[-1]  # "N links written to … in S s (R links/s)."
    reported = float(summary.rsplit(" in ", 1)[1].split(" s ")[0])
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "figure": "links_export_cli_csv",
        "links": links,
        "seconds_export": reported,
        "seconds_process": round(seconds, 2),
        "links_per_s": round(links / reported),
        "cpu_seconds_process": round(cpu, 2),
        "cli_peak_rss_mb": round(watcher.peak / 1024, 1),
        "target": "< 5 s; peak RSS < 150 MB",
    }


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="surveylink-export-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{work / 'bench.db'}",
        "SURVEYLINK_DATA_DIR": str(work / "data"),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "RATE_LIMITING_DISABLED": "1",
        "SURVEYLINK_RUN_WORKER": "0",
        "LOG_LEVEL": "warning",
    }
    surveylink = [sys.executable, "-m", "surveylink"]
    created = json.loads(
        subprocess.run(
            [*surveylink, "init", "--json"], env=env, capture_output=True, check=True
        ).stdout
    )
    headers = {"x-api-key": created["apiKey"]}
    server = start(
        ["taskset", "-c", str(SERVER_CORE), *surveylink, "serve", "--port", str(port)],
        env,
        work / "serve.log",
    )
    figures = []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/health")
        loading = time.perf_counter()
        load_contacts(base, headers, created["environmentId"])
        loaded = time.perf_counter() - loading
        survey, segment = make_survey_and_segment(base, headers, created["environmentId"])
        os.sched_setaffinity(0, {CLIENT_CORE})
        url = f"{base}/api/v2/management/surveys/{survey}/contact-links/segments/{segment}/export"
        query = "?attributes=email,firstName"
        cold = rss_kb(server.pid)
        with httpx.stream("GET", f"{url}{query}", headers=headers, timeout=120) as warm_up:
            for _ in warm_up.iter_bytes():  # not reported, and not kept
                pass
        warmed = rss_kb(server.pid)
        figures.append(http_export(f"{url}{query}", headers, server.pid, "links_export_http_csv"))
        figures.append(
            http_export(
                f"{url}{query}&format=ndjson", headers, server.pid, "links_export_http_ndjson"
            )
        )
        figures.append(
            http_export(f"{url}{query}&short=true", headers, server.pid, "links_export_http_short")
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
    figures.append(cli_export(env, survey, segment, work / "links.csv"))
    context = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpus",
        "load_average": os.getloadavg()[0],
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
        "database": "sqlite",
        "cores": "server or CLI pinned to one core",
    }
    print(
        json.dumps(
            {"figure": "bulk_load", "contacts": CONTACTS + OUTSIDERS, "seconds": round(loaded, 1)}
        )
    )
    first = {"before_mb": round(cold / 1024, 1), "after_mb": round(warmed / 1024, 1)}
    print(json.dumps({"figure": "server_rss_first_export", **first}))
    for figure in figures:
        print(json.dumps({**figure, **context}))
    if not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
