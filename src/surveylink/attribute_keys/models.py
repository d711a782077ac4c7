from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveylink.core.db import Base, Row


class ContactAttributeKey(Row, Base):
    __tablename__ = "contact_attribute_keys"
    __table_args__ = (UniqueConstraint("environment_id", "key"),)

    is_unique: Mapped[bool] = mapped_column(Boolean, default=False)
    key: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    type: Mapped[str] = mapped_column(String(16), default="custom")  # default | custom
    data_type: Mapped[str] = mapped_column(String(16), default="string")  # string|number|date
    environment_id: Mapped[str] = mapped_column(ForeignKey("environments.id", ondelete="CASCADE"))


# Upstream's keys for every new environment: (key, name, description, isUnique).
DEFAULT_KEYS = (
    ("userId", "User Id", "The user id of a contact", True),
    ("email", "Email", "The email of a contact", True),
    ("firstName", "First Name", "Your contact's first name", False),
    ("lastName", "Last Name", "Your contact's last name", False),
    ("language", "Language", "The language preference of a contact", False),
)
