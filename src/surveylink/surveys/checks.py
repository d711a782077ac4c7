"""Survey-level checks (upstream's `surveyRefinement`), run only on a structurally valid survey.

Labels are checked in every enabled language ("default" alone when the survey has none); a
label is empty when its text, HTML tags removed, is blank (v1 spec §4.6).
upstream's semantic logic validators (operators per type, referenced ids) are not reproduced;
cyclic jumps are.
"""

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from surveylink.surveys.document import (
    ContactInfo,
    Ending,
    EndScreen,
    OpenText,
    SurveyDocument,
    SurveyLanguage,
    WelcomeCard,
)
from surveylink.surveys.parsing import Issues, Path, hostname, parses_as_url, soft

Survey = dict[str, Any]  # a survey as parsed JSON (only the legacy questions are read so)
Label = Mapping[str, str]
_TAG = re.compile(r"<[A-Za-z!/][^>]*>")
HOST = re.compile(
    r"(?!-)[a-zA-Z0-9-]{1,63}(?<!-)(?:\.(?!-)[a-zA-Z0-9-]{1,63}(?<!-)){1,}", re.IGNORECASE
)
EMAIL = re.compile(  # zod 4's email()
    r"(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-\.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}"
)
_DOMAIN_PART = re.compile(r"[a-zA-Z0-9-]+")
QUESTION_NAMES = {
    "headline": "question",
    "subheader": "description",
    "buttonLabel": "next button label",
    "backButtonLabel": "back button label",
    "placeholder": "placeholder",
    "upperLabel": "upper label",
    "lowerLabel": "lower label",
    "consent.label": "checkbox label",
    "dismissButtonLabel": "dismiss button label",
    "html": "description",
    "cardHeadline": "note",
    "welcomeCardHtml": "welcome message",
    "endingCardButtonLabel": "button label",
}
ELEMENT_NAMES = {
    key: QUESTION_NAMES[key]
    for key in ("headline", "subheader", "placeholder", "upperLabel", "lowerLabel", "consent.label")
} | {"html": "description"}
ADDRESS_LABELS = (
    ("addressLine1", "Address Line 1"),
    ("addressLine2", "Address Line 2"),
    ("city", "City"),
    ("state", "State"),
    ("zip", "Zip"),
    ("country", "Country"),
)
CONTACT_LABELS = (
    ("company", "Company"),
    ("email", "Email"),
    ("firstName", "First Name"),
    ("lastName", "Last Name"),
    ("phone", "Phone"),
)


def text_of(value: str) -> str:
    """The visible text of a label, HTML tags removed."""
    if _TAG.search(value):
        value = html.unescape(_TAG.sub("", value))
    return value.strip()


# --- labels in every language ----------------------------------------------------------------


class Labels:
    """Checks i18n labels against the survey's languages, phrased for one place in the survey."""

    def __init__(self, languages: list[SurveyLanguage]) -> None:
        self.languages = languages
        enabled = [lang for lang in languages if lang.enabled]
        self.codes = [_code(lang) for lang in enabled] or ["default"]
        self.default_code = next(
            (lang.language.code for lang in languages if lang.default), "default"
        )

    def _shown(self, codes: Iterable[str]) -> list[str]:
        return [self.default_code if code == "default" else code for code in codes]

    def missing(
        self,
        field: str,
        label: Label,
        where: str,
        names: dict[str, str],
        *,
        plain: bool = False,
        absent_where: str | None = None,
        sep: str = ",",
    ) -> str | None:
        """The message for a label that is empty in a checked language, else None."""
        for lang in self.languages:
            if not lang.default and label.get(lang.language.code) is None:
                code = lang.language.code
                where_absent = absent_where or where
                return (
                    f"The {field} {where_absent} is not present for the following languages: {code}"
                )
        invalid = self._shown(c for c in self.codes if not label.get(c) or not text_of(label[c]))
        if not invalid:
            return None
        prefix = "" if plain else "The "
        subject = f"{prefix}{names.get(field, field)} {where}"
        if invalid == ["default"]:
            return f"{subject} is missing"
        return f"{subject} is missing for the following languages:  -fLang- {sep.join(invalid)}"

    def duplicated(self, labels: Sequence[Label]) -> str | None:
        """None, or the tail of a "has duplicate … labels " message."""
        found = []
        for code in self.codes:
            texts = [label[code].strip() for label in labels if _has_text(label.get(code))]
            if len(set(texts)) != len(texts):
                found.append(code)
        if not found:
            return None
        return "" if self._shown(found) == ["default"] else "for the following languages:"


