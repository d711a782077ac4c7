"""Schemas of the survey's nested settings: styling, endings, variables, follow-ups, triggers,
languages and segment (v1 spec §3.2)."""

import re
from typing import Any, Literal

from surveylink.surveys.checks import EMAIL, ending_url_error
from surveylink.surveys.parsing import (
    Issues,
    Path,
    Schema,
    anything,
    array,
    at_least,
    at_most,
    boolean,
    cuid2,
    date,
    first_duplicate,
    hard,
    i18n,
    max_length,
    min_length,
    nullable,
    nullish,
    number,
    obj,
    optional,
    options,
    pattern,
    prefault,
    received,
    refined,
    soft,
    storage_url,
    string,
    tagged,
    union,
    unique_ids,
)

Mode = Literal["create", "update"]
HEX_COLOR = r"#(?:[A-Fa-f0-9]{3}|[A-Fa-f0-9]{4}|[A-Fa-f0-9]{6}|[A-Fa-f0-9]{8})"
_NAME = r"[a-z0-9_]+"
_URL_FILTER_RULES = (
    "exactMatch", "contains", "startsWith", "endsWith", "notMatch", "notContains", "matchesRegex"
)  # fmt: skip


def _color() -> Schema:
    hex_color = string(pattern(HEX_COLOR))
    return obj({"light": hex_color, "dark": nullish(hex_color)})


def styling() -> Schema:
    colours = (
        "brandColor", "accentBgColor", "accentBgColorSelected", "buttonBgColor", "buttonTextColor",
        "inputBgColor", "inputBorderColor", "inputTextColor", "optionBgColor", "optionLabelColor",
        "optionBorderColor", "elementHeadlineColor", "elementDescriptionColor",
        "elementUpperLabelColor", "progressTrackBgColor", "progressIndicatorBgColor",
        "questionColor", "inputColor", "cardBackgroundColor", "cardBorderColor",
        "highlightBorderColor",
    )  # fmt: skip
    sizes = (
        "buttonBorderRadius", "buttonHeight", "buttonFontSize", "buttonFontWeight",
        "buttonPaddingX", "buttonPaddingY", "inputBorderRadius", "inputHeight", "inputFontSize",
        "inputPaddingX", "inputPaddingY", "optionBorderRadius", "optionPaddingX", "optionPaddingY",
        "optionFontSize", "elementHeadlineFontSize", "elementHeadlineFontWeight",
        "elementDescriptionFontSize", "elementDescriptionFontWeight", "elementUpperLabelFontSize",
        "elementUpperLabelFontWeight", "progressTrackHeight", "roundness",
    )  # fmt: skip
    arrangement = options("casual", "straight", "simple")
    background = obj(
        {
            "bg": nullish(string()),
            "bgType": nullish(options("animation", "color", "image", "upload")),
            "brightness": nullish(number()),
        },
        lambda bg, path, issues: (
            soft(issues, path, "Invalid background")
            if bg.get("bgType") == "upload" and not bg.get("bg")
            else None
        ),
    )
    return obj(
        {
            **{name: nullish(_color()) for name in colours},
            **{name: nullish(union(number(), string())) for name in sizes},
            "fontFamily": nullish(string()),
            "inputPlaceholderOpacity": nullish(number(at_most(1), at_least(0))),
            "inputShadow": nullish(string()),
            "isDarkModeEnabled": nullish(boolean()),
            "cardArrangement": nullish(
                obj({"linkSurveys": arrangement, "appSurveys": arrangement})
            ),
            "background": nullish(background),
            "hideProgressBar": nullish(boolean()),
            "isLogoHidden": nullish(boolean()),
            "logo": nullish(obj({"url": optional(storage_url()), "bgColor": optional(string())})),
            "overwriteThemeStyling": nullish(boolean()),
        }
    )


def _ending_url() -> Schema:
    return string(ending_url_error)


def endings(*, unique: bool = True) -> Schema:
    """Ending cards; create's schema re-declares them without the unique-id check."""
    end_screen = obj(
        {
            "id": string(cuid2()),
            "type": options("endScreen"),
            "headline": optional(i18n()),
            "subheader": optional(i18n()),
            "buttonLabel": optional(i18n()),
            "buttonLink": optional(_ending_url()),
            "imageUrl": optional(storage_url()),
            "videoUrl": optional(storage_url()),
        }
    )
    redirect = obj(
        {
            "id": string(cuid2()),
            "type": options("redirectToUrl"),
            "url": optional(_ending_url()),
            "label": optional(string()),
        }
    )
    cards = array(union(end_screen, redirect))
    return refined(cards, unique_ids("Ending IDs must be unique")) if unique else cards


