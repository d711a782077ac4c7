import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator

from surveylink.core.pagination import ListParams
from surveylink.core.schemas import ApiModel, IsoDateTime, Text255, Text1000
from surveylink.core.zod import Cuid2, fail

DataType = Literal["string", "number", "date"]
SAFE_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
UNSAFE_KEY = (
    "Key must be a safe identifier: only lowercase letters, numbers, and underscores, "
    "and must start with a letter"
)


def is_safe_identifier(value: str) -> bool:
    return SAFE_IDENTIFIER.fullmatch(value) is not None


def title_from_key(key: str) -> str:
    """`signup_date` → `Signup Date`, as upstream names a key created without a name."""
    return " ".join(word[:1].upper() + word[1:] for word in key.split("_"))


class AttributeKeyOut(ApiModel):
    """The full row, `dataType` included (upstream returns it; the contract omits it)."""

    id: str = Field(description="The ID of the contact attribute key")
    created_at: IsoDateTime = Field(
        description="The date and time the contact attribute key was created"
    )
    updated_at: IsoDateTime = Field(
        description="The date and time the contact attribute key was last updated"
    )
    is_unique: bool = Field(
        description="Whether the attribute must have unique values across contacts"
    )
    key: str = Field(description="The attribute identifier used in the system")
    name: str | None = Field(description="Display name for the attribute")
    description: str | None = Field(description="Description of the attribute")
    type: Literal["default", "custom"] = Field(
        description="Whether this is a default or custom attribute"
    )
    data_type: DataType = Field(description="The data type of the attribute (string, number, date)")
    environment_id: str = Field(description="The ID of the environment this attribute belongs to")


class AttributeKeyFilter(ListParams):
    environment_id: Cuid2 | None = Field(None, description="The environment ID to filter by")


class AttributeKeyCreate(ApiModel):
    """Input data for creating or updating a contact attribute."""

    key: Text255
    name: Text255 | None
    description: Text1000 | None
    environment_id: Cuid2
    data_type: DataType | None = None
    # The key's format is upstream's object-level refinement: checked by the service once every
    # field parsed, so it is not reported next to a missing field.


class AttributeKeyUpdate(ApiModel):
    """A contact attribute key to update. Key cannot be changed."""

    name: Text255 | None
    description: Text1000 | None


class V1AttributeKeyCreate(ApiModel):
    key: Text255
    # v1 stores an empty description when none (or null) is sent.
    description: Annotated[
        Text1000, BeforeValidator(lambda value: "" if value is None else value)
    ] = ""
    type: Literal["custom"]
    data_type: DataType | None = None
    environment_id: str
    name: Text255 | None = None

    @field_validator("key")
    @classmethod
    def _key_is_safe(cls, key: str) -> str:
        if not is_safe_identifier(key):
            raise fail(UNSAFE_KEY)
        return key


class V1AttributeKeyUpdate(ApiModel):
    description: Text1000 | None = None
    name: Text255 | None = None
    key: Text255 | None = None
    data_type: DataType | None = None

    @field_validator("key")
    @classmethod
    def _key_is_safe(cls, key: str | None) -> str | None:
        if key is not None and not is_safe_identifier(key):
            raise fail(UNSAFE_KEY)
        return key
