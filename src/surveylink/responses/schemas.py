import math
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StrictBool, StringConstraints, model_validator

from surveylink.core.clock import iso
from surveylink.core.pagination import ListParams
from surveylink.core.schemas import ApiModel, IsoDateTime, Text64, Text255
from surveylink.core.zod import BoundedDateTime, Cuid2, fail
from surveylink.responses.models import Response
from surveylink.storage.names import absolute_urls


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
EndingId = Annotated[Cuid2, StringConstraints(max_length=64)]
# Compared with contact attribute values, which are at most 512 characters.
UserId = Annotated[str, StringConstraints(max_length=512)]
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
    ip_address: str | None = None


class ResponseCreate(ApiModel):
    survey_id: Cuid2
    finished: StrictBool
    data: dict[str, ResponseValue]
    created_at: BoundedDateTime | None = None
    updated_at: BoundedDateTime | None = None
    display_id: Text64 | None = None
    single_use_id: Text255 | None = None
    ending_id: EndingId | None = None
    language: Text64 | None = None
    variables: dict[str, VariableValue] | None = None
    ttc: dict[str, float] | None = None
    meta: ResponseMeta | None = None
    user_id: UserId | None = None
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

    @classmethod
    def read(cls, response: Response, base_url: str) -> "ResponseOut":
        """A response as upstream's reads and PUT answer it: relative storage URLs in `data`
        made absolute (its create and delete answer `data` as stored)."""
        out = cls.model_validate(response)
        out.data = absolute_urls(response.data, base_url)
        return out


class ResponseFilter(ListParams):
    survey_id: Cuid2 | None = Field(None, description="The ID of the survey")
    contact_id: str | None = Field(None, description="The ID of the contact")


class ResponseUpdate(ApiModel):
    """Upstream's full body (every column but `id` and `surveyId`) or the contract's partial
    one: only the keys that are present are written."""

    created_at: BoundedDateTime | None = Field(None, description="When the response was created")
    updated_at: BoundedDateTime | None = Field(
        None, description="When the response was last updated"
    )
    finished: StrictBool = Field(False, description="Whether the response is finished")
    contact_id: Cuid2 | None = Field(None, description="The ID of the contact")
    ending_id: EndingId | None = Field(None, description="The ID of the ending")
    data: dict[str, ResponseValue] = Field(default_factory=dict, description="The data")
    variables: dict[str, VariableValue] = Field(default_factory=dict, description="Variables")
    ttc: dict[str, float] = Field(default_factory=dict, description="Time to completion")
    meta: ResponseMeta = Field(default_factory=lambda: ResponseMeta(), description="Meta")
    contact_attributes: dict[str, str] | None = Field(None, description="Contact attributes")
    single_use_id: Text255 | None = Field(None, description="The single use ID")
    language: Text64 | None = Field(None, description="The language of the response")
    display_id: Text64 | None = Field(None, description="The ID of the display")


class V1ResponseCreate(ResponseCreate):
    """v1's `ZResponseInput`: the body names its environment too."""

    environment_id: Cuid2
    ending_id: str | None = None  # any string, as upstream's v1 (which then drops it)


class V1ResponseUpdate(ApiModel):
    """v1's `ZResponseUpdateInput`: every key optional; `data`, `variables` and `ttc` are merged
    into what is stored."""

    finished: StrictBool | None = None
    ending_id: str | None = None
    data: dict[str, ResponseValue] | None = None
    variables: dict[str, VariableValue] | None = None
    ttc: dict[str, float] | None = None
    language: str | None = None


def contact_ref(response: Response) -> dict[str, Any] | None:
    """Upstream's `contact` of a response: `{id, userId}`, `userId` (from the attribute
    snapshot) left out when the contact has none."""
    if response.contact_id is None:
        return None
    contact: dict[str, Any] = {"id": response.contact_id}
    attributes = response.contact_attributes
    if attributes and attributes.get("userId") is not None:
        contact["userId"] = attributes["userId"]
    return contact


def v1_response(response: Response, base_url: str | None = None) -> dict[str, Any]:
    """Upstream's v1 response object (v1 management spec §2.1): these keys in this order, no
    `contactId`. With `base_url` (reads and PUT, as upstream), relative storage URLs in `data`
    are made absolute."""
    data = response.data if base_url is None else absolute_urls(response.data, base_url)
    return {
        "id": response.id,
        "createdAt": iso(response.created_at),
        "updatedAt": iso(response.updated_at),
        "surveyId": response.survey_id,
        "finished": response.finished,
        "endingId": response.ending_id,
        "data": data,
        "meta": response.meta,
        "ttc": response.ttc,
        "variables": response.variables,
        "contactAttributes": response.contact_attributes,
        "singleUseId": response.single_use_id,
        "language": response.language,
        "displayId": response.display_id,
        "contact": contact_ref(response),
        "tags": [],
    }
