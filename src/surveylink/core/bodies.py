"""Bodies that a route reads raw, so that it can check the key or the resource first and
parse afterwards, as upstream's v1 handlers do; failures are the same domain errors FastAPI's
own validation gives (rendered in core/handlers.py)."""

import json
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from surveylink.core import zod
from surveylink.core.errors import ErrorDetail, Invalid, malformed_json

Model = TypeVar("Model", bound=BaseModel)


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise malformed_json() from None


def parse_body(raw: bytes, model: type[Model], *, environment_id: str | None = None) -> Model:
    """The body as `model`, or `Invalid` with zod's wording per field. With `environment_id`,
    an object body without `environmentId` gets that one (ours, v1: the key's only one)."""
    data = with_environment(parse_json(raw), environment_id)
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


def with_environment(data: Any, environment_id: str | None) -> Any:
    if environment_id is not None and isinstance(data, dict) and "environmentId" not in data:
        return {**data, "environmentId": environment_id}
    return data


async def _raw_body(request: Request) -> bytes:
    return await request.body()


# A body read as bytes by a dependency: it runs after authentication (and a route's lookups
# declared before it), so a bad key is a 401 and an unknown id a 404 whatever the body.
RawBody = Annotated[bytes, Depends(_raw_body)]
