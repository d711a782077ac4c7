"""Bodies that a route reads raw, so that it can check the key or the resource first and
parse afterwards, as upstream's v1 handlers do; failures are the same domain errors FastAPI's
own validation gives (rendered in core/handlers.py)."""

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from surveylink.core import zod
from surveylink.core.errors import ErrorDetail, Invalid, malformed_json

Model = TypeVar("Model", bound=BaseModel)


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise malformed_json() from None


def parse_body(raw: bytes, model: type[Model]) -> Model:
    """The body as `model`, or `Invalid` with zod's wording per field."""
    data = parse_json(raw)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        schema = model.model_json_schema(by_alias=True)
        raise Invalid(
            *(
                ErrorDetail(
                    field=zod.field(issue["loc"]),
                    issue=zod.issue({**issue, "loc": ("body", *issue["loc"])}, schema),
                )
                for issue in error.errors()
            )
        ) from None
