"""The baseline: a bare FastAPI route answering a link-sized body, no database, no auth."""

import os

from fastapi import FastAPI

BODY = {
    "data": {
        "surveyUrl": "x" * int(os.environ.get("BENCH_URL_LENGTH", "520")),
        "expiresAt": None,
    }
}

app = FastAPI()


@app.get("/bare")
async def bare() -> dict[str, object]:
    return BODY
