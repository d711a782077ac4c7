"""One element's answer: read from a submitted form, checked, and turned back into form values.

Pure. A form is `{input name: [values]}`; an element `q` uses the input `q`, plus `q.other`
(free text of an "other" choice), `q.<field>` (address, contactInfo), `q.r<row>` (matrix) and
`q.<choice index>` (ranking positions). Values are stored in upstream's shapes (v2 resources
spec §6.6).
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from surveylink.core.zod import is_decimal
from surveylink.respondent.texts import ERRORS, text
from surveylink.surveys.logic import ADDRESS_FIELDS, CONTACT_FIELDS

Form = dict[str, list[str]]
# Element types a link respondent can answer here; others (fileUpload, cal) are skipped.
ANSWERABLE = {
    "openText", "multipleChoiceSingle", "multipleChoiceMulti", "nps", "rating", "cta",
    "consent", "date", "matrix", "ranking", "address", "contactInfo", "pictureSelection",
}  # fmt: skip
_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
_PHONE = re.compile(r"^\+?[0-9\s\-().]{6,30}$")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Numbers a form sends are ASCII digits: `str.isdigit` also takes `²` and `⑤`, which int() then
# refuses, and int() refuses more than 4,300 digits.
_WHOLE = re.compile(r"[0-9]{1,16}")


def whole_number(text: str, *, signed: bool = False) -> int | None:
    """A whole number written in at most 16 ASCII digits (a millisecond clock fits), else None;
    `signed` also takes a leading minus."""
    negative = signed and text.startswith("-")
    digits = text[1:] if negative else text
    if not _WHOLE.fullmatch(digits):
        return None
    return -int(digits) if negative else int(digits)


@dataclass
class Outcome:
    value: Any = None  # None: not answered, absent from `data`
    errors: dict[str, str] = field(default_factory=dict)  # input name -> message


def first(form: Form, name: str) -> str:
    values = form.get(name) or [""]
    return values[0].strip()


def parse(element: dict[str, Any], form: Form, language: str) -> Outcome:
    """The stored value of one element from the form, or the messages to show beside it."""
    reader = _READERS.get(str(element.get("type")))
    return reader(element, form, language) if reader else Outcome()


def _missing(element: dict[str, Any]) -> Outcome:
    errors = {element["id"]: ERRORS["required"]} if element.get("required") else {}
    return Outcome(errors=errors)


def _open_text(element: dict[str, Any], form: Form, _language: str) -> Outcome:
    name, answer = element["id"], first(form, element["id"])
    if not answer:
        return _missing(element)
    problem = _format_problem(str(element.get("inputType") or "text"), answer)
    limit = element.get("charLimit") or {}
    if problem is None and limit.get("enabled"):
        low, high = limit.get("min"), limit.get("max")
        if isinstance(low, int | float) and len(answer) < low:
            problem = ERRORS["min_length"].format(min=int(low))
        elif isinstance(high, int | float) and len(answer) > high:
            problem = ERRORS["max_length"].format(max=int(high))
    return Outcome(errors={name: problem}) if problem else Outcome(value=answer)


def _format_problem(input_type: str, answer: str) -> str | None:
    if input_type == "email" and not _EMAIL.match(answer):
        return ERRORS["email"]
    if input_type == "url" and not _is_url(answer):
        return ERRORS["url"]
    if input_type == "phone" and not (_PHONE.match(answer) and sum(map(str.isdigit, answer)) >= 6):
        return ERRORS["phone"]
    if input_type == "number" and not (is_decimal(answer) and math.isfinite(float(answer))):
        return ERRORS["format"]
    return None


def _is_url(answer: str) -> bool:
    parts = urlsplit(answer)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in answer


def _choices(element: dict[str, Any]) -> list[dict[str, Any]]:
    return [choice for choice in element.get("choices") or [] if isinstance(choice, dict)]


def _single(element: dict[str, Any], form: Form, language: str) -> Outcome:
    name, picked = element["id"], first(form, element["id"])
    if not picked:
        return _missing(element)
    choice = next((c for c in _choices(element) if c.get("id") == picked), None)
    if choice is None:
        return Outcome(errors={name: ERRORS["format"]})
    if picked == "other":
        other = first(form, f"{name}.other")
        return (
            Outcome(value=other) if other else Outcome(errors={f"{name}.other": ERRORS["required"]})
        )
    return Outcome(value=text(choice.get("label"), language))


def _multi(element: dict[str, Any], form: Form, language: str) -> Outcome:
    name = element["id"]
    picked = {value for value in form.get(name) or [] if value}
    if not picked:
        return _missing(element)
    known = {choice.get("id") for choice in _choices(element)}
    if not picked <= known:
        return Outcome(errors={name: ERRORS["format"]})
    if "none" in picked:  # "None of the above" excludes every other choice
        picked = {"none"}
    labels = [
        text(choice.get("label"), language)
        for choice in _choices(element)
        if choice.get("id") in picked and choice.get("id") != "other"
    ]
    if "other" in picked:
        other = first(form, f"{name}.other")
        if not other:
            return Outcome(errors={f"{name}.other": ERRORS["required"]})
        labels.append(other)
    return Outcome(value=labels)


def scale_of(element: dict[str, Any]) -> range:
    if element.get("type") == "nps":
        return range(0, 11)
    size = element.get("range")
    return range(1, (size if isinstance(size, int) and size in (3, 4, 5, 6, 7, 10) else 5) + 1)


def _scaled(element: dict[str, Any], form: Form, _language: str) -> Outcome:
    name, picked = element["id"], first(form, element["id"])
    if not picked:
        return _missing(element)
    point = whole_number(picked)
    if point is None or point not in scale_of(element):
        return Outcome(errors={name: ERRORS["format"]})
    return Outcome(value=point)


def _token(word: str) -> Callable[[dict[str, Any], Form, str], Outcome]:
    def read(element: dict[str, Any], form: Form, _language: str) -> Outcome:
        return Outcome(value=word) if first(form, element["id"]) == word else _missing(element)

    return read


def _date(element: dict[str, Any], form: Form, _language: str) -> Outcome:
    name, answer = element["id"], first(form, element["id"])
    if not answer:
        return _missing(element)
    try:
        valid = bool(_DATE.fullmatch(answer)) and date.fromisoformat(answer).year >= 1
    except ValueError:
        valid = False
    return Outcome(value=answer) if valid else Outcome(errors={name: ERRORS["format"]})


def _labels(element: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [item for item in element.get(key) or [] if isinstance(item, dict)]


def _matrix(element: dict[str, Any], form: Form, language: str) -> Outcome:
    name, rows, columns = element["id"], _labels(element, "rows"), _labels(element, "columns")
    answer: dict[str, str] = {}
    for index, row in enumerate(rows):
        picked = first(form, f"{name}.r{index}")
        if not picked:
            continue
        column = whole_number(picked)
        if column is None or not 0 <= column < len(columns):
            return Outcome(errors={name: ERRORS["format"]})
        answer[text(row.get("label"), language)] = text(columns[column].get("label"), language)
    if element.get("required") and len(answer) < len(rows):
        return Outcome(errors={name: ERRORS["all_rows"]})
    return Outcome(value=answer or None)


def _ranking(element: dict[str, Any], form: Form, language: str) -> Outcome:
    name, choices = element["id"], _choices(element)
    positions = [first(form, f"{name}.{index}") for index in range(len(choices))]
    if not any(positions):
        return _missing(element) if not element.get("required") else _all_ranked(name)
    valid = {str(number) for number in range(1, len(choices) + 1)}
    if not all(position in valid for position in positions):
        return _all_ranked(name)
    if len(set(positions)) != len(positions):
        return Outcome(errors={name: ERRORS["unique_ranks"]})
    ordered = sorted(zip(positions, choices, strict=True), key=lambda pair: int(pair[0]))
    return Outcome(value=[text(choice.get("label"), language) for _, choice in ordered])


def _all_ranked(name: str) -> Outcome:
    return Outcome(errors={name: ERRORS["all_ranked"]})


def shown_fields(element: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    names = ADDRESS_FIELDS if element.get("type") == "address" else CONTACT_FIELDS
    configs = [(name, element.get(name) or {"show": True, "required": False}) for name in names]
    return [(name, config) for name, config in configs if config.get("show", True)]


def _fields(element: dict[str, Any], form: Form, _language: str) -> Outcome:
    name = element["id"]
    names = ADDRESS_FIELDS if element.get("type") == "address" else CONTACT_FIELDS
    shown = shown_fields(element)
    values = dict.fromkeys(names, "")
    for field_name, _ in shown:
        values[field_name] = first(form, f"{name}.{field_name}")
    if not any(values.values()):
        # An optional question left blank is skipped, whatever its fields require.
        return _missing(element)
    errors: dict[str, str] = {}
    for field_name, config in shown:
        answer, problem = values[field_name], None
        if not answer and config.get("required"):
            problem = ERRORS["required"]
        elif answer and field_name in ("email", "phone"):
            problem = _format_problem(field_name, answer)
        if problem:
            errors[f"{name}.{field_name}"] = problem
    if errors:
        return Outcome(errors=errors)
    return Outcome(value=[values[field_name] for field_name in names])


def _pictures(element: dict[str, Any], form: Form, _language: str) -> Outcome:
    name = element["id"]
    picked = [value for value in form.get(name) or [] if value]
    if not picked:
        return _missing(element)
    known = [str(choice.get("id")) for choice in _choices(element)]
    if not set(picked) <= set(known) or (len(picked) > 1 and not element.get("allowMulti")):
        return Outcome(errors={name: ERRORS["format"]})
    return Outcome(value=[choice_id for choice_id in known if choice_id in picked])


_READERS: dict[str, Callable[[dict[str, Any], Form, str], Outcome]] = {
    "openText": _open_text,
    "multipleChoiceSingle": _single,
    "multipleChoiceMulti": _multi,
    "nps": _scaled,
    "rating": _scaled,
    "cta": _token("clicked"),
    "consent": _token("accepted"),
    "date": _date,
    "matrix": _matrix,
    "ranking": _ranking,
    "address": _fields,
    "contactInfo": _fields,
    "pictureSelection": _pictures,
}