def _code(lang: SurveyLanguage) -> str:
    return "default" if lang.default else lang.language.code


def _has_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def filled(label: object) -> bool:
    """Whether an optional label's default text is non-blank (upstream checks only those)."""
    return isinstance(label, dict) and _has_text(label.get("default"))


# --- URLs ------------------------------------------------------------------------------------


def safe_url_error(url: str) -> str | None:
    """The first message upstream's safe-URL check gives for a CTA button URL, else None."""
    if " " in url:
        return "URL must not contain spaces"
    if url.startswith("#recall:"):
        return "URL must not start with a recall value"
    if not url.startswith(("https://", "http://localhost", "mailto:")):
        return "URL must start with https:// or mailto:"
    if url.startswith("mailto:"):
        return None
    if not parses_as_url(url):
        return "URL is not valid"
    host = hostname(url)
    if "#recall:" in host:
        return "Recall information must appear after the domain, not within it"
    return None if not host or _valid_host(host) else "URL is not valid"


# A decimal IPv4 part: ASCII digits without a leading zero (`str.isdigit` also takes `²`).
_OCTET = re.compile(r"0|[1-9][0-9]{0,2}")


def _valid_host(host: str) -> bool:
    if host == "localhost" or (host.startswith("[") and host.endswith("]")):
        return True
    parts = host.split(".")
    if len(parts) < 2:
        return False
    if len(parts) == 4 and all(_OCTET.fullmatch(p) and int(p) <= 255 for p in parts):
        return True
    tld = parts[-1]
    if (
        not 2 <= len(tld) <= 63
        or not _DOMAIN_PART.fullmatch(tld)
        or tld[0] == "-"
        or tld[-1] == "-"
    ):
        return False
    if parts[0].lower() == "www" and len(parts) < 3:
        return False
    return all(_DOMAIN_PART.fullmatch(p) and p[0] != "-" and p[-1] != "-" for p in parts)


def ending_url_error(url: str) -> str | None:
    if url.strip().startswith(("http://", "https://")):
        return None
    return "URL must start with http:// or https://"


# --- the refinement --------------------------------------------------------------------------


def card_label(labels: Labels, field: str, label: Label, card: str) -> str | None:
    return labels.missing(
        field, label, f"on the {card}", QUESTION_NAMES, absent_where=f"in {card}", sep=", "
    )


def welcome_rules(card: WelcomeCard, labels: Labels, issues: Issues) -> None:
    if not card.enabled:
        return
    for field, label, only_filled in (
        ("cardHeadline", card.headline, False),
        ("welcomeCardSubheader", card.subheader, True),
        ("buttonLabel", card.button_label, True),
    ):
        if label is not None and (not only_filled or filled(label)):
            message = card_label(labels, field, label, "Welcome card")
            if message:
                soft(issues, ("welcomeCard", field), message)


def ending_rules(endings: list[Ending], labels: Labels, issues: Issues) -> None:
    for index, ending in enumerate(endings):
        n, at = index + 1, ("endings", index)
        if isinstance(ending, EndScreen):
            card = f"Ending card {n}"
            message = card_label(labels, "cardHeadline", ending.headline or {}, card)
            if message:
                soft(issues, (*at, "cardHeadline"), message)
            if ending.subheader is not None:
                message = card_label(labels, "subheader", ending.subheader, card)
                if message:
                    soft(issues, (*at, "subheader"), message)
            if ending.button_label is not None or ending.button_link is not None:
                if ending.button_label is None:
                    soft(
                        issues,
                        (*at, "buttonLabel"),
                        f"Ending card {n}: Button label cannot be empty",
                    )
                else:
                    label = ending.button_label
                    message = card_label(labels, "endingCardButtonLabel", label, card)
                    if message:
                        soft(issues, (*at, "endingCardButtonLabel"), message)
                _link(ending.button_link, (*at, "buttonLink"), card, "Button link", issues)
        else:
            if not (ending.label or "").strip():
                message = f"Redirect Url label cannot be empty for ending Card {n}."
                soft(issues, (*at, "label"), message)
            _link(ending.url, (*at, "url"), f"Ending card {n}", "Redirect URL", issues)


