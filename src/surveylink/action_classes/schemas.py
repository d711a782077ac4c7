"""Upstream's `ZActionClassInput` (v1 management spec §4.2), parsed with zod 4's rules so the
details name the same fields with the same messages, and the wire object (§4.1)."""

import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field

from surveylink.core.bodies import parse_json, with_environment
from surveylink.core.errors import ErrorDetail, Invalid
from surveylink.core.schemas import ApiModel, IsoDateTime
from surveylink.surveys.parsing import (
    Issues,
    Path,
    Schema,
    array,
    at_least,
    at_most,
    cuid2,
    details,
    min_length,
    nullable,
    nullish,
    number,
    obj,
    optional,
    options,
    soft,
    string,
    tagged,
    union,
)

# Ours: upstream stores any length; these bound what a request can make us store.
NAME_MAX = 255
DESCRIPTION_MAX = 1000
_URL_RULES = (
    "exactMatch",
    "contains",
    "startsWith",
    "endsWith",
    "notMatch",
    "notContains",
    "matchesRegex",
)
_URL_LIKE_RULES = frozenset(("exactMatch", "startsWith", "notMatch"))
_DOMAIN = re.compile(r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}")
_IPV4 = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
INVALID_URL = "Please enter a valid URL (e.g., https://example.com)"


def _too_long(maximum: int) -> Any:
    text = f"Too big: expected string to have <={maximum} characters"
    return lambda value: text if len(value) > maximum else None


def _is_url_filter_value(value: str, rule: str) -> bool:
    """A value that names a page: a path, or an http(s) URL whose host is a domain name,
    `localhost` or an IP address."""
    if rule not in _URL_LIKE_RULES or value.startswith("/"):
        return True
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return False
    return bool(
        _DOMAIN.fullmatch(host) or host == "localhost" or ":" in host or _IPV4.fullmatch(host)
    )


def _url_filter_rule(value: dict[str, Any], path: Path, issues: Issues) -> None:
    if not _is_url_filter_value(value["value"], value["rule"]):
        soft(issues, (*path, "value"), INVALID_URL)


def _selector_rule(value: dict[str, Any], path: Path, issues: Issues) -> None:
    if not value.get("cssSelector") and not value.get("innerHtml"):
        soft(issues, path, "Either cssSelector or innerHtml must be provided")


def _no_code(kind: str, **extra: Schema) -> Schema:
    url_filter = obj(
        {
            "value": string(min_length(1, "Value must contain at least 1 character"), trim=True),
            "rule": options(*_URL_RULES),
        },
        _url_filter_rule,
    )
    return obj(
        {
            "type": options(kind),
            "urlFilters": array(url_filter),
            "urlFiltersConnector": optional(options("or", "and")),
            **extra,
        }
    )


_SELECTOR = obj(
    {"cssSelector": optional(string(trim=True)), "innerHtml": optional(string(trim=True))},
    _selector_rule,
)
NO_CODE_CONFIG = union(
    _no_code("click", elementSelector=_SELECTOR),
    _no_code("pageView"),
    _no_code("exitIntent"),
    _no_code("fiftyPercentScroll"),
    _no_code("pageDwell", timeInSeconds=number(at_least(1), at_most(3600), integer=True)),
)
_BASE: dict[str, Schema] = {
    "name": string(
        min_length(1, "Name must be at least 1 character long"),
        _too_long(NAME_MAX),
        error="Name is required",
        trim=True,
    ),
    "description": nullish(string(_too_long(DESCRIPTION_MAX))),
    "environmentId": string(cuid2(), min_length(1, "Environment ID cannot be empty")),
}
_INPUT = tagged(
    "type",
    {
        "code": obj(
            {
                **_BASE,
                "type": options("code"),
                "key": nullable(string(min_length(1), _too_long(NAME_MAX), trim=True)),
            }
        ),
        "noCode": obj(
            {**_BASE, "type": options("noCode"), "noCodeConfig": nullable(NO_CODE_CONFIG)}
        ),
    },
)


@dataclass(frozen=True)
class ActionClassInput:
    """A valid body. `fields` are the keys it sent (an absent `description` is left as it is)."""

    type: Literal["code", "noCode"]
    name: str
    environment_id: str
    description: str | None
    key: str | None
    no_code_config: dict[str, Any] | None
    fields: frozenset[str]


def parse_action_class_input(raw: bytes, environment_id: str | None) -> ActionClassInput:
    """The body of POST and PUT, or `Invalid` with zod's details (malformed JSON: 400). A body
    without `environmentId` gets `environment_id` when one is given (the key's only one)."""
    issues: Issues = []
    parsed = _INPUT(with_environment(parse_json(raw), environment_id), (), issues)
    if issues:
        raise Invalid(*(ErrorDetail(field=f, issue=i) for f, i in details(issues).items()))
    return ActionClassInput(
        type=parsed["type"],
        name=parsed["name"],
        environment_id=parsed["environmentId"],
        description=parsed.get("description"),
        key=parsed.get("key"),
        no_code_config=parsed.get("noCodeConfig"),
        fields=frozenset(parsed),
    )


class ActionClassOut(ApiModel):
    id: str = Field(description="The ID of the action class")
    created_at: IsoDateTime
    updated_at: IsoDateTime
    name: str
    description: str | None
    type: str = Field(description="`code` or `noCode`")
    key: str | None = Field(description="The key a `code` action is sent with")
    no_code_config: dict[str, Any] | None = Field(description="What triggers a `noCode` action")
    environment_id: str


class SurveyTrigger(ApiModel):
    survey_id: str


class UpdatedActionClassOut(ActionClassOut):
    """PUT's answer also lists the surveys the class triggers (none: surveylink keeps no
    survey triggers)."""

    survey_triggers: list[SurveyTrigger] = Field(default_factory=list)
