"""Upstream's common list filter (resources spec §0.6): limit, skip, sort and a date window."""

import math
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from surveylink.core.errors import BadRequest
from surveylink.core.schemas import ApiModel
from surveylink.core.zod import (
    INVALID_DATE,
    MAX_SAFE_INTEGER,
    fail,
    js_number,
    number_check,
    representable,
)

# Upstream lets a fractional limit through to the database, which then fails (500); we ask for
# a whole number instead (docs/compatibility.md).
Limit = Annotated[int, BeforeValidator(number_check(1, 250, integer=True))]
# Upstream has no upper bound and fails in the database past 64 bits; ours is JavaScript's
# largest exact integer, checked before any query runs (docs/compatibility.md).
Skip = Annotated[int, BeforeValidator(number_check(0, MAX_SAFE_INTEGER, integer=True))]
DateField = Literal["createdAt", "updatedAt"]
# The largest OFFSET either database binds (a 64-bit integer); any skip past it is past the end.
MAX_OFFSET = 2**63 - 1


def _js_date(value: Any) -> datetime:
    """`z.coerce.date()` on a query string: ISO-8601, without a zone meaning UTC."""
    if isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise fail(INVALID_DATE) from None
    return representable(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


JsDate = Annotated[datetime, BeforeValidator(_js_date)]


class ListParams(ApiModel):
    limit: Limit = Field(50, description="Number of items to return")
    skip: Skip = Field(0, description="Number of items to skip")
    sort_by: DateField = Field("createdAt", description="Sort by field")
    order: Literal["asc", "desc"] = Field("desc", description="Sort order")
    start_date: JsDate | None = Field(None, description="Start date")
    end_date: JsDate | None = Field(None, description="End date")
    filter_date_field: DateField | None = Field(None, description="Date field to filter by")

    @model_validator(mode="after")
    def _window_is_ordered(self) -> "ListParams":
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise fail("startDate must be before endDate")
        return self

    def window(self, statement: Select[Any], columns: "DateColumns") -> Select[Any]:
        """Only the date window (inclusive bounds): what `meta.total` counts."""
        field = columns[self.filter_date_field or "createdAt"]
        if self.start_date:
            statement = statement.where(field >= self.start_date)
        if self.end_date:
            statement = statement.where(field <= self.end_date)
        return statement

    def apply(self, statement: Select[Any], columns: "DateColumns") -> Select[Any]:
        """The window, the order and the page; `columns` maps `createdAt`/`updatedAt`."""
        sort = columns[self.sort_by]
        return (
            self.window(statement, columns)
            .order_by(sort.asc() if self.order == "asc" else sort.desc())
            .limit(self.limit)
            .offset(min(self.skip, MAX_OFFSET))
        )


DateColumns = dict[str, InstrumentedAttribute[datetime]]


def query_count(text: str, name: str) -> int:
    """A v1 `limit`/`offset`/`skip` read as JavaScript's `Number()` does; anything but a whole
    number >= 0 is a 400 (upstream: a 500 from the database)."""
    number = js_number(text)
    if math.isnan(number) or math.isinf(number) or number < 0 or number != int(number):
        issue = "expected a whole number >= 0"
        raise BadRequest.on(name, issue, message=f"Invalid {name}: {issue}")
    if number > MAX_SAFE_INTEGER:  # checked before the database sees it
        issue = f"expected a whole number <= {MAX_SAFE_INTEGER}"
        raise BadRequest.on(name, issue, message=f"Invalid {name}: {issue}")
    return int(number)
