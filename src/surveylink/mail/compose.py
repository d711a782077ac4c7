"""Invitation and reminder mails from their templates. Pure: no I/O, the clock passed in.

Templates are Jinja2 in a sandboxed environment, and only a small part of the language is let
in: placeholders (`{{ link }}`, `{{ attributes.firstName }}`), a few filters and `{% if %}`.
Loops, macros, assignments, includes and calls are refused when the campaign is created, so that
rendering one mail costs about the size of its template, whoever wrote it. The HTML part is
autoescaped (an attribute never becomes markup); the subject and the text part are not.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from jinja2 import ChainableUndefined, TemplateError, nodes
from jinja2.sandbox import SandboxedEnvironment

PLACEHOLDERS = ("link", "expiresAt", "attributes", "contact", "survey")
FILTERS = frozenset(
    {
        "default",
        "d",
        "lower",
        "upper",
        "title",
        "capitalize",
        "trim",
        "truncate",
        "striptags",
        "urlencode",
        "e",
        "escape",
    }
)
TESTS = frozenset({"defined", "undefined", "none"})
_ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Const,
    nodes.If,
    nodes.Filter,
    nodes.Test,
    nodes.CondExpr,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Concat,
)
_SPACE = re.compile(r"\s+")


class TemplateProblem(ValueError):
    """A template that cannot be used; the message says why, for the API's 422."""


def _environment(autoescape: bool) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        autoescape=autoescape, undefined=ChainableUndefined, keep_trailing_newline=True
    )


_HTML = _environment(autoescape=True)
_TEXT = _environment(autoescape=False)


def check(source: str) -> None:
    """Raises TemplateProblem when `source` does not parse or uses more than placeholders,
    the listed filters and `{% if %}`."""
    try:
        tree = _TEXT.parse(source)
    except TemplateError as error:
        raise TemplateProblem(f"Template syntax error: {error.message}") from None
    for node in _walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise TemplateProblem(
                f"Template uses {type(node).__name__}: only placeholders, filters and "
                "{% if %} are allowed"
            )
        if isinstance(node, nodes.Name) and node.name not in PLACEHOLDERS:
            raise TemplateProblem(
                f"Unknown placeholder '{node.name}': use one of {', '.join(PLACEHOLDERS)}"
            )
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            raise TemplateProblem(f"Attribute '{node.attr}' is not allowed")
        if isinstance(node, nodes.Filter) and node.name not in FILTERS:
            raise TemplateProblem(f"Filter '{node.name}' is not allowed")
        if isinstance(node, nodes.Test) and node.name not in TESTS:
            raise TemplateProblem(f"Test '{node.name}' is not allowed")


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str | None
    html: str | None


class Templates:
    """A campaign's three templates, compiled once for all of its mails."""

    def __init__(self, subject: str, text: str | None, html: str | None) -> None:
        self._subject = _TEXT.from_string(subject)
        self._text = _TEXT.from_string(text) if text is not None else None
        self._html = _HTML.from_string(html) if html is not None else None

    def render(self, context: Mapping[str, Any]) -> Composed:
        """Raises TemplateProblem when the sandbox refuses something at render time."""
        try:
            subject = _SPACE.sub(" ", self._subject.render(context)).strip()
            text = self._text.render(context) if self._text is not None else None
            html = self._html.render(context) if self._html is not None else None
        except TemplateError as error:
            raise TemplateProblem(f"Template failed: {error.message}") from None
        return Composed(subject=subject, text=text, html=html)


def context(
    link: str,
    expires_at: str | None,
    attributes: Mapping[str, str],
    contact_id: str,
    survey_id: str,
    survey_name: str,
) -> dict[str, Any]:
    """What the placeholders name."""
    return {
        "link": link,
        "expiresAt": expires_at or "",
        "attributes": dict(attributes),
        "contact": {"id": contact_id},
        "survey": {"id": survey_id, "name": survey_name},
    }


def valid_address(value: str | None) -> str | None:
    """`value` as one bare address (`ada@example.com`), or None when it is not one."""
    candidate = (value or "").strip()
    if not candidate or any(char.isspace() or ord(char) < 32 for char in candidate):
        return None
    try:
        address = Address(addr_spec=candidate)
    except (ValueError, IndexError):
        return None
    if not address.username or "." not in address.domain or address.addr_spec != candidate:
        return None
    return candidate


def message(
    composed: Composed,
    *,
    sender: str,
    sender_name: str,
    recipient: str,
    message_id: str,
    date: datetime,
) -> EmailMessage:
    """The MIME message: text and HTML as alternatives when both are given."""
    mail = EmailMessage()
    mail["From"] = formataddr((sender_name, sender)) if sender_name else sender
    mail["To"] = recipient
    mail["Subject"] = composed.subject
    mail["Date"] = format_datetime(date)
    mail["Message-ID"] = message_id
    if composed.text is not None:
        mail.set_content(composed.text)
        if composed.html is not None:
            mail.add_alternative(composed.html, subtype="html")
    else:
        mail.set_content(composed.html or "", subtype="html")
    return mail
