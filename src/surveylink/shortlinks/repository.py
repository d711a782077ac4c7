from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.core.reader import Reader
from surveylink.shortlinks.models import ShortLink


async def insert_short_links(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """All rows in one statement; a code already taken fails it (IntegrityError)."""
    await session.execute(insert(ShortLink), list(rows))


# Built once: the lookup behind every `/s/{code}`, by primary key, on the inline reader.
_BY_CODE: Select[*tuple[Any, ...]] = select(ShortLink.target, ShortLink.expires_at).where(
    ShortLink.code == bindparam("code")
)


async def get_short_link(reader: Reader, code: str) -> tuple[str, datetime | None] | None:
    rows = await reader.rows(_BY_CODE, {"code": code})
    return (rows[0][0], rows[0][1]) if rows else None


def _prunable(cutoff: datetime) -> ColumnElement[bool]:
    """Expired before `cutoff`; a link without an expiry never is."""
    return ShortLink.expires_at < cutoff


async def find_prunable_short_links(
    session: AsyncSession, cutoff: datetime, limit: int
) -> list[str]:
    """Codes of up to `limit` links expired before `cutoff`, by the expires_at index."""
    statement = select(ShortLink.code).where(_prunable(cutoff)).limit(limit)
    return list((await session.scalars(statement)).all())


async def delete_short_links(
    session: AsyncSession, codes: Sequence[object], cutoff: datetime
) -> int:
    statement = (
        delete(ShortLink)
        .where(ShortLink.code.in_(codes), _prunable(cutoff))
        .execution_options(synchronize_session=False)
    )
    return int((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]


async def count_prunable_short_links(session: AsyncSession, cutoff: datetime) -> int:
    statement = select(func.count()).select_from(ShortLink).where(_prunable(cutoff))
    return int(await session.scalar(statement) or 0)
