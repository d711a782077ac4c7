"""What the delivery worker claims and what it reports back: a webhook's lane of events, and
the attempts made on it. Plain records between delivery.py and repository.py."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class QueuedEvent:
    id: str
    seq: int
    event: str
    attempts: int  # recorded before this claim
    payload: str


@dataclass(frozen=True)
class Lane:
    """A webhook's next events, in order, held by one worker while its lease token matches."""

    webhook_id: str
    url: str
    secret: str | None  # sealed
    token: str
    events: list[QueuedEvent]


@dataclass(frozen=True)
class Attempt:
    event_id: str
    number: int  # 1-based, across all of the event's attempts
    status_code: int | None
    duration_ms: int
    error: str | None
    at: datetime  # when it ended


@dataclass(frozen=True)
class Failure:
    """What becomes of an event whose attempt failed."""

    retry_at: datetime | None  # None: failed for good
    disable: bool = False  # the receiver answered 410 Gone


@dataclass(frozen=True)
class LaneReport:
    """A lane's attempts in order: all delivered but the last when `failure` is set. The events
    after them were not attempted and go back to the queue."""

    lane: Lane
    attempts: list[Attempt]
    failure: Failure | None
