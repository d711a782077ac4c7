from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from surveylink.core.clock import utcnow
from surveylink.core.db import Base, Row, UtcDateTime

INVITATION = "invitation"
REMINDER = "reminder"


class MailCampaign(Row, Base):
    """One invitation or reminder request: its templates, kept for the worker to render."""

    __tablename__ = "mail_campaigns"
    __table_args__ = (
        Index(None, "survey_id", "created_at"),
        Index(None, "created_at"),  # retention: campaigns left without messages
    )

    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # invitation | reminder
    subject: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    expiration_days: Mapped[float | None] = mapped_column(Float, nullable=True)
    segment_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class MailMessage(Base):
    """The mail outbox: one row per (campaign, contact), written in the request's transaction
    by one INSERT … SELECT. No link and no address are stored: both are read at send time."""

    __tablename__ = "mail_messages"
    __table_args__ = (
        UniqueConstraint("campaign_id", "contact_id"),
        Index(None, "status", "next_attempt_at"),
        Index(None, "status", "updated_at"),  # retention: mails done with before a cutoff
        Index(None, "survey_id", "contact_id"),
        # At most one pending mail of a kind per contact and survey, even when two requests
        # stage at once (PostgreSQL runs them concurrently): the loser's row is not written.
        Index(
            "uq_mail_messages_pending",
            "survey_id",
            "contact_id",
            "kind",
            unique=True,
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )

    # An integer key: INSERT … SELECT lets the database number the rows.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    campaign_id: Mapped[str] = mapped_column(ForeignKey("mail_campaigns.id", ondelete="CASCADE"))
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    # pending | sent | failed | skipped
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
