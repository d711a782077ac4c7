from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveylink.core.db import Base, Json, Row


class Organization(Row, Base):
    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(255))
    whitelabel: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)


class Project(Row, Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    name: Mapped[str] = mapped_column(String(255))
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    styling: Mapped[dict[str, Any]] = mapped_column(
        Json, default=lambda: {"allowStyleOverwrite": True}
    )
    config: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    recontact_days: Mapped[int] = mapped_column(Integer, default=7)
    link_survey_branding: Mapped[bool] = mapped_column(Boolean, default=True)
    in_app_survey_branding: Mapped[bool] = mapped_column(Boolean, default=True)
    placement: Mapped[str] = mapped_column(String(32), default="bottomRight")
    click_outside_close: Mapped[bool] = mapped_column(Boolean, default=True)
    overlay: Mapped[str] = mapped_column(String(16), default="none")
    logo: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)


class Environment(Row, Base):
    __tablename__ = "environments"
    __table_args__ = (UniqueConstraint("project_id", "type"),)

    type: Mapped[str] = mapped_column(String(16))  # production | development
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    app_setup_completed: Mapped[bool] = mapped_column(Boolean, default=False)
