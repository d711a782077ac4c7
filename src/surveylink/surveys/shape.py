"""Upstream's survey objects on the wire, built from our row (v1 surveys spec §3)."""

import copy
from typing import Any

from surveylink.core.clock import iso
from surveylink.surveys.document import SurveyDocument, load
from surveylink.surveys.models import Survey
from surveylink.surveys.transform import blocks_to_questions, every_block_single
from surveylink.surveys.validation import CREATE_DEFAULTS

# Fields kept in `Survey.document`, in upstream's read order.
DOCUMENT_FIELDS = [
    "welcomeCard",
    "questions",
    "blocks",
    "endings",
    "hiddenFields",
    "variables",
    "displayOption",
    "recontactDays",
    "displayLimit",
    "autoClose",
    "delay",
    "displayPercentage",
    "autoComplete",
    "isVerifyEmailEnabled",
    "isSingleResponsePerEmailEnabled",
    "isBackButtonHidden",
    "isAutoProgressingEnabled",
    "isCaptureIpEnabled",
    "redirectUrl",
    "projectOverwrites",
    "styling",
    "surveyClosedMessage",
    "singleUse",
    "pin",
    "showLanguageSwitch",
    "recaptcha",
    "metadata",
    "customHeadScripts",
    "customHeadScriptsMode",
    "languages",
    "triggers",
    "followUps",
    "inlineTriggers",
]
# Column defaults of the fields the create schema does not default itself.
_OTHER_DEFAULTS = {
    "welcomeCard": {"enabled": False, "timeToFinish": True, "showResponseCount": False},
    "redirectUrl": None,
    "projectOverwrites": None,
    "inlineTriggers": None,
}
DOCUMENT_DEFAULTS = {**CREATE_DEFAULTS, **_OTHER_DEFAULTS}
# The fields that are columns of their own.
COLUMNS = ("name", "type", "status", "environmentId", "createdBy", "slug")
# The raw row upstream's DELETE returns, in its schema order.
RAW_ORDER = [
    "id",
    "createdAt",
    "updatedAt",
    "name",
    "redirectUrl",
    "type",
    "environmentId",
    "createdBy",
    "status",
    "welcomeCard",
    "questions",
    "blocks",
    "endings",
    "hiddenFields",
    "variables",
    "displayOption",
    "recontactDays",
    "displayLimit",
    "inlineTriggers",
    "autoClose",
    "autoComplete",
    "delay",
    "surveyClosedMessage",
    "segmentId",
    "projectOverwrites",
    "styling",
    "singleUse",
    "isVerifyEmailEnabled",
    "isSingleResponsePerEmailEnabled",
    "isBackButtonHidden",
    "isAutoProgressingEnabled",
    "isCaptureIpEnabled",
    "pin",
    "displayPercentage",
    "showLanguageSwitch",
    "recaptcha",
    "metadata",
    "slug",
    "customHeadScripts",
    "customHeadScriptsMode",
]


def fields_of(survey: Survey) -> dict[str, Any]:
    """Every upstream field of the survey, defaults filled in."""
    stored = copy.deepcopy(survey.document)
    document = {name: stored.get(name, DOCUMENT_DEFAULTS[name]) for name in DOCUMENT_FIELDS}
    return {
        "id": survey.id,
        "createdAt": iso(survey.created_at),
        "updatedAt": iso(survey.updated_at),
        "name": survey.name,
        "type": survey.type,
        "environmentId": survey.environment_id,
        "createdBy": survey.created_by,
        "status": survey.status,
        **document,
        "segmentId": survey.segment_id,
        "slug": survey.slug,
    }


def load_survey(survey: Survey) -> SurveyDocument:
    """The stored survey as the typed document the page reads."""
    return load(fields_of(survey))


def read_shape(
    survey: Survey, *, show_questions: bool | None = None, decimal_as_string: bool = False
) -> dict[str, Any]:
    """The v1 read shape. GET shows legacy `questions` whenever every block has one element;
    POST and PUT only when the request itself used questions (`show_questions`)."""
    fields = fields_of(survey)
    blocks = fields["blocks"]
    if show_questions is None:
        show_questions = every_block_single(blocks)
    if show_questions:
        fields["questions"] = blocks_to_questions(blocks, fields["endings"])
        fields["blocks"] = []
    if decimal_as_string and fields["displayPercentage"] is not None:
        fields["displayPercentage"] = _decimal(fields["displayPercentage"])
    shape = {key: fields[key] for key in fields if key not in ("inlineTriggers", "segmentId")}
    shape["segment"] = None
    shape["slug"] = fields["slug"]
    return shape


def raw_row(survey: Survey) -> dict[str, Any]:
    """What upstream's DELETE returns: the database row, not the read shape."""
    fields = fields_of(survey)
    row = {key: fields[key] for key in RAW_ORDER}
    if row["displayPercentage"] is not None:
        row["displayPercentage"] = _decimal(row["displayPercentage"])
    row["segment"] = None
    row["triggers"] = []
    return row


def _decimal(value: float) -> str:
    """Prisma's Decimal as JSON: a string, without a trailing `.0`."""
    return str(int(value)) if float(value) == int(value) else str(value)