def _link(url: str | None, at: Path, card: str, noun: str, issues: Issues) -> None:
    if not url or not url.strip():
        soft(issues, at, f"{card}: {noun} cannot be empty")
    else:
        error = ending_url_error(url)
        if error:
            soft(issues, at, f"{card}: {error}")


def follow_up_rules(survey: SurveyDocument, issues: Issues) -> None:
    allowed = {"verifiedEmail"}
    allowed |= {
        e.id
        for e in survey.elements
        if (isinstance(e, OpenText) and e.input_type == "email")
        or (isinstance(e, ContactInfo) and e.email.show)
    }
    allowed |= set(survey.hidden_fields.field_ids or [])
    live = [follow_up for follow_up in survey.follow_ups if not follow_up.deleted]
    for index, follow_up in enumerate(live):
        to = follow_up.action.properties.to
        if not to:
            continue
        if to not in allowed and not EMAIL.fullmatch(to):
            message = f"The action in follow up {index + 1} has an invalid email field"
            soft(issues, ("followUps",), message)
        trigger = follow_up.trigger
        if trigger.type == "endings" and not (trigger.properties and trigger.properties.ending_ids):
            message = f"The trigger in follow up {index + 1} has no ending selected"
            soft(issues, ("followUps",), message)


# --- questions (legacy form) -----------------------------------------------------------------

_CHOICE_TYPES = ("multipleChoiceSingle", "multipleChoiceMulti", "ranking")
_OPTIONAL_LABELS = ("buttonLabel", "upperLabel", "lowerLabel", "label", "placeholder")


def question_rules(
    questions: list[dict[str, Any]], survey: SurveyDocument, labels: Labels, issues: Issues
) -> None:
    """The legacy questions of a survey sent in that form (checked as JSON: never stored)."""
    back_button_shown = not survey.is_back_button_hidden
    ids = [question["id"] for question in questions]
    ending_ids = [ending.id for ending in survey.endings]
    for index, question in enumerate(questions):
        _question(question, index, back_button_shown, labels, issues)
        if "logic" in question:  # upstream checks logic, and so the fallback, only when present
            fallback_rule(
                question["id"],
                bool(question.get("logic")),
                question.get("logicFallback"),
                index,
                "question",
                [*ids, *ending_ids],
                issues,
            )
    for question_id in cyclic_questions(questions):
        index = ids.index(question_id)
        message = (
            "Conditional Logic: Cyclic logic detected \U0001f503 Please check the logic of "
            f"question {index + 1}."
        )
        soft(issues, ("questions", index, "logic"), message)


def _question(
    question: dict[str, Any], index: int, back_button_shown: bool, labels: Labels, issues: Issues
) -> None:
    n, kind, at = index + 1, question["type"], ("questions", index)

    def check(field: str, label: dict[str, Any], *, plain: bool = False) -> None:
        message = labels.missing(field, label, f"in question {n}", QUESTION_NAMES, plain=plain)
        if message:
            soft(issues, (*at, field), message)

    check("headline", question["headline"])
    if filled(question.get("subheader")):
        check("subheader", question["subheader"])
    fields = list(_OPTIONAL_LABELS)
    if index > 0 and back_button_shown:
        fields.append("backButtonLabel")
    if kind in ("nps", "rating") and question["required"]:
        fields.remove("buttonLabel")
    for field in fields:
        if not (field == "label" and kind == "consent") and filled(question.get(field)):
            check(field, question[field])
    if kind == "openText" and filled(question.get("placeholder")) and len(labels.languages) > 1:
        check("placeholder", question["placeholder"])
    if kind in _CHOICE_TYPES:
        for k, choice in enumerate(question["choices"], 1):
            check(f"Choice {k}", choice["label"], plain=True)
        choices = [choice["label"] for choice in question["choices"]]
        duplicates(labels, choices, (*at, "choices"), f"Question {n}", "choice", issues)
    if kind == "consent":
        check("consent.label", question["label"])
    if kind == "cta":
        if not question["required"] and "dismissButtonLabel" in question:
            check("dismissButtonLabel", question["dismissButtonLabel"])
        if question["buttonExternal"]:
            button_url_rule(question.get("buttonUrl"), (*at, "buttonUrl"), f"Question {n}", issues)
    if kind == "matrix":
        for part in ("rows", "columns"):
            noun = part[:-1].capitalize()
            for k, item in enumerate(question[part], 1):
                check(f"{noun} {k}", item["label"], plain=True)
        for part in ("rows", "columns"):
            items = [item["label"] for item in question[part]]
            duplicates(labels, items, (*at, part), f"Question {n}", part[:-1], issues)
    _type_rules(question, at, f"Question {n}", issues)
    if kind in ("contactInfo", "address"):
        fields_of = CONTACT_LABELS if kind == "contactInfo" else ADDRESS_LABELS
        if not any(question[key]["show"] for key, _ in fields_of):
            noun = "Contact Info" if kind == "contactInfo" else "Address"
            soft(issues, at, f"At least one field must be shown in the {noun} question")
        for key, name in fields_of:
            if question[key]["show"]:
                check(f"Label for field {name}", question[key]["placeholder"], plain=True)


