"""Structural schemas of questions (legacy v1 form), block elements and blocks.

Question and element schemas differ in small ways that show in messages ("Question id…" vs
"Element id…", "Multiple Choice Question…" vs "…Element…"), so both are built by one function
(`_item_fields`) that is told which form it builds. Survey-level checks live in checks.py.
"""

from typing import Any

from surveylink.surveys.logic import (
    ADDRESS_FIELDS,
    CONTACT_FIELDS,
    Form,
    logic_rules,
    validation_rules,
)
from surveylink.surveys.parsing import (
    Issues,
    Path,
    Schema,
    array,
    boolean,
    cuid2,
    i18n,
    id_rules,
    max_items,
    min_items,
    min_length,
    number,
    obj,
    optional,
    options,
    parses_as_url,
    prefault,
    refined,
    soft,
    storage_url,
    string,
    union,
    unique_ids,
)

ELEMENT_TYPES = (
    "fileUpload", "openText", "multipleChoiceSingle", "multipleChoiceMulti", "nps", "cta",
    "rating", "consent", "pictureSelection", "cal", "date", "matrix", "address", "ranking",
    "contactInfo",
)  # fmt: skip
FILE_EXTENSIONS = (
    "heic", "png", "jpeg", "jpg", "webp", "ico", "pdf", "eml", "doc", "docx", "xls", "xlsx",
    "ppt", "pptx", "txt", "csv", "mp4", "mov", "avi", "mkv", "webm", "mp3", "zip", "rar", "7z",
    "tar",
)  # fmt: skip


def _opt_i18n() -> Schema:
    return optional(i18n())


# --- questions and elements ------------------------------------------------------------------


def _char_limit_rules(item: dict[str, Any], path: Path, issues: Issues) -> None:
    limit = item["charLimit"]
    low, high = limit.get("min"), limit.get("max")
    if limit.get("enabled") and low is None and high is None:
        soft(issues, path, "Enter the values for either minimum or maximum field")
    if (low is not None and low < 0) or (high is not None and high < 0):
        soft(issues, path, "The character limit values should be positive")
    if low is not None and high is not None and low > high:
        soft(issues, path, "Minimum value cannot be greater than the maximum value")


def _cta_element_rules(item: dict[str, Any], path: Path, issues: Issues) -> None:
    if not item.get("buttonExternal"):
        return
    url = item.get("buttonUrl")
    if not url or not url.strip():
        soft(issues, (*path, "buttonUrl"), "Button URL is required when external button is enabled")
    elif not parses_as_url(url):
        soft(issues, (*path, "buttonUrl"), "Please enter a valid URL")
    label = item.get("ctaButtonLabel") or {}
    if not label.get("default") or not label["default"].strip():
        soft(
            issues,
            (*path, "ctaButtonLabel"),
            "Button label is required when external button is enabled",
        )


def _choices(form: Form, minimum: str, maximum: str | None = None) -> Schema:
    choice = obj({"id": string(), "label": i18n()})
    checks = [min_items(2, minimum.format(form=form))]
    if maximum:
        checks.append(max_items(25, maximum.format(form=form)))
    return array(choice, *checks)


