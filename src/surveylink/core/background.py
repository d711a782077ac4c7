"""A worker loop run in the background of the app's lifespan."""

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager, suppress
from typing import Any


@asynccontextmanager
async def in_background(
    run: Callable[[asyncio.Event], Coroutine[Any, Any, None]], name: str, grace_seconds: float
) -> AsyncIterator[None]:
    """Runs `run(stop)` for the duration of the block; at its end sets `stop` and gives the
    loop `grace_seconds` to finish what it has in flight before cancelling it."""
    stop = asyncio.Event()
    task = asyncio.create_task(run(stop), name=name)
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, grace_seconds)
        except TimeoutError:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
