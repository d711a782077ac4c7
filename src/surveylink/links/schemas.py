from pydantic import BaseModel


class PersonalLink(BaseModel):
    surveyUrl: str  # noqa: N815 - upstream's wire names
    expiresAt: str | None  # noqa: N815
