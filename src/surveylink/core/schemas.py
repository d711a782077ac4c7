from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel

from surveylink.core.clock import iso


class ApiModel(BaseModel):
    """Wire models: upstream's camelCase names; unknown input keys dropped, as upstream does."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        from_attributes=True,
        extra="ignore",
    )


# Dates on the wire as JavaScript writes them: `2026-04-13T10:00:00.000Z`.
IsoDateTime = Annotated[datetime, PlainSerializer(iso, return_type=str)]
