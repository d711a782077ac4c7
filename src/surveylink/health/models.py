from datetime import datetime

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from surveylink.core.db import Base, UtcDateTime


class HealthProbe(Base):
    """One row that `/api/v2/health` rewrites: a database that cannot take this write cannot
    take any (read-only file, full disk, read-only server), however well it answers SELECT 1."""

    __tablename__ = "health_probes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime)
