from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveylink.core.db import Base, Json, Row


class Response(Row, Base):
    __tablename__ = "responses"
    __table_args__ = (
        # One response per contact and survey, settled by the database: the seed endpoint and
        # the respondent page both rely on it (docs/compatibility.md).
        UniqueConstraint("survey_id", "contact_id"),
        UniqueConstraint("survey_id", "single_use_id"),
        Index(None, "survey_id", "created_at"),
        Index(None, "created_at"),
    )

    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    contact_id: Mapped[str | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), nullable=True, index=True
    )
    ending_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    variables: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    ttc: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    meta: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    contact_attributes: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    single_use_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    language: Mapped[str | None] = mapped_column(String(64), nullable=True)
    display_id: Mapped[str | None] = mapped_column(
        ForeignKey("displays.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    # Ours, never on the wire: where the respondent page stands in the survey and the path
    # that led there (respondent/engine.py `Progress`), so back and resume follow it.
    progress: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)


class Display(Row, Base):
    __tablename__ = "displays"
    __table_args__ = (Index(None, "survey_id", "contact_id"),)

    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    contact_id: Mapped[str | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), nullable=True, index=True
    )
