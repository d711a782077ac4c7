"""Upstream's OpenAPI document, for the tests that compare us with it.

It is upstream's, not ours, so the repository does not carry it: it sits in `shared/reference/`
beside a checkout (`<repo>/../shared/reference/`), or wherever `SURVEYLINK_REFERENCE_DIR` points.
Without it those tests skip and say why; under CI (`CI` set) they fail, because `.ci/run` must
run them.
"""

import os
from pathlib import Path

import pytest

NAME = "formbricks-api-v2.openapi.yml"
BESIDE_CHECKOUT = Path(__file__).resolve().parents[2] / "shared" / "reference"


def upstream_openapi() -> Path:
    """The path of upstream's v2 OpenAPI document; skips (fails under CI) when it is absent."""
    directory = Path(os.environ.get("SURVEYLINK_REFERENCE_DIR") or BESIDE_CHECKOUT)
    path = directory / NAME
    if path.is_file():
        return path
    reason = f"upstream's OpenAPI document is not at {path} (it comes with ../shared/reference)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the tests that compare with it")
    pytest.skip(reason)
