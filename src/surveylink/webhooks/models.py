from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from surveylink.core.clock import utcnow
from surveylink.core.db import Base, Json, Row, UtcDateTime


class DeliveryStatus(StrEnum):
    """Where an outbox event stands; repository.py alone moves it.

    pending → delivering (claimed with its webhook's lane) → delivered, or failed (410, or the
    last attempt), or pending again (to retry after a backoff, or released unattempted)."""

    PENDING = "pending"
    DELIVERING = "delivering"
    DELIVERED = "delivered"
    FAILED = "failed"


OPEN = (DeliveryStatus.PENDING, DeliveryStatus.DELIVERING)


class Webhook(Row, Base):
    __tablename__ = "webhooks"

    name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    url: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32), default="user")
    environment_id: Mapped[str] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE"), index=True
    )
    triggers: Mapped[list[str]] = mapped_column(Json, default=list)
    survey_ids: Mapped[list[str]] = mapped_column(Json, default=list)
    # Sealed with AES-GCM (webhooks/secrets.py); upstream keeps it in plain text.
    secret: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Set when a receiver answered 410 Gone; cleared by the next update. Not on the wire.
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # The webhook's delivery lane: its events go out one at a time, in order, sent by the one
    # worker holding the lease (token, until); none while its oldest event waits for a retry.
    lease_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    paused_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class WebhookEvent(Row, Base):
    """The outbox: one row per (event, webhook), written in the response's transaction."""

    __tablename__ = "webhook_events"
    # A lane's next events: `webhook_id = ? AND status = ? ORDER BY seq LIMIT ?`; events done
    # with before a cutoff, for retention: `status IN (…) AND updated_at < ?`.
    __table_args__ = (
        Index(None, "webhook_id", "status", "seq"),
        Index(None, "status", "updated_at"),
    )

    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    # Order within the webhook: staging time in nanoseconds, +1 per row of one transaction.
    seq: Mapped[int] = mapped_column(BigInteger)
    event: Mapped[str] = mapped_column(String(32))
    # The exact JSON body, as text: JSONB would reorder upstream's keys, and retries must send
    # the very bytes that were signed the first time.
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(
            DeliveryStatus,
            native_enum=False,
            length=16,
            values_callable=lambda members: [member.value for member in members],
        ),
        default=DeliveryStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # recorded attempts
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class WebhookDelivery(Row, Base):
    """One attempt to deliver an outbox event."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index(None, "webhook_id", "created_at"),)

    event_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True
    )
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