def variables() -> Schema:
    def variable(kind: str, value: Schema) -> Schema:
        return obj(
            {"id": string(cuid2()), "name": string(), "type": options(kind), "value": value},
        )

    def name_rule(item: dict[str, Any], path: Path, issues: Issues) -> None:
        if not re.fullmatch(_NAME, item["name"]):
            message = "Variable name can only contain lowercase letters, numbers, and underscores"
            soft(issues, (*path, "variables"), message)

    def unique(items: list[dict[str, Any]], path: Path, issues: Issues) -> None:
        if first_duplicate([item["id"] for item in items]) != -1:
            soft(issues, (*path, "variables"), "Variable IDs must be unique")
        if first_duplicate([item["name"] for item in items]) != -1:
            soft(issues, (*path, "variables"), "Variable names must be unique")

    one = refined(
        tagged(
            "type",
            {
                "number": variable("number", prefault(number(), 0)),
                "text": variable("text", prefault(string(), "")),
            },
        ),
        name_rule,
    )
    return refined(array(one), unique)


def follow_ups(mode: Mode) -> Schema:
    def trigger_rule(trigger: dict[str, Any], path: Path, issues: Issues) -> None:
        if trigger["type"] == "response" and trigger["properties"]:
            soft(issues, path, "Properties should be null for response type")
        if trigger["type"] == "endings" and not trigger["properties"]:
            soft(issues, path, "Properties must be defined for endings type")

    email = string(lambda v: None if EMAIL.fullmatch(v) else "Invalid email address")
    fields: dict[str, Schema] = {
        "id": string(cuid2()),
        "name": string(),
        "trigger": obj(
            {
                "type": options("response", "endings"),
                "properties": nullable(obj({"endingIds": array(string(cuid2()))})),
            },
            trigger_rule,
        ),
        "action": obj(
            {
                "type": options("send-email"),
                "properties": obj(
                    {
                        "to": string(),
                        "from": email,
                        "replyTo": array(email),
                        "subject": string(),
                        "body": string(),
                        "attachResponseData": boolean(),
                        "includeVariables": optional(boolean()),
                        "includeHiddenFields": optional(boolean()),
                    }
                ),
            }
        ),
        "surveyId": string(cuid2()),
    }
    if mode == "update":
        # Upstream's stored follow-ups always have timestamps; ours may not (create takes none).
        stamp = optional(date(coerce=True))
        fields |= {"createdAt": stamp, "updatedAt": stamp}
    return array(obj(fields))


def triggers() -> Schema:
    return array(obj({"actionClass": _action_class()}))


def _action_class() -> Schema:
    def no_code(kind: str, **extra: Schema) -> Schema:
        url_filter = obj(
            {
                "value": string(
                    min_length(1, "Value must contain at least 1 character"), trim=True
                ),
                "rule": options(*_URL_FILTER_RULES),
            }
        )
        return obj(
            {
                "type": options(kind),
                "urlFilters": array(url_filter),
                "urlFiltersConnector": optional(options("or", "and")),
                **extra,
            }
        )

    def selector_rule(selector: dict[str, Any], path: Path, issues: Issues) -> None:
        if not selector.get("cssSelector") and not selector.get("innerHtml"):
            soft(issues, path, "Either cssSelector or innerHtml must be provided")

    selector = obj(
        {"cssSelector": optional(string(trim=True)), "innerHtml": optional(string(trim=True))},
        selector_rule,
    )
    seconds = number(at_least(1), at_most(3600), integer=True)
    return obj(
        {
            "id": string(cuid2()),
            "name": string(min_length(1), trim=True),
            "description": nullable(string()),
            "type": options("code", "noCode"),
            "key": nullable(string(min_length(1), trim=True)),
            "noCodeConfig": nullable(
                union(
                    no_code("click", elementSelector=selector),
                    no_code("pageView"),
                    no_code("exitIntent"),
                    no_code("fiftyPercentScroll"),
                    no_code("pageDwell", timeInSeconds=seconds),
                )
            ),
            "environmentId": string(),
            "createdAt": date(coerce=True),
            "updatedAt": date(coerce=True),
        }
    )


def languages(mode: Mode) -> Schema:
    # JSON has no Date, so on create a language can never pass (v1 spec §2.2); on update the
    # stored survey's dates arrive as ISO strings and are accepted.
    when = date(coerce=mode == "update")
    language = obj(
        {
            "id": string(cuid2()),
            "createdAt": when,
            "updatedAt": when,
            # A response records the code (responses.language is 64 characters).
            "code": string(max_length(64)),
            "alias": nullable(string(max_length(64))),
            "projectId": string(cuid2()),
        }
    )
    return array(obj({"language": language, "default": boolean(), "enabled": boolean()}))


def segment(mode: Mode) -> Schema:
    if mode == "update":
        return _stored_object  # the stored segment's read shape, kept as it is
    return obj(
        {
            "id": string(),
            "title": string(),
            "description": nullable(string()),
            "isPrivate": prefault(boolean(), True),
            "filters": array(anything()),
            "environmentId": string(),
            "createdAt": date(),
            "updatedAt": date(),
            "surveys": array(string()),
        }
    )


def _stored_object(value: Any, path: Path, issues: Issues) -> Any:
    if not isinstance(value, dict):
        hard(issues, path, f"Invalid input: expected object, received {received(value)}")
    return value
