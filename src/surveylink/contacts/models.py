from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveylink.core.db import Base, Row, UtcDateTime


class Contact(Row, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index(None, "environment_id", "created_at"),
        # walks a segment's members in id order, a batch at a time (links export)
        Index(None, "environment_id", "id"),
    )

    environment_id: Mapped[str] = mapped_column(ForeignKey("environments.id", ondelete="CASCADE"))


class ContactAttribute(Row, Base):
    __tablename__ = "contact_attributes"
    __table_args__ = (
        UniqueConstraint("contact_id", "attribute_key_id"),
        # finds the contact with a given email or userId in one indexed lookup
        Index(None, "attribute_key_id", "value"),
    )

    attribute_key_id: Mapped[str] = mapped_column(
        ForeignKey("contact_attribute_keys.id", ondelete="CASCADE")
    )
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(Text)
    value_number: Mapped[float | None] = mapped_column(Float, nullable=True)
    value_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
