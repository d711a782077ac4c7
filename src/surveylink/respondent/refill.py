"""Form values from what is already known: a stored answer (resuming, going back) or upstream's
prefill from the query string (`?<elementId>=value`). Pure; the inverse of answers.parse."""

from typing import Any

from surveylink.respondent.answers import Form, scale_of, whole_number
from surveylink.respondent.texts import text
from surveylink.surveys.logic import ADDRESS_FIELDS, CONTACT_FIELDS


def _choice_ids(element: dict[str, Any], labels: list[str], language: str) -> Form:
    name = element["id"]
    by_label = {
        text(choice.get("label"), language): str(choice.get("id"))
        for choice in element.get("choices") or []
        if isinstance(choice, dict) and choice.get("id") != "other"
    }
    has_other = any(
        isinstance(choice, dict) and choice.get("id") == "other"
        for choice in element.get("choices") or []
    )
    form: Form = {name: []}
    for label in labels:
        if label in by_label:
            form[name].append(by_label[label])
        elif has_other and label:
            form[name].append("other")
            form[f"{name}.other"] = [label]
    return form


def stored_form(element: dict[str, Any], value: Any, language: str) -> Form:
    """The form that would submit `value` again."""
    name, kind = element["id"], element.get("type")
    if value is None or value == "":
        return {}
    if kind in ("multipleChoiceSingle", "multipleChoiceMulti"):
        return _choice_ids(element, value if isinstance(value, list) else [str(value)], language)
    if kind == "matrix" and isinstance(value, dict):
        return _matrix_form(element, value, language)
    if kind == "ranking" and isinstance(value, list):
        form: Form = {}
        for index, choice in enumerate(element.get("choices") or []):
            label = text(choice.get("label"), language) if isinstance(choice, dict) else ""
            if label in value:
                form[f"{name}.{index}"] = [str(value.index(label) + 1)]
        return form
    if kind in ("address", "contactInfo") and isinstance(value, list):
        names = ADDRESS_FIELDS if kind == "address" else CONTACT_FIELDS
        return {f"{name}.{field}": [str(v)] for field, v in zip(names, value, strict=False)}
    if isinstance(value, list):
        return {name: [str(item) for item in value]}
    return {name: [str(value)]}


def _matrix_form(element: dict[str, Any], value: dict[str, Any], language: str) -> Form:
    name = element["id"]
    columns = [text(c.get("label"), language) for c in element.get("columns") or []]
    form: Form = {}
    for index, row in enumerate(element.get("rows") or []):
        chosen = value.get(text(row.get("label"), language))
        if chosen in columns:
            form[f"{name}.r{index}"] = [str(columns.index(chosen))]
    return form


def prefill_form(element: dict[str, Any], raw: str, language: str) -> Form:
    """Upstream's prefill: a query value is used only when it is a valid answer."""
    name, kind = element["id"], element.get("type")
    raw = raw.strip()
    if not raw:
        return {}
    if kind == "openText" or kind == "date":
        return {name: [raw]}
    if kind == "multipleChoiceSingle":
        return _choice_ids(element, [raw], language)
    if kind == "multipleChoiceMulti":
        return _choice_ids(element, [part.strip() for part in raw.split(",")], language)
    if kind in ("nps", "rating"):
        return {name: [raw]} if whole_number(raw) in scale_of(element) else {}
    if kind == "consent" and raw == "accepted":
        return {name: [raw]}
    if kind == "cta" and raw == "clicked":
        return {name: [raw]}
    return {}
