from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveylink.core.db import Base, Json, Row


class Segment(Row, Base):
    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("environment_id", "title"),)

    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    is_private: Mapped[bool] = mapped_column(Boolean, default=True)
    filters: Mapped[list[Any]] = mapped_column(Json, default=list)
    environment_id: Mapped[str] = mapped_column(ForeignKey("environments.id", ondelete="CASCADE"))
