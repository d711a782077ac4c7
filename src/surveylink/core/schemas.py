from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer, StringConstraints
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


# Text as long as the `String(n)` column that keeps it, at most; longer is zod's "Too big: expected
# string to have <=n characters" (422), never the database's error.
Text64 = Annotated[str, StringConstraints(max_length=64)]
Text255 = Annotated[str, StringConstraints(max_length=255)]
Text1000 = Annotated[str, StringConstraints(max_length=1000)]
# A URL kept in a text column: the length browsers and proxies reliably carry.
UrlText = Annotated[str, StringConstraints(max_length=2048)]

# Dates on the wire as JavaScript writes them: `2026-04-13T10:00:00.000Z`.
IsoDateTime = Annotated[datetime, PlainSerializer(iso, return_type=str)]
