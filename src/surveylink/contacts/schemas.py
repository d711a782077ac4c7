from pydantic import field_validator

from surveylink.core.schemas import ApiModel, IsoDateTime
from surveylink.core.zod import Cuid2, fail, is_email


class ContactCreate(ApiModel):
    environment_id: Cuid2
    attributes: dict[str, str]

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
