"""Survey-level checks (upstream's `surveyRefinement`), run only on a structurally valid survey.

Labels are checked in every enabled language ("default" alone when the survey has none); a
label is empty when its text, HTML tags removed, is blank (v1 spec §4.6).
upstream's semantic logic validators (operators per type, referenced ids) are not reproduced;
cyclic jumps are.
"""

import html
import re
from collections.abc import Iterable
from typing import Any

from surveylink.surveys.parsing import Issues, Path, first_duplicate, hostname, parses_as_url, soft

Survey = dict[str, Any]
_TAG = re.compile(r"<[A-Za-z!/][^>]*>")
_HOST = re.compile(
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

    def __init__(self, languages: list[dict[str, Any]]) -> None:
        self.languages = languages
        enabled = [lang for lang in languages if lang["enabled"]]
        self.codes = [_code(lang) for lang in enabled] or ["default"]
        self.default_code = next(
            (lang["language"]["code"] for lang in languages if lang["default"]), "default"
        )

    def _shown(self, codes: Iterable[str]) -> list[str]:
        return [self.default_code if code == "default" else code for code in codes]

    def missing(
        self,
        field: str,
        label: dict[str, Any],
        where: str,
        names: dict[str, str],
        *,
        plain: bool = False,
        absent_where: str | None = None,
        sep: str = ",",
    ) -> str | None:
        """The message for a label that is empty in a checked language, else None."""
        for lang in self.languages:
            if not lang["default"] and label.get(lang["language"]["code"]) is None:
                code = lang["language"]["code"]
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

    def duplicated(self, labels: list[dict[str, Any]]) -> str | None:
        """None, or the tail of a "has duplicate … labels " message."""
        found = []
        for code in self.codes:
            texts = [label[code].strip() for label in labels if _has_text(label.get(code))]
            if len(set(texts)) != len(texts):
                found.append(code)
        if not found:
            return None
        return "" if self._shown(found) == ["default"] else "for the following languages:"


def _code(lang: dict[str, Any]) -> str:
    return "default" if lang["default"] else str(lang["language"]["code"])


def _has_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _filled(label: Any) -> bool:
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


def survey_rules(survey: Survey, path: Path, issues: Issues) -> None:
    questions, blocks = survey["questions"], survey["blocks"]
    has_questions = bool(questions)
    has_blocks = any(block["elements"] for block in blocks)
    if not has_questions and not has_blocks:
        soft(issues, ("questions",), "Survey must have either questions or blocks with elements")
    if has_questions and has_blocks:
        soft(issues, ("blocks",), "Survey cannot have both questions and blocks. Use one model.")
    labels = Labels(survey.get("languages", []))
    _welcome_card(survey["welcomeCard"], labels, issues)
    if has_questions:
        _questions(survey, labels, issues)
    if has_blocks:
        _blocks(survey, labels, issues)
    _endings(survey["endings"], labels, issues)
    _follow_ups(survey, issues)


def _card(labels: Labels, field: str, label: dict[str, Any], card: str) -> str | None:
    return labels.missing(
        field, label, f"on the {card}", QUESTION_NAMES, absent_where=f"in {card}", sep=", "
    )


def _welcome_card(card: dict[str, Any], labels: Labels, issues: Issues) -> None:
    if not card["enabled"]:
        return
    for field, key, only_filled in (
        ("cardHeadline", "headline", False),
        ("welcomeCardSubheader", "subheader", True),
        ("buttonLabel", "buttonLabel", True),
    ):
        label = card.get(key)
        if label is not None and (not only_filled or _filled(label)):
            message = _card(labels, field, label, "Welcome card")
            if message:
                soft(issues, ("welcomeCard", field), message)


def _endings(endings: list[dict[str, Any]], labels: Labels, issues: Issues) -> None:
    for index, ending in enumerate(endings):
        n, at = index + 1, ("endings", index)
        if ending["type"] == "endScreen":
            card = f"Ending card {n}"
            message = _card(labels, "cardHeadline", ending.get("headline", {}), card)
            if message:
                soft(issues, (*at, "cardHeadline"), message)
            if "subheader" in ending:
                message = _card(labels, "subheader", ending["subheader"], card)
                if message:
                    soft(issues, (*at, "subheader"), message)
            if "buttonLabel" in ending or "buttonLink" in ending:
                if "buttonLabel" not in ending:
                    soft(
                        issues,
                        (*at, "buttonLabel"),
                        f"Ending card {n}: Button label cannot be empty",
                    )
                else:
                    message = _card(labels, "endingCardButtonLabel", ending["buttonLabel"], card)
                    if message:
                        soft(issues, (*at, "endingCardButtonLabel"), message)
                _link(
                    ending.get("buttonLink"),
                    (*at, "buttonLink"),
                    f"Ending card {n}",
                    "Button link",
                    issues,
                )
        else:
            if not ending.get("label", "").strip():
                message = f"Redirect Url label cannot be empty for ending Card {n}."
                soft(issues, (*at, "label"), message)
            _link(ending.get("url"), (*at, "url"), f"Ending card {n}", "Redirect URL", issues)


def _link(url: str | None, at: Path, card: str, noun: str, issues: Issues) -> None:
    if not url or not url.strip():
        soft(issues, at, f"{card}: {noun} cannot be empty")
    else:
        error = ending_url_error(url)
        if error:
            soft(issues, at, f"{card}: {error}")


def _follow_ups(survey: Survey, issues: Issues) -> None:
    elements = [element for block in survey["blocks"] for element in block["elements"]]
    allowed = {"verifiedEmail"}
    allowed |= {
        e["id"]
        for e in elements
        if (e["type"] == "openText" and e.get("inputType") == "email")
        or (e["type"] == "contactInfo" and e["email"]["show"])
    }
    allowed |= set((survey.get("hiddenFields") or {}).get("fieldIds") or [])
    live = [follow_up for follow_up in survey.get("followUps", []) if not follow_up.get("deleted")]
    for index, follow_up in enumerate(live):
        to = follow_up["action"]["properties"]["to"]
        if not to:
            continue
        if to not in allowed and not EMAIL.fullmatch(to):
            message = f"The action in follow up {index + 1} has an invalid email field"
            soft(issues, ("followUps",), message)
        trigger = follow_up["trigger"]
        if trigger["type"] == "endings" and not (trigger["properties"] or {}).get("endingIds"):
            message = f"The trigger in follow up {index + 1} has no ending selected"
            soft(issues, ("followUps",), message)


# --- questions (legacy form) -----------------------------------------------------------------

_CHOICE_TYPES = ("multipleChoiceSingle", "multipleChoiceMulti", "ranking")
_OPTIONAL_LABELS = ("buttonLabel", "upperLabel", "lowerLabel", "label", "placeholder")


def _questions(survey: Survey, labels: Labels, issues: Issues) -> None:
    questions = survey["questions"]
    back_button_shown = not survey.get("isBackButtonHidden")
    ids = [question["id"] for question in questions]
    ending_ids = [ending["id"] for ending in survey["endings"]]
    for index, question in enumerate(questions):
        _question(question, index, back_button_shown, labels, issues)
        if "logic" in question:  # upstream checks logic, and so the fallback, only when present
            _fallback(question, index, "question", ids, ending_ids, issues)
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
    if _filled(question.get("subheader")):
        check("subheader", question["subheader"])
    fields = list(_OPTIONAL_LABELS)
    if index > 0 and back_button_shown:
        fields.append("backButtonLabel")
    if kind in ("nps", "rating") and question["required"]:
        fields.remove("buttonLabel")
    for field in fields:
        if not (field == "label" and kind == "consent") and _filled(question.get(field)):
            check(field, question[field])
    if kind == "openText" and _filled(question.get("placeholder")) and len(labels.languages) > 1:
        check("placeholder", question["placeholder"])
    if kind in _CHOICE_TYPES:
        for k, choice in enumerate(question["choices"], 1):
            check(f"Choice {k}", choice["label"], plain=True)
        _duplicates(
            labels, question["choices"], (*at, "choices"), f"Question {n}", "choice", issues
        )
    if kind == "consent":
        check("consent.label", question["label"])
    if kind == "cta":
        if not question["required"] and "dismissButtonLabel" in question:
            check("dismissButtonLabel", question["dismissButtonLabel"])
        if question["buttonExternal"]:
            _button_url(question.get("buttonUrl"), (*at, "buttonUrl"), f"Question {n}", issues)
    if kind == "matrix":
        for part in ("rows", "columns"):
            noun = part[:-1].capitalize()
            for k, item in enumerate(question[part], 1):
                check(f"{noun} {k}", item["label"], plain=True)
        for part in ("rows", "columns"):
            _duplicates(labels, question[part], (*at, part), f"Question {n}", part[:-1], issues)
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
    if item["type"] == "cal" and "calHost" in item and not _HOST.fullmatch(item["calHost"]):
        soft(issues, (*at, "calHost"), f"{subject} must have a valid host name")


def _duplicates(
    labels: Labels, items: list[dict[str, Any]], at: Path, subject: str, noun: str, issues: Issues
) -> None:
    tail = labels.duplicated([item["label"] for item in items])
    if tail is not None:
        soft(issues, at, f"{subject} has duplicate {noun} labels {tail}")


def _button_url(url: str | None, at: Path, subject: str, issues: Issues) -> None:
    if not url or not url.strip():
        soft(issues, at, f"{subject}: Button URL is required when external button is enabled")
    else:
        error = safe_url_error(url)
        if error:
            soft(issues, at, f"{subject}: {error}")


def _fallback(
    item: dict[str, Any], index: int, noun: str, ids: list[str], endings: list[str], issues: Issues
) -> None:
    """Where a question's or block's logicFallback may point: another item or an ending."""
    fallback, n = item.get("logicFallback"), index + 1
    if not fallback:
        return
    if not item.get("logic"):
        message = f"Fallback logic is defined without any logic in {noun} {n}"
    elif fallback == item["id"]:
        message = f"Fallback logic is defined with the same {noun} in {noun} {n}"
    elif fallback not in [*ids[:index], *ids[index + 1 :], *endings]:
        message = f"Fallback {noun} ID {fallback} does not exist in {noun} {n}"
    else:
        return
    soft(issues, (f"{noun}s", index), f"Conditional Logic: {message}")


# --- blocks ----------------------------------------------------------------------------------


def _blocks(survey: Survey, labels: Labels, issues: Issues) -> None:
    blocks = survey["blocks"]
    duplicate = first_duplicate([block["id"] for block in blocks])
    if duplicate != -1:
        soft(issues, ("blocks", duplicate, "id"), "Block IDs must be unique")
    seen: set[str] = set()
    for b, block in enumerate(blocks):
        for e, element in enumerate(block["elements"]):
            if element["id"] in seen:
                message = (
                    f'Element ID "{element["id"]}" is used in multiple blocks. '
                    "Element IDs must be unique across all blocks."
                )
                soft(issues, ("blocks", b, "elements", e, "id"), message)
            seen.add(element["id"])
    ids = [block["id"] for block in blocks]
    ending_ids = [ending["id"] for ending in survey["endings"]]
    for b, block in enumerate(blocks):
        for e, element in enumerate(block["elements"]):
            _element(element, b, e, labels, issues)
        _fallback(block, b, "block", ids, ending_ids, issues)
    names = [block["name"] for block in blocks]
    for block_id in cyclic_blocks(blocks):
        index = ids.index(block_id)
        message = f"Conditional Logic: Cyclic logic detected in block {index + 1} ({names[index]})."
        soft(issues, ("blocks", index, "logic"), message)


def _element(element: dict[str, Any], b: int, e: int, labels: Labels, issues: Issues) -> None:
    kind, at = element["type"], ("blocks", b, "elements", e)
    where = f"in question {e + 1} of block {b + 1}"

    def check(
        field: str, label: dict[str, Any], *, path: Path | None = None, plain: bool = False
    ) -> None:
        message = labels.missing(field, label, where, ELEMENT_NAMES, plain=plain)
        if message:
            soft(issues, path or (*at, field), message)

    check("headline", element["headline"])
    if _filled(element.get("subheader")):
        check("subheader", element["subheader"])
    if kind == "openText" and _filled(element.get("placeholder")) and len(labels.languages) > 1:
        check("placeholder", element["placeholder"])
    if kind in _CHOICE_TYPES:
        for k, choice in enumerate(element["choices"]):
            check(f"Choice {k + 1}", choice["label"], path=(*at, "choices", k), plain=True)
        subject = f"Element {e + 1} in block {b + 1}"
        _duplicates(labels, element["choices"], (*at, "choices"), subject, "choice", issues)
    if kind == "consent":
        check("consent.label", element["label"], path=(*at, "label"))
    if kind == "cta" and element["buttonExternal"]:
        check("ctaButtonLabel", element.get("ctaButtonLabel", {}))
        subject = f"Element {e + 1} in block {b + 1}"
        _button_url(element.get("buttonUrl"), (*at, "buttonUrl"), subject, issues)
    subject = f"Question {e + 1} in block {b + 1}"
    if kind == "matrix":
        for part in ("rows", "columns"):
            noun = part[:-1].capitalize()
            for k, item in enumerate(element[part]):
                check(f"{noun} {k + 1}", item["label"], path=(*at, part, k), plain=True)
        for part in ("rows", "columns"):
            _duplicates(labels, element[part], (*at, part), subject, part[:-1], issues)
    _type_rules(element, at, subject, issues)
    if kind in ("contactInfo", "address"):
        fields_of = CONTACT_LABELS if kind == "contactInfo" else ADDRESS_LABELS
        if not any(element[key]["show"] for key, _ in fields_of):
            noun = "Contact Info" if kind == "contactInfo" else "Address"
            message = (
                f"At least one field must be shown in the {noun} question {e + 1} in block {b + 1}"
            )
            soft(issues, at, message)
        for key, name in fields_of:
            if element[key]["show"]:
                # upstream drops only the first space for contact info, every space for address
                spaces = 1 if kind == "contactInfo" else -1
                path_key = name.lower().replace(" ", "", spaces)
                label = element[key]["placeholder"]
                check(f"Label for field {name}", label, path=(*at, path_key), plain=True)


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


def cyclic_blocks(blocks: list[dict[str, Any]]) -> list[str]:
    """Block ids on a jump cycle; targets that are not blocks (endings) are ignored."""
    ids = [block["id"] for block in blocks]
    visited: set[str] = set()
    stack: set[str] = set()
    found: dict[str, None] = {}

    def visit(block_id: str) -> bool:
        if block_id not in visited:
            visited.add(block_id)
            stack.add(block_id)
            index = ids.index(block_id)
            targets = [t for t in _destinations(blocks[index], "jumpToBlock") if t in ids]
            targets += ids[index + 1 : index + 2]  # then the next block
            for target in targets:
                if (target not in visited and visit(target)) or target in stack:
                    found[block_id] = None
                    stack.discard(block_id)
                    return True
        stack.discard(block_id)
        return False

    for block_id in ids:
        visit(block_id)
    return list(found)