def _item_fields(form: Form) -> dict[str, dict[str, Schema]]:
    """Per type, the fields of that question or element type in upstream's declaration order."""
    question = form == "Question"
    base: dict[str, Schema] = {
        "id": id_rules(form),
        "type": string() if question else options(*ELEMENT_TYPES),
        "headline": i18n(),
        "subheader": _opt_i18n(),
        "imageUrl": optional(storage_url()),
        "videoUrl": optional(storage_url()),
        "required": boolean(),
    }
    if question:
        base |= {"buttonLabel": _opt_i18n(), "backButtonLabel": _opt_i18n()}
    base |= {
        "scale": optional(options("number", "smiley", "star")),
        "range": optional(options(5, 3, 4, 7, 10, error="Invalid input")),
    }
    if question:
        base |= {
            "logic": optional(logic_rules("Question")),
            "logicFallback": optional(id_rules("Question")),
        }
    base["isDraft"] = optional(boolean())
    rules: dict[str, Schema] = {} if question else {"validation": validation_rules()}
    display: dict[str, Schema] = (
        {} if question else {"displayType": optional(options("list", "dropdown"))}
    )
    toggle = obj({"show": boolean(), "required": boolean(), "placeholder": i18n()})
    shuffle = options(
        "none", "all", "exceptLast", "reverseOrderOccasionally", "reverseOrderExceptLast"
    )
    mc_choices = _choices(form, "Multiple Choice {form} must have at least two choices")
    choice_like = {"shuffleOption": optional(shuffle), "otherOptionPlaceholder": _opt_i18n()}
    labels = {"lowerLabel": _opt_i18n(), "upperLabel": _opt_i18n()}
    colour = {"isColorCodingEnabled": prefault(boolean(), False)}
    picture_min = (
        "Picture Selection question must have atleast 2 choices"
        if question
        else "Picture Selection element must have a minimum of 2 choices"
    )
    matrix_choice = array(obj({"id": string(), "label": i18n()}))
    types: dict[str, dict[str, Schema]] = {
        "openText": {
            "placeholder": _opt_i18n(),
            "longAnswer": optional(boolean()),
            "inputType": prefault(options("text", "email", "url", "number", "phone"), "text"),
            "insightsEnabled": prefault(boolean(), False),
            "charLimit": prefault(
                obj(
                    {
                        "enabled": prefault(boolean(), False),
                        "min": optional(number()),
                        "max": optional(number()),
                    }
                ),
                {"enabled": False},
            ),
            **rules,
        },
        "consent": {"label": i18n(), **rules},
        "nps": {**labels, **colour},
        "rating": {
            "scale": options("number", "smiley", "star"),
            "range": options(5, 3, 4, 6, 7, 10, error="Invalid input"),
            **labels,
            **colour,
        },
        "pictureSelection": {
            "allowMulti": prefault(boolean(), False),
            "choices": array(
                obj({"id": string(), "imageUrl": storage_url()}), min_items(2, picture_min)
            ),
            **rules,
        },
        "date": {"html": _opt_i18n(), "format": options("M-d-y", "d-M-y", "y-M-d"), **rules},
        "fileUpload": {
            "allowMultipleFiles": boolean(),
            "maxSizeInMB": optional(number()),
            "allowedFileExtensions": optional(array(options(*FILE_EXTENSIONS))),
            **rules,
        },
        "cal": {
            "calUserName": string(min_length(1, "Cal user name is required")),
            "calHost": optional(string()),
        },
        "matrix": {
            "rows": matrix_choice,
            "columns": matrix_choice,
            "shuffleOption": prefault(shuffle, "none"),
            **rules,
        },
        "address": {**dict.fromkeys(ADDRESS_FIELDS, toggle), **rules},
        "ranking": {
            "choices": _choices(
                form,
                "Ranking {form} must have at least two options",
                "Ranking {form} can have at most 25 options",
            ),
            **choice_like,
            **rules,
        },
        "contactInfo": {**dict.fromkeys(CONTACT_FIELDS, toggle), **rules},
    }
    if question:
        types["multipleChoice"] = {"choices": mc_choices, **choice_like}
        types["cta"] = {
            "buttonUrl": optional(string()),
            "buttonExternal": boolean(),
            "dismissButtonLabel": _opt_i18n(),
        }
    else:
        types["multipleChoiceSingle"] = {"choices": mc_choices, **choice_like, **display}
        types["multipleChoiceMulti"] = {"choices": mc_choices, **choice_like, **rules, **display}
        types["cta"] = {
            "buttonExternal": prefault(boolean(), False),
            "buttonUrl": optional(string()),
            "ctaButtonLabel": _opt_i18n(),
        }
    return {name: {**base, **fields} for name, fields in types.items()}


def item_schema(form: Form) -> Schema:
    """One question or element: zod's union over the per-type schemas."""
    fields = _item_fields(form)
    order = (
        ["openText", "consent", "multipleChoice", "nps", "cta", "rating"]
        if form == "Question"
        else [
            "openText",
            "consent",
            "multipleChoiceSingle",
            "multipleChoiceMulti",
            "nps",
            "cta",
            "rating",
        ]
    ) + [
        "pictureSelection",
        "date",
        "fileUpload",
        "cal",
        "matrix",
        "address",
        "ranking",
        "contactInfo",
    ]
    members: list[Schema] = []
    for name in order:
        kind = (
            options("multipleChoiceSingle", "multipleChoiceMulti", error="Invalid input")
            if name == "multipleChoice"
            else options(name)
        )
        refines = {"openText": [_char_limit_rules]}.get(name, [])
        if name == "cta" and form == "Element":
            refines = [_cta_element_rules]
        members.append(obj({**fields[name], "type": kind}, *refines))
    return union(*members)


def questions_schema() -> Schema:
    return refined(array(item_schema("Question")), unique_ids("Question IDs must be unique"))


def blocks_schema() -> Schema:
    block = obj(
        {
            "id": string(cuid2()),
            "name": string(min_length(1, "Block name is required")),
            "elements": array(
                item_schema("Element"), min_items(1, "Block must have at least one element")
            ),
            "logic": optional(logic_rules("Element")),
            "logicFallback": optional(string(cuid2())),
            "buttonLabel": _opt_i18n(),
            "backButtonLabel": _opt_i18n(),
        },
        # upstream's path is [index, "id"] relative to the block, not to its elements
        lambda block, path, issues: unique_ids("Element IDs must be unique within a block")(
            block["elements"], path, issues
        ),
    )
    return refined(array(block), unique_ids("Block IDs must be unique"))
