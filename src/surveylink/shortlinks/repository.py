from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, insert, select
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
