"""Upstream's survey objects on the wire, built from our row (v1 surveys spec §3)."""

import copy
from typing import Any

from surveylink.core.clock import iso
from surveylink.surveys.models import Survey
from surveylink.surveys.transform import blocks_to_questions, every_block_single

# Fields kept in `Survey.document`, in upstream's read order, with their column defaults.
DOCUMENT_DEFAULTS: dict[str, Any] = {
    "welcomeCard": {"enabled": False, "timeToFinish": True, "showResponseCount": False},
    "questions": [],
    "blocks": [],
    "endings": [],
    "hiddenFields": {"enabled": False},
    "variables": [],
    "displayOption": "displayOnce",
    "recontactDays": None,
    "displayLimit": None,
    "autoClose": None,
    "delay": 0,
    "displayPercentage": None,
    "autoComplete": None,
    "isVerifyEmailEnabled": False,
    "isSingleResponsePerEmailEnabled": False,
    "isBackButtonHidden": False,
    "isAutoProgressingEnabled": False,
    "isCaptureIpEnabled": False,
    "redirectUrl": None,
    "projectOverwrites": None,
    "styling": None,
    "surveyClosedMessage": None,
    "singleUse": {"enabled": False, "isEncrypted": True},
    "pin": None,
    "showLanguageSwitch": None,
    "recaptcha": {"enabled": False, "threshold": 0.1},
    "metadata": {},
    "customHeadScripts": None,
    "customHeadScriptsMode": "add",
    "languages": [],
    "triggers": [],
    "followUps": [],
    "inlineTriggers": None,
}
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
    document = {**DOCUMENT_DEFAULTS, **copy.deepcopy(survey.document)}
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
