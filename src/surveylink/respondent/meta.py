"""Response `meta` in upstream's shape: `{source, url, userAgent: {browser, os, device}, country}`.

Pure. Upstream parses the user agent with ua-parser-js; this is a small equivalent for the
browsers and systems people answer surveys with.
"""

from collections.abc import Mapping
from urllib.parse import urlencode

# Checked in order: the first token found names the browser (Edge and Opera also say Chrome).
_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR", "Opera"),
    ("Firefox", "Firefox"),
    ("HeadlessChrome", "Chrome Headless"),
    ("Chrome", "Chrome"),
    ("Safari", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Mac OS X", "macOS"),
    ("CrOS", "Chrome OS"),
    ("Linux", "Linux"),
)
_COUNTRY_HEADERS = ("cf-ipcountry", "x-vercel-ip-country", "cloudfront-viewer-country")


def user_agent(header: str) -> dict[str, str]:
    """`{browser?, os?, device}`; `device` is "mobile", "tablet" or upstream's default "desktop"."""
    found: dict[str, str] = {}
    browser = next((name for token, name in _BROWSERS if token in header), None)
    system = next((name for token, name in _SYSTEMS if token in header), None)
    if browser:
        found["browser"] = browser
    if system:
        found["os"] = system
    if "iPad" in header or "Tablet" in header:
        found["device"] = "tablet"
    elif "Mobi" in header or "iPhone" in header:
        found["device"] = "mobile"
    else:
        found["device"] = "desktop"
    return found


def country(headers: Mapping[str, str]) -> str | None:
    """The proxy's country code; a value no proxy sends (long, or not printable ASCII) is
    dropped rather than stored."""
    found = next((headers[name] for name in _COUNTRY_HEADERS if headers.get(name)), None)
    if found is None or len(found) > 64 or not (found.isascii() and found.isprintable()):
        return None
    return found


def page_url(base: str, query: list[tuple[str, str]]) -> str:
    """The page's address without the token (upstream stores the token: it is a credential)."""
    kept = [(key, value) for key, value in query if key not in ("step", "preview", "pin")]
    return f"{base}/c/" + (f"?{urlencode(kept)}" if kept else "")


def response_meta(
    base: str, query: list[tuple[str, str]], headers: Mapping[str, str]
) -> dict[str, object]:
    meta: dict[str, object] = {}
    source = next((value for key, value in query if key == "source" and value), None)
    if source:
        meta["source"] = source
    meta["url"] = page_url(base, query)
    meta["userAgent"] = user_agent(headers.get("user-agent", ""))
    found = country(headers)
    if found:
        meta["country"] = found
    return meta
