"""Upstream's element validation for API-submitted answers: the `required` rule (resources
spec §1.7). Pure: the survey document and the answers in, error details out."""

from typing import Any

from surveylink.core.errors import ErrorDetail

REQUIRED_MESSAGE = "Please fill out this field"


def required_errors(document: dict[str, Any], data: dict[str, Any]) -> list[ErrorDetail]:
    """One detail per required element that `data` answers with an empty value."""
    errors = []
    for block in document.get("blocks") or []:
        for element in block.get("elements") or []:
            element_id = element.get("id")
            if element_id not in data or not element.get("required"):
                continue
            if element.get("type") == "cta" or not _is_empty(element, data[element_id]):
                continue
            errors.append(
                ErrorDetail(
                    field=f"response.data.{element_id}",
                    issue=REQUIRED_MESSAGE,
                    meta={"elementId": element_id, "ruleId": "required", "ruleType": "minLength"},
                )
            )
    return errors


def _is_empty(element: dict[str, Any], value: Any) -> bool:
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list):
        return not any(isinstance(item, str) and item.strip() for item in value)
    if isinstance(value, dict):
        return not any(isinstance(item, str) and item.strip() for item in value.values())
    return False
