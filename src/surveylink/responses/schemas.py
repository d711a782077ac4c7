import math
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, StrictBool, model_validator

from surveylink.core.schemas import ApiModel, IsoDateTime
from surveylink.core.zod import Cuid2, fail


def _response_value(value: Any) -> Any:
    """Upstream's ZResponseDataValue: string, number, string[] or {string: string}."""
    if isinstance(value, str) or (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    ):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    if isinstance(value, dict) and all(isinstance(item, str) for item in value.values()):
        return value
    raise fail("Invalid input")


def _variable_value(value: Any) -> Any:
    if isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    raise fail("Invalid input")


ResponseValue = Annotated[Any, AfterValidator(_response_value)]
VariableValue = Annotated[Any, AfterValidator(_variable_value)]


class UserAgent(ApiModel):
    browser: str | None = None
    os: str | None = None
    device: str | None = None


class ResponseMeta(ApiModel):
    source: str | None = None
    url: str | None = None
    user_agent: UserAgent | None = None
    country: str | None = None
    action: str | None = None


class ResponseCreate(ApiModel):
    survey_id: Cuid2
    finished: StrictBool
    data: dict[str, ResponseValue]
    created_at: datetime | None = None
    updated_at: datetime | None = None
    display_id: str | None = None
    single_use_id: str | None = None
    ending_id: Cuid2 | None = None
    language: str | None = None
    variables: dict[str, VariableValue] | None = None
    ttc: dict[str, float] | None = None
    meta: ResponseMeta | None = None
    user_id: str | None = None
    # Not in upstream's schema (it drops the key); clients send it, so we honour it.
    contact_id: Cuid2 | None = None

    @model_validator(mode="after")
    def _updated_follows_created(self) -> "ResponseCreate":
        if self.created_at is not None and self.updated_at is None:
            self.updated_at = self.created_at
        return self


class ResponseOut(ApiModel):
    id: str
    created_at: IsoDateTime
    updated_at: IsoDateTime
    finished: bool
    survey_id: str
    contact_id: str | None
    ending_id: str | None
    data: dict[str, Any]
    variables: dict[str, Any]
    ttc: dict[str, Any]
    meta: dict[str, Any]
    contact_attributes: dict[str, Any] | None
    single_use_id: str | None
    language: str | None
    display_id: str | None
