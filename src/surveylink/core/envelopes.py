"""Upstream's success envelopes: `{"data": …}` and `{"data": […], "meta": {…}}`."""

import json
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Data(BaseModel, Generic[T]):
    data: T


class PageMeta(BaseModel):
    total: int
    limit: int | float
    offset: int | float


class Page(BaseModel, Generic[T]):
    data: list[T]
    meta: PageMeta


async def streamed_data(
    chunks: AsyncIterator[Sequence[T]], shape: Callable[[T], Any]
) -> AsyncIterator[bytes]:
    """`{"data": […]}` written a chunk of items at a time, the bytes FastAPI would write for the
    whole list, for lists too long to hold in memory."""
    yield b'{"data":['
    first = True
    async for chunk in chunks:
        items = ",".join(_json(shape(item)) for item in chunk)
        yield (items if first else "," + items).encode()
        first = False
    yield b"]}"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
