"""Upstream's success envelopes: `{"data": …}` and `{"data": […], "meta": {…}}`."""

from typing import Generic, TypeVar

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
