from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    GetJsonSchemaHandler,
    PlainValidator,
    TypeAdapter,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from surveylink.core.pagination import Limit as PageLimit
from surveylink.core.pagination import ListParams
from surveylink.core.pagination import Skip as PageSkip
from surveylink.core.schemas import ApiModel, IsoDateTime
from surveylink.core.zod import Cuid2, fail, js_type


class ContactLink(BaseModel):
    """One contact's link, in upstream's key order; `attributes` is left out when empty."""

    contactId: str = Field(description="The ID of the contact")  # noqa: N815 - upstream's names
    attributes: dict[str, str] | None = Field(
        None,
        description="The attributes of the contact",
        exclude_if=lambda value: value is None,
    )
    surveyUrl: str = Field(description="Personalized survey link")  # noqa: N815
    expiresAt: str | None = Field(  # noqa: N815
        description="The date and time the link expires, null if no expiration"
    )


class LinksMeta(BaseModel):
    total: int
    limit: int
    offset: int


class ContactLinks(BaseModel):
    data: list[ContactLink]
    meta: LinksMeta


# --- The segments API (ours: upstream manages segments only in its UI) ---------------------
# The filter tree's shape, for the OpenAPI document; segments/checks.py is what enforces it,
# with upstream's messages and the path to the first problem.

Operator = Literal[
    "equals",
    "notEquals",
    "lessThan",
    "lessEqual",
    "greaterThan",
    "greaterEqual",
    "isSet",
    "isNotSet",
    "contains",
    "doesNotContain",
    "startsWith",
    "endsWith",
    "isOlderThan",
    "isNewerThan",
    "isBefore",
    "isAfter",
    "isBetween",
    "isSameDay",
    "userIsIn",
    "userIsNotIn",
]


class AttributeFilterRoot(BaseModel):
    """Compares the contact's value for an attribute key (by key name)."""

    type: Literal["attribute"]
    contactAttributeKey: str = Field(description="The attribute key, e.g. `email`")  # noqa: N815


class PersonFilterRoot(BaseModel):
    """Upstream's person filter: only `userId` constrains; evaluated as the `userId` attribute."""

    type: Literal["person"]
    personIdentifier: str = Field(description="`userId`")  # noqa: N815


class SegmentFilterRoot(BaseModel):
    """Membership of another segment of the same environment (`userIsIn`, `userIsNotIn`)."""

    type: Literal["segment"]
    segmentId: str = Field(description="The ID of the other segment")  # noqa: N815


class DeviceFilterRoot(BaseModel):
    """Accepted for compatibility; no device is known when links are made, so it matches all."""

    type: Literal["device"]
    deviceType: Literal["phone", "desktop"] = Field(description="The device type")  # noqa: N815


class FilterQualifier(BaseModel):
    operator: Operator = Field(
        description="attribute: equals, notEquals, lessThan, lessEqual, greaterThan, "
        "greaterEqual, isSet, isNotSet, contains, doesNotContain, startsWith, endsWith, "
        "isOlderThan, isNewerThan, isBefore, isAfter, isBetween, isSameDay; person: equals, "
        "notEquals, isSet, isNotSet, contains, doesNotContain, startsWith, endsWith; segment: "
        "userIsIn, userIsNotIn; device: equals, notEquals. Text comparisons ignore case."
    )


class RelativeDate(BaseModel):
    amount: float = Field(gt=0, description="How many units back from now")
    unit: Literal["days", "weeks", "months", "years"]


class SegmentFilter(BaseModel):
    """One condition on a contact."""

    id: str = Field(description="A cuid2 (lowercase letters and digits) naming this filter")
    root: AttributeFilterRoot | PersonFilterRoot | SegmentFilterRoot | DeviceFilterRoot = Field(
        discriminator="type"
    )
    qualifier: FilterQualifier
    value: str | float | RelativeDate | tuple[str, str] = Field(
        description="A number for lessThan…greaterEqual; a non-empty string for text operators "
        "and for isBefore, isAfter, isSameDay (ISO dates); {amount, unit} for isOlderThan and "
        "isNewerThan; [start, end] for isBetween; anything for isSet and isNotSet."
    )


class FilterItem(BaseModel):
    """A filter or a parenthesised group of them, joined to the previous item by `connector`.

    Upstream's rule, not standard precedence: in one list, every item whose connector is `and`
    (the first item takes the second item's connector) must hold, and at least one of the
    others; `A and B or C` is `A ∧ B ∧ C`. The first item's connector must be null.
    """

    id: str = Field(description="A cuid2 naming this item")
    connector: Literal["and", "or"] | None
    resource: "SegmentFilter | list[FilterItem]"


FilterItem.model_rebuild()


def _a_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise fail(f"Invalid input: expected array, received {js_type(value)}")
    return value


class _DocumentedAsTree:
    """Publishes the filter tree's schema for a field kept as plain JSON."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, _schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(_TREE.core_schema)


_TREE: TypeAdapter[list[FilterItem]] = TypeAdapter(list[FilterItem])
# Accepted and returned as JSON, checked by the service (checks.py), documented as the tree.
Filters = Annotated[list[Any], PlainValidator(_a_list), _DocumentedAsTree]


def _title(value: str) -> str:
    if not value.strip():
        raise fail("Too small: expected string to have >=1 characters")
    if len(value) > 255:
        raise fail("Too big: expected string to have <=255 characters")
    return value


def _description(value: str | None) -> str | None:
    if value is not None and len(value) > 1000:
        raise fail("Too big: expected string to have <=1000 characters")
    return value


Title = Annotated[str, AfterValidator(_title)]
Description = Annotated[str | None, AfterValidator(_description)]


class SegmentCreate(ApiModel):
    environment_id: Cuid2 = Field(description="The ID of the environment")
    title: Title = Field(description="Unique within the environment; 1 to 255 characters")
    description: Description = Field(None, description="Up to 1000 characters")
    is_private: bool = Field(
        False, description="Upstream's flag for a survey's own segment; informational here"
    )
    filters: Filters = Field(
        description="The filter tree (at least one filter, at most 100 filters and groups, "
        "groups nested at most 8 deep)"
    )


class SegmentUpdate(ApiModel):
    """Only the fields sent are changed."""

    title: Title | None = Field(None, description="Unique within the environment")
    description: Description = Field(None, description="Up to 1000 characters")
    is_private: bool | None = None
    filters: Filters | None = Field(
        None, description="The new filter tree; it may not lead back to this segment"
    )


class SegmentOut(ApiModel):
    """A segment: upstream's row, plus the ids of the surveys that target it."""

    id: str = Field(description="The ID of the segment")
    created_at: IsoDateTime = Field(description="When the segment was created")
    updated_at: IsoDateTime = Field(description="When the segment was last changed")
    title: str = Field(description="Unique within the environment")
    description: str | None
    is_private: bool = Field(description="Upstream's flag for a survey's own segment")
    filters: Filters = Field(description="The filter tree")
    environment_id: str = Field(description="The ID of the environment")
    surveys: list[str] = Field(description="IDs of the surveys whose segment this is")


class SegmentListParams(ListParams):
    environment_id: Cuid2 | None = Field(None, description="Only this environment's segments")


class MemberParams(ApiModel):
    limit: PageLimit = Field(50, description="Number of members to return (1 to 250)")
    skip: PageSkip = Field(0, description="Number of members to skip")


class SegmentMember(ApiModel):
    """A contact in the segment, with all of its attributes (`{key: value}`)."""

    id: str = Field(description="The ID of the contact")
    attributes: dict[str, str]
