"""JSON request bodies read the way upstream's `JSON.parse` reads them, and then bounded; and
bodies a route reads raw, so that it can check the key or the resource first and parse
afterwards, as upstream's v1 handlers do.

Python's `json` accepts what `JSON.parse` refuses (`NaN`, `Infinity`), reads `1e400` as an
infinity no column can store, and hands back lone surrogates and NUL characters that
PostgreSQL refuses. `loads` refuses all of these, and nesting deeper than MAX_DEPTH, with
`json.JSONDecodeError`: the error FastAPI already turns into upstream's malformed-JSON answer
(core/handlers.py), after the key was checked, as upstream orders it. The request pipeline
(core/routing.py) reads every declared JSON body with it; raw bodies go through `parse_body`,
whose failures are the same domain errors FastAPI's own validation gives.
"""

import json
import math
import re
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from surveylink.core import zod
from surveylink.core.errors import ErrorDetail, Invalid, malformed_json

Model = TypeVar("Model", bound=BaseModel)

# Deeper than any survey, response or contact document; shallow enough to walk cheaply.
MAX_DEPTH = 64
# Up to 15 digits an integer is exact in a double; longer ones become doubles, as in JavaScript
# (and never reach int()'s 4,300-digit limit).
_EXACT_DIGITS = 15
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL and lone surrogates


class _Refused(ValueError):
    pass


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not JSON")


def _float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise _Refused("number out of range")
    return number


def _int(text: str) -> int | float:
    digits = len(text) - (text[0] == "-")
    return int(text) if digits <= _EXACT_DIGITS else _float(text)


def loads(raw: bytes | str) -> Any:
    """The body as JSON; `json.JSONDecodeError` for anything upstream or our database refuses."""
    try:
        value = json.loads(raw, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except json.JSONDecodeError:
        raise
    except (_Refused, RecursionError, UnicodeDecodeError) as error:
        raise json.JSONDecodeError(str(error) or "too deeply nested", "", 0) from None
    problem = _problem(value)
    if problem:
        raise json.JSONDecodeError(problem, "", 0)
    return value


def _problem(value: Any) -> str | None:
    """What makes a parsed value unstorable: too deep, or a string with NUL or a lone surrogate."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if _UNSTORABLE.search(node):
                return "NUL or lone surrogate in a string"
        elif isinstance(node, dict | list):
            if depth > MAX_DEPTH:
                return f"nested deeper than {MAX_DEPTH}"
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, item in items:
                if isinstance(key, str) and _UNSTORABLE.search(key):
                    return "NUL or lone surrogate in a key"
                stack.append((item, depth + 1))
    return None


def parse_json(raw: bytes) -> Any:
    try:
        return loads(raw)
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


async def raw_body(request: Request) -> bytes:
    """The dependency behind RawBody: the request pipeline (core/routing.py) reads the body after
    the key and before any transaction opens, and hands it over as it came."""
    raise RuntimeError(f"{request.url.path}: raw bodies need a router with route_class=ApiRoute")


# A body read as bytes: a bad key is a 401 whatever the body, and a client that trickles it
# holds no lock. Parsing waits for the service, as upstream's v1 handlers do: an unknown id is
# a 404 first.
RawBody = Annotated[bytes, Depends(raw_body)]
