"""Real clients fetched from their registries at test time, cached per version under the
repository's `tmp/.cache/` (git-ignored) so a CI run installs each once. When the registry
cannot be reached the tests skip with the reason, except under CI, where they fail."""

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

CACHE = Path(__file__).resolve().parents[2] / "tmp" / ".cache"


def _unavailable(what: str, output: str) -> None:
    reason = f"could not fetch {what} from its registry: {output.strip()[-500:]}"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def python_tool(package: str, version: str) -> Path:
    """A virtual environment of its own with `package==version` installed; its directory."""
    target = CACHE / f"{package}-{version}"
    if (target / ".installed").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)  # a half-made one from an interrupted run
    subprocess.run([sys.executable, "-m", "venv", str(target)], check=True)
    install = subprocess.run(
        [str(target / "bin" / "pip"), "install", "--quiet", f"{package}=={version}"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if install.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        _unavailable(f"{package}=={version}", install.stderr or install.stdout)
    (target / ".installed").touch()
    return target


def npm_package(name: str, version: str) -> Path:
    """`npm pack name@version`, unpacked; the directory holding its `package/`."""
    target = CACHE / f"{name.replace('/', '+')}-{version}"
    if (target / "package").is_dir():
        return target
    npm = shutil.which("npm")
    if npm is None:
        _unavailable(f"{name}@{version}", "npm is not installed (apt-get install npm)")
    assert npm is not None
    target.mkdir(parents=True, exist_ok=True)
    packed = subprocess.run(
        [npm, "pack", f"{name}@{version}", "--silent"],
        cwd=target,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if packed.returncode != 0:
        _unavailable(f"{name}@{version}", packed.stderr or packed.stdout)
    archive = target / packed.stdout.strip().splitlines()[-1]
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target
