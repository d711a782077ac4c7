from pydantic import BaseModel, Field


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
