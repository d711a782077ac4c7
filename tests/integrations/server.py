"""A real `surveylink serve` on a free loopback port, on the test's database, for clients that
must talk HTTP to a real server (the tap, the n8n node's requests)."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from surveylink.core.config import Settings
from tests.conftest import free_port


@contextmanager
def serving(settings: Settings, workdir: Path) -> Iterator[str]:
    """Runs the service until the block ends; yields its base URL (`http://127.0.0.1:PORT`)."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": settings.sqlalchemy_url,
        "ENCRYPTION_KEY": settings.encryption_key.get_secret_value(),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SURVEYLINK_DATA_DIR": str(workdir / "data"),
        "SURVEYLINK_RUN_WORKER": "1",
        "DANGEROUSLY_ALLOW_WEBHOOK_INTERNAL_URLS": "1",  # receivers listen on 127.0.0.1
        "SURVEYLINK_WEBHOOK_RETRY_BASE_SECONDS": "1",
        "LOG_LEVEL": "warning",
    }
    environment.pop("RATE_LIMITING_DISABLED", None)  # the limit is on, as in production
    log = (workdir / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "surveylink", "serve", "--port", str(port)],
        cwd=workdir,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, workdir / "serve.log")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"surveylink serve exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/health", timeout=1, trust_env=False).is_success:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"surveylink serve did not come up:\n{log.read_text()}")
