"""Upstream's per-environment permission model (behaviour spec §1.4)."""

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from surveylink.core.errors import NotFound, Resource, Unauthorized


class Permission(StrEnum):
    READ = "read"
    WRITE = "write"
    MANAGE = "manage"


# What each stored level grants; an unknown stored value grants nothing.
_GRANTS = {
    "read": {Permission.READ},
    "write": {Permission.READ, Permission.WRITE},
    "manage": {Permission.READ, Permission.WRITE, Permission.MANAGE},
}


@dataclass(frozen=True)
class Grant:
    environment_id: str
    environment_type: str
    permission: str
    project_id: str
    project_name: str


@dataclass(frozen=True)
class AuthKey:
    """An authenticated API key, what it may touch, and the permission its route needs.

    A route names that permission in its signature (`key: ReadKey`, `WriteKey`, `ManageKey`,
    auth/deps.py; upstream's GET read, POST/PUT write, DELETE manage); services only ask
    `key.allows(environment_id)` and never choose a level themselves."""

    id: str
    organization_id: str
    organization_access: dict[str, Any]
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    needed: Permission = Permission.READ

    @property
    def environment_ids(self) -> list[str]:
        return [grant.environment_id for grant in self.grants]

    @property
    def only_environment_id(self) -> str | None:
        """The key's environment when it has exactly one (v1 `/me`'s rule), else None."""
        return self.grants[0].environment_id if len(self.grants) == 1 else None

    def allows(self, environment_id: str) -> bool:
        """Whether the key holds its route's permission on this environment."""
        needed = self.needed
        return any(
            grant.environment_id == environment_id and needed in _GRANTS.get(grant.permission, ())
            for grant in self.grants
        )

    def needing(self, permission: Permission) -> "AuthKey":
        """This key as a route needing `permission` sees it."""
        return self if permission is self.needed else replace(self, needed=permission)

    def can_read_organization(self) -> bool:
        access = self.organization_access.get("accessControl") or {}
        return bool(access.get("read") or access.get("write"))

    def can_write_organization(self) -> bool:
        access = self.organization_access.get("accessControl") or {}
        return bool(access.get("write"))


class InEnvironment(Protocol):
    @property
    def environment_id(self) -> str: ...


Row = TypeVar("Row", bound=InEnvironment)


def authorize(row: Row | None, key: AuthKey, resource: Resource, resource_id: str) -> Row:
    """Upstream's order for a resource by id: not found when absent, then unauthorized when the
    key lacks its route's permission on the row's environment (so ids of other organizations
    look the same as none)."""
    if row is None:
        raise NotFound(resource, resource_id)
    if not key.allows(row.environment_id):
        raise Unauthorized()
    return row
