from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from surveylink.core.clock import utcnow
from surveylink.core.db import Base, UtcDateTime


class ShortLink(Base):
    """`/s/{code}`: a short name for one issued personal link.

    The code is random (it is as much a credential as the link it names) and is the primary
    key, so it is unique. The personal link's path is kept as issued, and `/s/{code}` sends the
    browser there: every check `/c/` makes (signature, expiry, revocation, answered) applies.
    """

    __tablename__ = "short_links"
    __table_args__ = (
        Index(None, "survey_id", "contact_id"),
        Index(None, "expires_at"),  # retention: links expired before a cutoff
    )

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(Text)  # "/c/{token}[?suId=…]", as issued
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
