"""Templates to HTML responses, with the headers every respondent page carries."""

from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

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

_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(template: str, status: int, context: dict[str, Any]) -> HTMLResponse:
    html = _templates.get_template(template).render(
        static=STATIC_PATH, script=template == "survey.html", **context
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)
