from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveylink.core.clock import utcnow
from surveylink.core.db import Base, Json, Row, UtcDateTime
from surveylink.core.ids import cuid


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=cuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    label: Mapped[str] = mapped_column(String(255), default="")
    # SHA-256 hex of the secret after `fbk_`: the secret is 256 random bits, so a fast hash is
    # as safe as a slow one and lets every request authenticate with one indexed lookup.
    lookup_hash: Mapped[str] = mapped_column(String(64), unique=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    organization_access: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)


class ApiKeyEnvironment(Row, Base):
    __tablename__ = "api_key_environments"
    __table_args__ = (UniqueConstraint("api_key_id", "environment_id"),)

    api_key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    environment_id: Mapped[str] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE"), index=True
    )
    permission: Mapped[str] = mapped_column(String(16))  # read | write | manage
