"""The real app served by uvicorn as `surveylink serve` serves it, plus one route that fails as
a bug would: `python -m tests.hostile.failing_server PORT` (settings from the environment)."""

import sys

import uvicorn
from fastapi import FastAPI

from surveylink.app import create_app
from surveylink.core import logs

BOOM = "/api/v2/boom"


def create() -> FastAPI:
    app = create_app()

    @app.get(BOOM)
    async def boom() -> None:
        raise RuntimeError("a bug")

    return app


if __name__ == "__main__":
    logs.configure("info")
    uvicorn.run(
        "tests.hostile.failing_server:create",
        factory=True,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_config=logs.server_config(),
    )
