from typing import Annotated, Literal

from pydantic import PlainSerializer, StringConstraints, field_validator

from surveylink.core.schemas import ApiModel, IsoDateTime, Text255
from surveylink.core.zod import Cuid2, fail, is_email

# Attribute values are indexed with their key (the email and userId lookups, the uniqueness of
# both): PostgreSQL's index entries hold about 2,700 bytes, and 512 characters fit even when
# each takes UTF-8's 4 bytes. Upstream has the same index and no bound: a 500 past it.
MAX_ATTRIBUTE_VALUE = 512
AttributeValue = Annotated[str, StringConstraints(max_length=MAX_ATTRIBUTE_VALUE)]


class ContactCreate(ApiModel):
    environment_id: Cuid2
    attributes: dict[Text255, AttributeValue]

    @field_validator("attributes")
    @classmethod
    def _has_valid_email(cls, attributes: dict[str, str]) -> dict[str, str]:
        email = attributes.get("email")
        if not email:
            raise fail("Email attribute is required")
        if not is_email(email):
            raise fail("Invalid email format")
        return attributes


class ContactOut(ApiModel):
    id: str
    created_at: IsoDateTime
    environment_id: str
    attributes: dict[str, str]


class BulkAttributeKey(ApiModel):
    key: Text255
    name: Text255


class BulkAttribute(ApiModel):
    attribute_key: BulkAttributeKey
    value: AttributeValue


class BulkContact(ApiModel):
    attributes: list[BulkAttribute]

    def value_of(self, key: str) -> str | None:
        return next((a.value for a in self.attributes if a.attribute_key.key == key), None)


class ContactBulkUpload(ApiModel):
    environment_id: Cuid2
    # Upstream's cross-contact refinements (250 cap, emails, duplicates) are checked by
    # `bulk.upload_issues` once the body parsed: they are reported all together, with meta.
    contacts: list[BulkContact]


class SkippedContact(ApiModel):
    index: int
    user_id: str


class BulkUploadMeta(ApiModel):
    skipped_contacts: list[SkippedContact]


class BulkUploadResult(ApiModel):
    status: Literal["success"] = "success"
    message: str
    meta: BulkUploadMeta | None = None


def _js_number(number: float) -> int | float:
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


# JavaScript writes 1000, not 1000.0.
JsNumber = Annotated[float, PlainSerializer(_js_number, return_type=int | float)]


class ContactV1(ApiModel):
    """v1's contact row."""

    id: str
    created_at: IsoDateTime
    updated_at: IsoDateTime
    environment_id: str


class ContactAttributeV1(ApiModel):
    """v1's contact attribute row."""

    id: str
    created_at: IsoDateTime
    updated_at: IsoDateTime
    attribute_key_id: str
    contact_id: str
    value: str
    value_number: JsNumber | None
    value_date: IsoDateTime | None


class DeletedV1(ApiModel):
    success: str
