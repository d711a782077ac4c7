import asyncio
import hmac
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from surveylink.auth import keys, repository
from surveylink.auth.models import ApiKey
from surveylink.auth.permissions import AuthKey
from surveylink.auth.schemas import (
    AccessControl,
    EnvironmentPermission,
    Me,
    OrganizationAccess,
    Role,
)
from surveylink.core.db import transaction
from surveylink.core.errors import Unauthorized
from surveylink.core.reader import Reader

logger = logging.getLogger("surveylink")

TOUCH_EVERY = 30.0  # seconds between lastUsedAt writes of one key
_pending: set[asyncio.Task[None]] = set()


@dataclass
class _Cached:
    key: AuthKey
    touch_at: float  # when lastUsedAt is next due (epoch seconds): no datetime per request
    expires: float


class KeyCache:
    """Keys that authenticated in the last `seconds`, per process.

    Saves the key lookup on all but one request per key and second; the price is that a
    revoked key or a changed permission takes effect up to `seconds` later. Unknown keys are
    never cached: each attempt still costs a lookup.
    """

    MAX_ENTRIES = 10_000

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: dict[str, _Cached] = {}

    def get(self, lookup_hash: str) -> _Cached | None:
        entry = self._entries.get(lookup_hash)
        if entry is None or entry.expires <= time.monotonic():
            return None
        return entry

    def put(self, lookup_hash: str, entry: _Cached) -> None:
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[lookup_hash] = entry


async def authenticate(
    reader: Reader,
    sessions: async_sessionmaker[AsyncSession],
    cache: KeyCache,
    header: str,
) -> AuthKey | None:
    """The key behind an `x-api-key` value, or None. One SHA-256 and at most one indexed query."""
    secret = keys.secret_of(header)
    if secret is None:
        return None
    lookup_hash = keys.digest(secret)
    entry = cache.get(lookup_hash)
    if entry is None:
        found = await repository.get_auth_key(reader, lookup_hash)
        if found is None:
            return None
        key, last_used_at, stored_hash = found
        if not hmac.compare_digest(stored_hash, lookup_hash):
            return None
        touch_at = 0.0 if last_used_at is None else last_used_at.timestamp() + TOUCH_EVERY
        entry = _Cached(key, touch_at, time.monotonic() + cache.seconds)
        if cache.seconds > 0:
            cache.put(lookup_hash, entry)
    now = time.time()
    if now >= entry.touch_at:
        entry.touch_at = now + TOUCH_EVERY
        _touch_later(sessions, entry.key.id, datetime.fromtimestamp(now, UTC))
    return entry.key


def _touch_later(sessions: async_sessionmaker[AsyncSession], key_id: str, now: datetime) -> None:
    """lastUsedAt is written off the request path: the response never waits for it."""

    async def touch() -> None:
        try:
            async with transaction(sessions, write=True) as session:
                await repository.touch_last_used(session, key_id, now)
        except Exception:
            logger.warning("could not update lastUsedAt of API key %s", key_id, exc_info=True)

    task = asyncio.get_running_loop().create_task(touch())
    _pending.add(task)
    task.add_done_callback(_pending.discard)


async def drain() -> None:
    """Waits for lastUsedAt updates still in flight (at shutdown)."""
    if _pending:
        await asyncio.gather(*_pending, return_exceptions=True)


async def create_api_key(
    session: AsyncSession,
    organization_id: str,
    permissions: Sequence[tuple[str, str]],
    label: str = "",
    organization_access: dict[str, dict[str, bool]] | None = None,
) -> tuple[ApiKey, str]:
    """A new key with per-environment permissions; returns the row and the key, shown once."""
    plain, lookup_hash = keys.generate()
    key = ApiKey(
        label=label,
        lookup_hash=lookup_hash,
        organization_id=organization_id,
        organization_access=organization_access or {"accessControl": {"read": True, "write": True}},
    )
    await repository.add_api_key(session, key, permissions)
    return key, plain


async def list_api_keys(session: AsyncSession) -> list[tuple[ApiKey, list[tuple[str, str]]]]:
    """Every key with its (environment id, permission) grants; for operators."""
    grants: dict[str, list[tuple[str, str]]] = {}
    for row in await repository.list_key_environments(session):
        grants.setdefault(row.api_key_id, []).append((row.environment_id, row.permission))
    return [(key, grants.get(key.id, [])) for key in await repository.list_api_keys(session)]


async def revoke_api_key(session: AsyncSession, key_id: str) -> bool:
    """Deletes the key: the next request made with it is refused."""
    return await repository.delete_api_key(session, key_id)


# Upstream's organization roles in enum order; `billing` exists only on Formbricks Cloud.
ROLES: list[Role] = ["owner", "manager", "member"]


def describe_key(key: AuthKey) -> Me:
    """`/me`: needs organization read access, else 401 as upstream (its detail dropped)."""
    if not key.can_read_organization():
        raise Unauthorized()
    access = key.organization_access.get("accessControl") or {}
    return Me(
        environment_permissions=[
            EnvironmentPermission(
                environment_id=grant.environment_id,
                environment_type=grant.environment_type,
                permissions=grant.permission,
                project_id=grant.project_id,
                project_name=grant.project_name,
            )
            for grant in key.grants
        ],
        organization_id=key.organization_id,
        organization_access=OrganizationAccess(access_control=AccessControl.model_validate(access)),
    )
