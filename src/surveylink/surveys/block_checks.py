"""Survey-level checks of blocks and their elements (upstream's `surveyRefinement`), read from
the typed document: labels in every language, choices, CTA links, fallbacks and cyclic jumps."""

from typing import Protocol

from surveylink.surveys.checks import (
    ADDRESS_LABELS,
    CONTACT_LABELS,
    ELEMENT_NAMES,
    HOST,
    Label,
    Labels,
    button_url_rule,
    duplicates,
    fallback_rule,
    filled,
)
from surveylink.surveys.document import (
    Address,
    Block,
    Cal,
    Consent,
    ContactInfo,
    Cta,
    Element,
    FileUpload,
    JumpAction,
    Matrix,
    MultipleChoice,
    OpenText,
    Ranking,
    SurveyDocument,
    toggle,
)
from surveylink.surveys.parsing import Issues, Path, first_duplicate, soft


def block_rules(survey: SurveyDocument, labels: Labels, issues: Issues) -> None:
    blocks = survey.blocks
    duplicate = first_duplicate([block.id for block in blocks])
    if duplicate != -1:
        soft(issues, ("blocks", duplicate, "id"), "Block IDs must be unique")
    seen: set[str] = set()
    for b, block in enumerate(blocks):
        for e, element in enumerate(block.elements):
            if element.id in seen:
                message = (
                    f'Element ID "{element.id}" is used in multiple blocks. '
                    "Element IDs must be unique across all blocks."
                )
                soft(issues, ("blocks", b, "elements", e, "id"), message)
            seen.add(element.id)
    targets = [block.id for block in blocks] + [ending.id for ending in survey.endings]
    for b, block in enumerate(blocks):
        for e, element in enumerate(block.elements):
            _element(element, b, e, labels, issues)
        has_logic = bool(block.logic)
        fallback_rule(block.id, has_logic, block.logic_fallback, b, "block", targets, issues)
    ids = [block.id for block in blocks]
    for block_id in cyclic_blocks(blocks):
        index = ids.index(block_id)
        name = blocks[index].name
        message = f"Conditional Logic: Cyclic logic detected in block {index + 1} ({name})."
        soft(issues, ("blocks", index, "logic"), message)


def _element(element: Element, b: int, e: int, labels: Labels, issues: Issues) -> None:
    at = ("blocks", b, "elements", e)
    where = f"in question {e + 1} of block {b + 1}"

    def check(field: str, label: Label, *, path: Path | None = None, plain: bool = False) -> None:
        message = labels.missing(field, label, where, ELEMENT_NAMES, plain=plain)
        if message:
            soft(issues, path or (*at, field), message)

    check("headline", element.headline)
    if element.subheader is not None and filled(element.subheader):
        check("subheader", element.subheader)
    placeholder = element.placeholder if isinstance(element, OpenText) else None
    if placeholder is not None and filled(placeholder) and len(labels.languages) > 1:
        check("placeholder", placeholder)
    if isinstance(element, MultipleChoice | Ranking):
        for k, choice in enumerate(element.choices):
            check(f"Choice {k + 1}", choice.label, path=(*at, "choices", k), plain=True)
        subject = f"Element {e + 1} in block {b + 1}"
        labels_of = [choice.label for choice in element.choices]
        duplicates(labels, labels_of, (*at, "choices"), subject, "choice", issues)
    if isinstance(element, Consent):
        check("consent.label", element.label, path=(*at, "label"))
    if isinstance(element, Cta) and element.button_external:
        check("ctaButtonLabel", element.cta_button_label or {})
        subject = f"Element {e + 1} in block {b + 1}"
        button_url_rule(element.button_url, (*at, "buttonUrl"), subject, issues)
    subject = f"Question {e + 1} in block {b + 1}"
    if isinstance(element, Matrix):
        for part, items in (("rows", element.rows), ("columns", element.columns)):
            noun = part[:-1].capitalize()
            for k, item in enumerate(items):
                check(f"{noun} {k + 1}", item.label, path=(*at, part, k), plain=True)
        for part, items in (("rows", element.rows), ("columns", element.columns)):
            labels_of = [item.label for item in items]
            duplicates(labels, labels_of, (*at, part), subject, part[:-1], issues)
    if isinstance(element, FileUpload) and element.allowed_file_extensions == []:
        message = f"{subject} must have atleast one allowed file extension"
        soft(issues, (*at, "allowedFileExtensions"), message)
    host = element.cal_host if isinstance(element, Cal) else None
    if host is not None and not HOST.fullmatch(host):
        soft(issues, (*at, "calHost"), f"{subject} must have a valid host name")
    if isinstance(element, Address | ContactInfo):
        _fields(element, at, b, e, check, issues)


class Check(Protocol):
    """`_element`'s label check, handed to `_fields`."""

    def __call__(
        self, field: str, label: Label, *, path: Path | None = None, plain: bool = False
    ) -> None: ...


def _fields(
    element: Address | ContactInfo, at: Path, b: int, e: int, check: Check, issues: Issues
) -> None:
    contact = isinstance(element, ContactInfo)
    fields_of = CONTACT_LABELS if contact else ADDRESS_LABELS
    if not any(toggle(element, key).show for key, _ in fields_of):
        noun = "Contact Info" if contact else "Address"
        message = (
            f"At least one field must be shown in the {noun} question {e + 1} in block {b + 1}"
        )
        soft(issues, at, message)
    for key, name in fields_of:
        shown = toggle(element, key)
        if shown.show:
            # upstream drops only the first space for contact info, every space for address
            path_key = name.lower().replace(" ", "", 1 if contact else -1)
            label = shown.placeholder or {}
            check(f"Label for field {name}", label, path=(*at, path_key), plain=True)


def cyclic_blocks(blocks: list[Block]) -> list[str]:
    """Block ids on a jump cycle; targets that are not blocks (endings) are ignored."""
    ids = [block.id for block in blocks]
    visited: set[str] = set()
    stack: set[str] = set()
    found: dict[str, None] = {}

    def visit(block_id: str) -> bool:
        if block_id not in visited:
            visited.add(block_id)
            stack.add(block_id)
            index = ids.index(block_id)
            targets = [t for t in _destinations(blocks[index]) if t in ids]
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


def _destinations(block: Block) -> list[str]:
    """Jump targets of a block's logic, then its fallback."""
    targets = [
        action.target
        for rule in block.logic
        for action in rule.actions
        if isinstance(action, JumpAction) and action.objective == "jumpToBlock"
    ]
    return targets + ([block.logic_fallback] if block.logic_fallback else [])
