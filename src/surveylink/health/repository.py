from datetime import datetime

from sqlalchemy import CursorResult, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.health.models import HealthProbe

PROBE_ID = 1


async def ping(session: AsyncSession) -> None:
    await session.execute(text("SELECT 1"))


async def write_probe(session: AsyncSession, now: datetime) -> None:
    """Rewrites the probe row (made by the migration; made again if someone deleted it)."""
    statement = update(HealthProbe).where(HealthProbe.id == PROBE_ID).values(checked_at=now)
    result: CursorResult[tuple[()]] = await session.execute(statement)  # type: ignore[assignment]
    if result.rowcount == 0 and await session.scalar(select(HealthProbe.id)) is None:
        session.add(HealthProbe(id=PROBE_ID, checked_at=now))
        await session.flush()
