from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from surveylink.core.clock import utcnow
from surveylink.core.db import Base, UtcDateTime


class ContactLinkState(Base):
    """What happened to one contact's personal link to one survey: mails, issuance, revocation.

    Opens come from `displays` and answers from `responses`; this row holds the rest, so the
    status endpoint reads one row per contact.
    """

    __tablename__ = "contact_link_states"

    survey_id: Mapped[str] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[str] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # Latest invitation: queued | sent | failed | skipped; None when never invited.
    invitation_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    invitation_count: Mapped[int] = mapped_column(Integer, default=0)
    first_invited_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_invited_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reminder_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reminder_count: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # The latest invitation or reminder sent: what the reminder gap counts from.
    last_mailed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_mail_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    link_issue_count: Mapped[int] = mapped_column(Integer, default=0)
    link_first_issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    link_last_issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Every link issued up to this instant (microseconds) is refused by /c/.
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
