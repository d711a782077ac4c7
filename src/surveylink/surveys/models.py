from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from surveylink.core.db import Base, Json, Row


class Survey(Row, Base):
    """A survey: the columns we query on, and the rest of upstream's fields as one document."""

    __tablename__ = "surveys"
    __table_args__ = (Index(None, "environment_id", "updated_at"),)

    name: Mapped[str] = mapped_column(String(1000))
    type: Mapped[str] = mapped_column(String(16), default="link")  # link | app
    status: Mapped[str] = mapped_column(String(16), default="draft")
    environment_id: Mapped[str] = mapped_column(ForeignKey("environments.id", ondelete="CASCADE"))
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    segment_id: Mapped[str | None] = mapped_column(
        ForeignKey("segments.id", ondelete="SET NULL"), nullable=True, index=True
    )
    slug: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    # Every other field of upstream's survey (welcomeCard, blocks, endings, singleUse, …),
    # keyed by upstream's camelCase names.
    document: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
