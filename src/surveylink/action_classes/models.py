from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveylink.core.db import Base, Json, Row


class ActionClass(Row, Base):
    """Upstream's `ActionClass`: a named event (`code`, sent by the SDK with its key) or a
    page-level trigger (`noCode`) that app surveys can be shown on."""

    __tablename__ = "action_classes"
    __table_args__ = (
        UniqueConstraint("environment_id", "name"),
        UniqueConstraint("environment_id", "key"),  # several NULL keys (noCode classes) pass
        Index(None, "environment_id", "created_at"),
    )

    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    type: Mapped[str] = mapped_column(String(16))  # code | noCode
    key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    no_code_config: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    environment_id: Mapped[str] = mapped_column(ForeignKey("environments.id", ondelete="CASCADE"))
