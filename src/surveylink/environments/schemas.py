from pydantic import Field

from surveylink.core.schemas import ApiModel, IsoDateTime


class ProjectRef(ApiModel):
    id: str
    name: str


class EnvironmentV1(ApiModel):
    """v1 `/me`: the key's environment and its project, nothing about the key itself."""

    id: str = Field(description="The ID of the environment")
    type: str = Field(description="`production` or `development`")
    created_at: IsoDateTime
    updated_at: IsoDateTime
    app_setup_completed: bool
    project: ProjectRef