def _type_rules(item: dict[str, Any], at: Path, subject: str, issues: Issues) -> None:
    """fileUpload and cal rules, worded alike for questions and elements."""
    if item["type"] == "fileUpload" and item.get("allowedFileExtensions") == []:
        message = f"{subject} must have atleast one allowed file extension"
        soft(issues, (*at, "allowedFileExtensions"), message)
    if item["type"] == "cal" and "calHost" in item and not HOST.fullmatch(item["calHost"]):
        soft(issues, (*at, "calHost"), f"{subject} must have a valid host name")


def duplicates(
    labels: Labels, items: Sequence[Label], at: Path, subject: str, noun: str, issues: Issues
) -> None:
    """Labels that repeat in a checked language (choices, matrix rows or columns)."""
    tail = labels.duplicated(items)
    if tail is not None:
        soft(issues, at, f"{subject} has duplicate {noun} labels {tail}")


def button_url_rule(url: str | None, at: Path, subject: str, issues: Issues) -> None:
    if not url or not url.strip():
        soft(issues, at, f"{subject}: Button URL is required when external button is enabled")
    else:
        error = safe_url_error(url)
        if error:
            soft(issues, at, f"{subject}: {error}")


def fallback_rule(
    item_id: str,
    has_logic: bool,
    fallback: str | None,
    index: int,
    noun: str,
    targets: list[str],
    issues: Issues,
) -> None:
    """Where a question's or block's logicFallback may point: another item or an ending."""
    n = index + 1
    if not fallback:
        return
    if not has_logic:
        message = f"Fallback logic is defined without any logic in {noun} {n}"
    elif fallback == item_id:
        message = f"Fallback logic is defined with the same {noun} in {noun} {n}"
    elif fallback not in [*targets[:index], *targets[index + 1 :]]:
        message = f"Fallback {noun} ID {fallback} does not exist in {noun} {n}"
    else:
        return
    soft(issues, (f"{noun}s", index), f"Conditional Logic: {message}")


# --- cyclic jumps ----------------------------------------------------------------------------


def _destinations(item: dict[str, Any] | None, objective: str) -> list[str]:
    """Jump targets of an item's logic, then its fallback."""
    if item is None:
        return []
    targets = [
        action["target"]
        for rule in item.get("logic") or []
        for action in rule["actions"]
        if action["objective"] == objective
    ]
    return targets + ([item["logicFallback"]] if item.get("logicFallback") else [])


def cyclic_questions(questions: list[dict[str, Any]]) -> list[str]:
    """Question ids on a jump cycle; upstream's quirks kept (an unknown id continues at the
    first question, and the next-question step neither marks nor checks the stack)."""
    ids = [question["id"] for question in questions]
    visited: set[str] = set()
    stack: set[str] = set()
    found: dict[str, None] = {}

    def visit(question_id: str) -> bool:
        if question_id not in visited:
            visited.add(question_id)
            stack.add(question_id)
            question = next((q for q in questions if q["id"] == question_id), None)
            for target in _destinations(question, "jumpToQuestion"):
                if (target not in visited and visit(target)) or target in stack:
                    found[question_id] = None
                    return True
            following = ids.index(question_id) + 1 if question_id in ids else 0
            if following < len(ids) and ids[following] not in visited and visit(ids[following]):
                return True
        stack.discard(question_id)
        return False

    for question_id in ids:
        visit(question_id)
    return list(found)
