from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.auth.models import ApiKey, ApiKeyEnvironment
from surveylink.auth.permissions import AuthKey, Grant
from surveylink.core.reader import Reader
from surveylink.environments.models import Environment, Project

# Built once: the statement every authenticated request runs.
_AUTH_KEY = (
    select(
        ApiKey.id,
        ApiKey.organization_id,
        ApiKey.organization_access,
        ApiKey.last_used_at,
        ApiKey.lookup_hash,
        ApiKeyEnvironment.environment_id,
        Environment.type,
        ApiKeyEnvironment.permission,
        Project.id,
        Project.name,
        Project.organization_id,
    )
    .outerjoin(ApiKeyEnvironment, ApiKeyEnvironment.api_key_id == ApiKey.id)
    .outerjoin(Environment, Environment.id == ApiKeyEnvironment.environment_id)
    .outerjoin(Project, Project.id == Environment.project_id)
    .where(ApiKey.lookup_hash == bindparam("lookup_hash"))
    .order_by(ApiKeyEnvironment.created_at, ApiKeyEnvironment.id)
)


async def get_auth_key(
    reader: Reader, lookup_hash: str
) -> tuple[AuthKey, datetime | None, str] | None:
    """The key with this hash, its grants and lastUsedAt, in one indexed query."""
    rows = await reader.rows(_AUTH_KEY, {"lookup_hash": lookup_hash})
    if not rows:
        return None
    first = rows[0]
    # Grants on another organization's environments are ignored (upstream honours them).
    grants = tuple(
        Grant(row[5], row[6], row[7], row[8], row[9]) for row in rows if row[10] == first[1]
    )
    key = AuthKey(first[0], first[1], first[2] or {}, grants)
    return key, first[3], first[4]


async def touch_last_used(session: AsyncSession, key_id: str, now: datetime) -> None:
    """Set lastUsedAt unless another request did within the last 30 s."""
    await session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id)
        .where(
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at <= now - timedelta(seconds=30))
        )
        .values(last_used_at=now)
    )


async def add_api_key(
    session: AsyncSession,
    key: ApiKey,
    permissions: Sequence[tuple[str, str]],
) -> None:
    session.add(key)
    await session.flush()
    session.add_all(
        ApiKeyEnvironment(api_key_id=key.id, environment_id=environment_id, permission=level)
        for environment_id, level in permissions
    )
    await session.flush()


async def list_api_keys(session: AsyncSession) -> Sequence[ApiKey]:
    return (await session.scalars(select(ApiKey).order_by(ApiKey.created_at))).all()


async def list_key_environments(session: AsyncSession) -> Sequence[ApiKeyEnvironment]:
    return (await session.scalars(select(ApiKeyEnvironment))).all()


async def delete_api_key(session: AsyncSession, key_id: str) -> bool:
    result = await session.execute(delete(ApiKey).where(ApiKey.id == key_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]
