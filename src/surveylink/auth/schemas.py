from typing import Literal

from pydantic import BaseModel

from surveylink.core.schemas import ApiModel


class AccessControl(BaseModel):
    read: bool = False
    write: bool = False


class OrganizationAccess(ApiModel):
    access_control: AccessControl


class EnvironmentPermission(ApiModel):
    environment_id: str
    environment_type: str
    permissions: str  # upstream's code says `permissions`; its contract says `permission`
    project_id: str
    project_name: str


class Me(ApiModel):
    """What `/me` answers, in upstream's key order."""

    environment_permissions: list[EnvironmentPermission]
    organization_id: str
    organization_access: OrganizationAccess


Role = Literal["owner", "manager", "member", "billing"]
