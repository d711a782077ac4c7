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
from urllib.parse import urlsplit

from pydantic import JsonValue

from surveylink.core.zod import is_decimal
from surveylink.respondent.texts import ERRORS
from surveylink.surveys.document import (
    Address,
    Choice,
    ContactInfo,
    Element,
    FieldToggle,
    Matrix,
    MultipleChoice,
    Nps,
    OpenText,
    PictureSelection,
    Ranking,
    Rating,
    localized,
    toggles,
)

Form = dict[str, list[str]]
# Element types a link respondent can answer here; others (cal) are skipped.
ANSWERABLE = {
    "openText", "multipleChoiceSingle", "multipleChoiceMulti", "nps", "rating", "cta",
    "consent", "date", "matrix", "ranking", "address", "contactInfo", "pictureSelection",
    "fileUpload",
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
    value: JsonValue = None  # None: not answered, absent from `data`
    errors: dict[str, str] = field(default_factory=dict)  # input name -> message


@dataclass(frozen=True)
class Asked:
    """One element as the page asks it: `required` also counts logic's `requireAnswer`."""

    element: Element
    required: bool
    language: str

    @property
    def id(self) -> str:
        return self.element.id


def first(form: Form, name: str) -> str:
    values = form.get(name) or [""]
    return values[0].strip()


def parse(element: Element, form: Form, language: str, *, required: bool | None = None) -> Outcome:
    """The stored value of one element from the form, or the messages to show beside it."""
    reader = _READERS.get(element.type)
    asked = Asked(element, element.required if required is None else required, language)
    return reader(asked, form) if reader else Outcome()


def _missing(asked: Asked) -> Outcome:
    return Outcome(errors={asked.id: ERRORS["required"]} if asked.required else {})


def _open_text(asked: Asked, form: Form) -> Outcome:
    element = asked.element
    assert isinstance(element, OpenText)
    name, answer = element.id, first(form, element.id)
    if not answer:
        return _missing(asked)
    problem = _format_problem(element.input_type, answer)
    limit = element.char_limit
    if problem is None and limit.enabled:
        if limit.min is not None and len(answer) < limit.min:
            problem = ERRORS["min_length"].format(min=int(limit.min))
        elif limit.max is not None and len(answer) > limit.max:
            problem = ERRORS["max_length"].format(max=int(limit.max))
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


def _single(asked: Asked, form: Form) -> Outcome:
    element = asked.element
    assert isinstance(element, MultipleChoice)
    name, picked = element.id, first(form, element.id)
    if not picked:
        return _missing(asked)
    choice = next((c for c in element.choices if c.id == picked), None)
    if choice is None:
        return Outcome(errors={name: ERRORS["format"]})
    if picked == "other":
        other = first(form, f"{name}.other")
        return (
            Outcome(value=other) if other else Outcome(errors={f"{name}.other": ERRORS["required"]})
        )
    return Outcome(value=localized(choice.label, asked.language))


def _multi(asked: Asked, form: Form) -> Outcome:
    element = asked.element
    assert isinstance(element, MultipleChoice)
    name = element.id
    picked = {value for value in form.get(name) or [] if value}
    if not picked:
        return _missing(asked)
    if not picked <= {choice.id for choice in element.choices}:
        return Outcome(errors={name: ERRORS["format"]})
    if "none" in picked:  # "None of the above" excludes every other choice
        picked = {"none"}
    labels: list[JsonValue] = [
        localized(choice.label, asked.language)
        for choice in element.choices
        if choice.id in picked and choice.id != "other"
    ]
    if "other" in picked:
        other = first(form, f"{name}.other")
        if not other:
            return Outcome(errors={f"{name}.other": ERRORS["required"]})
        labels.append(other)
    return Outcome(value=labels)


def scale_of(element: Nps | Rating) -> range:
    if isinstance(element, Nps):
        return range(0, 11)
    size = element.range
    return range(1, (size if size in (3, 4, 5, 6, 7, 10) else 5) + 1)


def _scaled(asked: Asked, form: Form) -> Outcome:
    element = asked.element
    assert isinstance(element, Nps | Rating)
    name, picked = element.id, first(form, element.id)
    if not picked:
        return _missing(asked)
    point = whole_number(picked)
    if point is None or point not in scale_of(element):
        return Outcome(errors={name: ERRORS["format"]})
    return Outcome(value=point)


def _token(word: str) -> Callable[[Asked, Form], Outcome]:
    def read(asked: Asked, form: Form) -> Outcome:
        return Outcome(value=word) if first(form, asked.id) == word else _missing(asked)

    return read


def _date(asked: Asked, form: Form) -> Outcome:
    name, answer = asked.id, first(form, asked.id)
    if not answer:
        return _missing(asked)
    try:
        valid = bool(_DATE.fullmatch(answer)) and date.fromisoformat(answer).year >= 1
    except ValueError:
        valid = False
    return Outcome(value=answer) if valid else Outcome(errors={name: ERRORS["format"]})


def _matrix(asked: Asked, form: Form) -> Outcome:
    element = asked.element
    assert isinstance(element, Matrix)
    name, rows, columns = element.id, element.rows, element.columns
    answer: dict[str, JsonValue] = {}
    for index, row in enumerate(rows):
        picked = first(form, f"{name}.r{index}")
        if not picked:
            continue
        column = whole_number(picked)
        if column is None or not 0 <= column < len(columns):
            return Outcome(errors={name: ERRORS["format"]})
        label = localized(columns[column].label, asked.language)
        answer[localized(row.label, asked.language)] = label
    if asked.required and len(answer) < len(rows):
        return Outcome(errors={name: ERRORS["all_rows"]})
    return Outcome(value=answer or None)


def _ranking(asked: Asked, form: Form) -> Outcome:
    element = asked.element
    assert isinstance(element, Ranking)
    name, choices = element.id, element.choices
    positions = [first(form, f"{name}.{index}") for index in range(len(choices))]
    if not any(positions):
        return _missing(asked) if not asked.required else _all_ranked(name)
    valid = {str(number) for number in range(1, len(choices) + 1)}
    if not all(position in valid for position in positions):
        return _all_ranked(name)
    if len(set(positions)) != len(positions):
        return Outcome(errors={name: ERRORS["unique_ranks"]})
    ordered: list[tuple[str, Choice]] = sorted(
        zip(positions, choices, strict=True), key=lambda pair: int(pair[0])
    )
    return Outcome(value=[localized(choice.label, asked.language) for _, choice in ordered])


def _all_ranked(name: str) -> Outcome:
    return Outcome(errors={name: ERRORS["all_ranked"]})


def shown_fields(element: Address | ContactInfo) -> list[tuple[str, FieldToggle]]:
    return [(name, toggle) for name, toggle in toggles(element) if toggle.show]


def _fields(asked: Asked, form: Form) -> Outcome:
    element = asked.element
    assert isinstance(element, Address | ContactInfo)
    name = element.id
    shown = shown_fields(element)
    values = {field_name: "" for field_name, _ in toggles(element)}
    for field_name, _ in shown:
        values[field_name] = first(form, f"{name}.{field_name}")
    if not any(values.values()):
        # An optional question left blank is skipped, whatever its fields require.
        return _missing(asked)
    errors: dict[str, str] = {}
    for field_name, toggle in shown:
        answer, problem = values[field_name], None
        if not answer and toggle.required:
            problem = ERRORS["required"]
        elif answer and field_name in ("email", "phone"):
            problem = _format_problem(field_name, answer)
        if problem:
            errors[f"{name}.{field_name}"] = problem
    if errors:
        return Outcome(errors=errors)
    return Outcome(value=list(values.values()))


def _pictures(asked: Asked, form: Form) -> Outcome:
    element = asked.element
    assert isinstance(element, PictureSelection)
    name = element.id
    picked = [value for value in form.get(name) or [] if value]
    if not picked:
        return _missing(asked)
    known = [choice.id for choice in element.choices]
    if not set(picked) <= set(known) or (len(picked) > 1 and not element.allow_multi):
        return Outcome(errors={name: ERRORS["format"]})
    return Outcome(value=[choice_id for choice_id in known if choice_id in picked])


def _file_urls(asked: Asked, form: Form) -> Outcome:
    """The URLs respondent/uploads.py left in the form: kept files and new ones."""
    urls: list[JsonValue] = [value for value in form.get(asked.element.id) or [] if value]
    return Outcome(value=urls) if urls else _missing(asked)


def _choice(asked: Asked, form: Form) -> Outcome:
    element = asked.element
    multi = isinstance(element, MultipleChoice) and element.type == "multipleChoiceMulti"
    return _multi(asked, form) if multi else _single(asked, form)


_READERS: dict[str, Callable[[Asked, Form], Outcome]] = {
    "openText": _open_text,
    "multipleChoiceSingle": _choice,
    "multipleChoiceMulti": _choice,
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
    "fileUpload": _file_urls,
}
