"""One notion of "now": UTC, truncated to milliseconds as upstream's JavaScript dates are."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond - now.microsecond % 1000)


def iso(value: datetime) -> str:
    """`YYYY-MM-DDTHH:mm:ss.sssZ`, as JavaScript's `toISOString()` writes it."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
