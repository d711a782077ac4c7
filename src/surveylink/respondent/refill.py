"""Form values from what is already known: a stored answer (resuming, going back) or upstream's
prefill from the query string (`?<elementId>=value`). Pure; the inverse of answers.parse."""

from pydantic import JsonValue

from surveylink.respondent.answers import Form, scale_of, whole_number
from surveylink.surveys.document import (
    Address,
    Consent,
    ContactInfo,
    Cta,
    DateElement,
    Element,
    Matrix,
    MultipleChoice,
    Nps,
    OpenText,
    Ranking,
    Rating,
    localized,
    toggles,
)


def _choice_ids(element: MultipleChoice, labels: list[str], language: str) -> Form:
    name = element.id
    by_label = {
        localized(choice.label, language): choice.id
        for choice in element.choices
        if choice.id != "other"
    }
    has_other = any(choice.id == "other" for choice in element.choices)
    form: Form = {name: []}
    for label in labels:
        if label in by_label:
            form[name].append(by_label[label])
        elif has_other and label:
            form[name].append("other")
            form[f"{name}.other"] = [label]
    return form


def stored_form(element: Element, value: JsonValue, language: str) -> Form:
    """The form that would submit `value` again."""
    name = element.id
    if value is None or value == "":
        return {}
    if isinstance(element, MultipleChoice):
        labels = value if isinstance(value, list) else [value]
        return _choice_ids(element, [str(label) for label in labels], language)
    if isinstance(element, Matrix) and isinstance(value, dict):
        return _matrix_form(element, value, language)
    if isinstance(element, Ranking) and isinstance(value, list):
        form: Form = {}
        for index, choice in enumerate(element.choices):
            label = localized(choice.label, language)
            if label in value:
                form[f"{name}.{index}"] = [str(value.index(label) + 1)]
        return form
    if isinstance(element, Address | ContactInfo) and isinstance(value, list):
        names = [field for field, _ in toggles(element)]
        return {f"{name}.{field}": [str(v)] for field, v in zip(names, value, strict=False)}
    if isinstance(value, list):
        return {name: [str(item) for item in value]}
    return {name: [str(value)]}


def _matrix_form(element: Matrix, value: dict[str, JsonValue], language: str) -> Form:
    name = element.id
    columns = [localized(column.label, language) for column in element.columns]
    form: Form = {}
    for index, row in enumerate(element.rows):
        chosen = value.get(localized(row.label, language))
        if chosen in columns:
            form[f"{name}.r{index}"] = [str(columns.index(str(chosen)))]
    return form


def prefill_form(element: Element, raw: str, language: str) -> Form:
    """Upstream's prefill: a query value is used only when it is a valid answer."""
    name = element.id
    raw = raw.strip()
    if not raw:
        return {}
    if isinstance(element, OpenText | DateElement):
        return {name: [raw]}
    if isinstance(element, MultipleChoice):
        if element.type == "multipleChoiceSingle":
            return _choice_ids(element, [raw], language)
        return _choice_ids(element, [part.strip() for part in raw.split(",")], language)
    if isinstance(element, Nps | Rating):
        return {name: [raw]} if whole_number(raw) in scale_of(element) else {}
    if isinstance(element, Consent) and raw == "accepted":
        return {name: [raw]}
    if isinstance(element, Cta) and raw == "clicked":
        return {name: [raw]}
    return {}
