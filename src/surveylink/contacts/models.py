from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from surveylink.core.db import Base, Row, UtcDateTime


class Contact(Row, Base):
    __tablename__ = "contacts"
    __table_args__ = (Index(None, "environment_id", "created_at"),)

    environment_id: Mapped[str] = mapped_column(ForeignKey("environments.id", ondelete="CASCADE"))


UNIQUE_VALUE_INDEX = "uq_contact_attributes_unique_value"


class ContactAttribute(Row, Base):
    __tablename__ = "contact_attributes"
    __table_args__ = (
        UniqueConstraint("contact_id", "attribute_key_id"),
        # finds the contact with a given email or userId in one indexed lookup
        Index(None, "attribute_key_id", "value"),
        # One contact per email and per userId in an environment (a key belongs to one
        # environment), whatever runs concurrently: the rows of unique keys carry the flag.
        Index(
            UNIQUE_VALUE_INDEX,
            "attribute_key_id",
            "value",
            unique=True,
            sqlite_where=text("is_unique"),
            postgresql_where=text("is_unique"),
        ),
    )

    attribute_key_id: Mapped[str] = mapped_column(
        ForeignKey("contact_attribute_keys.id", ondelete="CASCADE")
    )
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(Text)
    value_number: Mapped[float | None] = mapped_column(Float, nullable=True)
    value_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Its key's `is_unique` (email, userId), which keys never change.
    is_unique: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
