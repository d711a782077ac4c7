"""Templates to HTML responses, with the headers every respondent page carries."""

import functools
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from surveylink.respondent import i18n

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
STATIC_PATH = "/c/_static"
# Everything comes from this server; nothing inline, nothing third-party.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "private, no-store",
    # The token in the URL is the credential: no Referer may carry it elsewhere.
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Frame-Options": "SAMEORIGIN",
}


@functools.cache
def _templates(locale: str) -> Environment:
    """One environment per page language: `_()` in a template is that language's gettext
    (plain strings, so autoescape still applies to whatever they return)."""
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    texts = i18n.texts(locale)
    environment.install_gettext_callables(  # type: ignore[attr-defined]  # added by the extension
        texts.gettext, texts.ngettext, newstyle=False
    )
    return environment


def render(template: str, status: int, context: dict[str, Any]) -> HTMLResponse:
    locale = context.get("locale") or i18n.FALLBACK
    html = (
        _templates(locale)
        .get_template(template)
        .render(static=STATIC_PATH, script=template == "survey.html", **context)
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)
