"""v1 survey validation: upstream's create and update schemas, with its exact messages and paths.

Pure functions over JSON values. Structure comes from elements.py and the field table below;
the survey-level checks (labels, endings, follow-ups, cyclic logic) are phase 2 and live in
checks.py: they run only when nothing hard was found anywhere (v1 spec §1.6).
"""

import copy
from typing import Any

from surveylink.surveys.elements import blocks_schema, questions_schema
from surveylink.surveys.fields import (
    HEX_COLOR,
    Mode,
    endings,
    follow_ups,
    languages,
    segment,
    styling,
    triggers,
    variables,
)
from surveylink.surveys.parsing import (
    Issues,
    Path,
    Schema,
    array,
    at_least,
    at_most,
    boolean,
    cuid2,
    date,
    details,
    i18n,
    id_rules,
    length,
    max_length,
    multiple_of,
    nullable,
    nullish,
    number,
    obj,
    optional,
    options,
    pattern,
    prefault,
    soft,
    storage_url,
    string,
)
from surveylink.surveys.rules import survey_rules

_SLUG = r"[a-z0-9-]+"
# What the database stores when POST leaves a field out (v1 spec §3.1).
CREATE_DEFAULTS: dict[str, Any] = {
    "type": "link",
    "createdBy": None,
    "status": "draft",
    "displayOption": "displayOnce",
    "autoClose": None,
    "triggers": [],
    "recontactDays": None,
    "displayLimit": None,
    "questions": [],
    "blocks": [],
    "endings": [],
    "hiddenFields": {"enabled": False},
    "variables": [],
    "delay": 0,
    "autoComplete": None,
    "styling": None,
    "showLanguageSwitch": None,
    "surveyClosedMessage": None,
    "segment": None,
    "singleUse": {"enabled": False, "isEncrypted": True},
    "isVerifyEmailEnabled": False,
    "recaptcha": {"enabled": False, "threshold": 0.1},
    "isSingleResponsePerEmailEnabled": False,
    "isBackButtonHidden": False,
    "isAutoProgressingEnabled": False,
    "isCaptureIpEnabled": False,
    "pin": None,
    "displayPercentage": None,
    "languages": [],
    "metadata": {},
    "slug": None,
    "customHeadScripts": None,
    "customHeadScriptsMode": "add",
    "followUps": [],
}


class SurveyValidationError(Exception):
    """The body broke upstream's schema; `details` is v1's flat path → message map."""

    def __init__(self, details: dict[str, str]) -> None:
        super().__init__("Fields are missing or incorrectly formatted")
        self.details = details


def validate_create(body: object) -> dict[str, Any]:
    """A POST body checked like `ZSurveyCreateInputWithEnvironmentId`, then defaulted."""
    survey = _without_drafts(_parse(_CREATE, body))
    defaults = {key: value for key, value in CREATE_DEFAULTS.items() if key not in survey}
    return {**survey, **copy.deepcopy(defaults)}


def revalidate_create(survey: dict[str, Any]) -> dict[str, Any]:
    """The second pass `createSurvey` makes over converted data (without environmentId).

    Upstream answers its failure with 500, not 400 (v1 spec §2.2 step 9).
    """
    return _parse(_CREATE_AGAIN, {k: v for k, v in survey.items() if k != "environmentId"})


def validate_update(merged: dict[str, Any]) -> dict[str, Any]:
    """The stored survey shallow-merged with a PUT body, checked like `ZSurveyUpdateInput`.

    `merged` must hold every field of the read shape (v1 spec §3.1) plus id, createdAt and
    updatedAt; questions in the body must already be converted to blocks (§2.4 step 5).
    """
    return _without_drafts(_parse(_UPDATE, merged))


def _without_drafts(survey: dict[str, Any]) -> dict[str, Any]:
    """Blocks as stored: the editor-only `isDraft` flag is dropped from every element."""
    for block in survey.get("blocks", []):
        for element in block["elements"]:
            element.pop("isDraft", None)
    return survey


def _parse(schema: Schema, value: object) -> dict[str, Any]:
    issues: Issues = []
    parsed = schema(value, (), issues)
    if issues:
        raise SurveyValidationError(details(issues))
    assert isinstance(parsed, dict)
    return parsed


# --- the survey ------------------------------------------------------------------------------


def _survey_fields(mode: Mode) -> dict[str, Schema]:
    """ZSurveyBase's fields in declaration order (the order issues are reported in)."""
    welcome_card = obj(
        {
            "enabled": boolean(),
            "headline": optional(i18n()),
            "subheader": optional(i18n()),
            "fileUrl": optional(storage_url()),
            "buttonLabel": optional(i18n()),
            "timeToFinish": prefault(boolean(), True),
            "showResponseCount": prefault(boolean(), False),
            "videoUrl": optional(storage_url()),
        },
        lambda card, path, issues: (
            soft(issues, path, "Welcome card must have a headline")
            if card["enabled"] and "headline" not in card
            else None
        ),
    )
    placement = options("bottomLeft", "bottomRight", "topLeft", "topRight", "center")
    return {
        "id": string(cuid2()),
        # Bounded by their columns (models.py); upstream's zod has no bound (a 500 past it).
        "name": string(max_length(1000)),
        "type": options("link", "app"),
        "environmentId": string(),
        "createdBy": nullable(string(max_length(64))),
        "status": options("draft", "inProgress", "paused", "completed"),
        "displayOption": options(
            "displayOnce", "displayMultiple", "respondMultiple", "displaySome"
        ),
        "autoClose": nullable(number()),
        "triggers": triggers(),
        "recontactDays": nullable(number()),
        "displayLimit": nullable(number()),
        "welcomeCard": welcome_card,
        "questions": prefault(questions_schema(), []),
        "blocks": prefault(blocks_schema(), []),
        "endings": endings(),
        "hiddenFields": obj(
            {"enabled": boolean(), "fieldIds": optional(array(id_rules("Hidden field")))}
        ),
        "variables": variables(),
        "followUps": follow_ups(mode),
        "delay": number(),
        "autoComplete": nullable(number(at_least(1, "Response limit must be greater than 0"))),
        "projectOverwrites": nullable(
            obj(
                {
                    "brandColor": nullish(string(pattern(HEX_COLOR))),
                    "highlightBorderColor": nullish(string(pattern(HEX_COLOR))),
                    "placement": nullish(placement),
                    "clickOutsideClose": nullish(boolean()),
                    "overlay": nullish(options("none", "light", "dark")),
                }
            )
        ),
        "styling": nullable(styling()),
        "showLanguageSwitch": nullable(boolean()),
        "surveyClosedMessage": nullish(
            obj(
                {
                    "enabled": optional(boolean()),
                    "heading": optional(string()),
                    "subheading": optional(string()),
                }
            )
        ),
        # read shape only: our stored survey keeps segmentId, not the segment
        "segment": nullish(segment(mode)) if mode == "update" else nullable(segment(mode)),
        "singleUse": nullable(
            obj(
                {
                    "enabled": boolean(),
                    "heading": optional(string()),
                    "subheading": optional(string()),
                    "isEncrypted": boolean(),
                }
            )
        ),
        "isVerifyEmailEnabled": boolean(),
        "recaptcha": nullable(
            obj(
                {
                    "enabled": boolean(),
                    "threshold": number(at_least(0.1), at_most(0.9), multiple_of("0.1")),
                }
            )
        ),
        "isSingleResponsePerEmailEnabled": boolean(),
        "isBackButtonHidden": boolean(),
        "isAutoProgressingEnabled": prefault(boolean(), False),
        "isCaptureIpEnabled": boolean(),
        "pin": nullish(string(length(4, "PIN must be a four digit number"))),
        "displayPercentage": nullable(number(at_least(0.01), at_most(100))),
        "languages": languages(mode),
        "metadata": obj(
            {
                "title": optional(i18n()),
                "description": optional(i18n()),
                "ogImage": optional(storage_url()),
            }
        ),
        "slug": nullable(
            string(
                pattern(_SLUG, "Slug can only contain lowercase letters, numbers, and hyphens"),
                max_length(255),
            )
        ),
        "customHeadScripts": nullish(string()),
        "customHeadScriptsMode": nullish(options("add", "replace")),
    }


def _exclusive(survey: dict[str, Any], path: Path, issues: Issues) -> None:
    has_questions, has_blocks = bool(survey["questions"]), bool(survey["blocks"])
    if has_questions and has_blocks:
        message = (
            "Cannot provide both questions and blocks. Please provide only one of these fields."
        )
        soft(issues, ("questions",), message)
    if not has_questions and not has_blocks:
        soft(
            issues, ("questions",), "Must provide either questions or blocks. Both cannot be empty."
        )


def _create_schema(with_environment_id: bool) -> Schema:
    base = _survey_fields("create")
    omitted = {"id", "projectOverwrites", "languages", "followUps"}
    fields = {key: optional(schema) for key, schema in base.items() if key not in omitted}
    fields |= {
        "name": base["name"],
        "environmentId": base["environmentId"],
        "questions": base["questions"],
        "blocks": base["blocks"],
        "welcomeCard": prefault(base["welcomeCard"], {"enabled": False}),
        "endings": prefault(endings(unique=False), []),
        "type": prefault(base["type"], "link"),
        "isAutoProgressingEnabled": base["isAutoProgressingEnabled"],
        "languages": prefault(base["languages"], []),
        "followUps": prefault(base["followUps"], []),
    }
    if not with_environment_id:
        fields["environmentId"] = optional(base["environmentId"])
    return obj(fields, survey_rules, _exclusive)


def _update_schema() -> Schema:
    fields = _survey_fields("update")
    fields["followUps"] = prefault(
        fields.pop("followUps"), []
    )  # re-added last, as upstream's extend
    fields |= {"createdAt": date(coerce=True), "updatedAt": date(coerce=True)}
    return obj(fields, survey_rules)


_CREATE = _create_schema(with_environment_id=True)
_CREATE_AGAIN = _create_schema(with_environment_id=False)
_UPDATE = _update_schema()
