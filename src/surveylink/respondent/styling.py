"""A survey's look as a stylesheet of its own: upstream's styling fields (packages/surveys
src/lib/styles.ts, apps/web link page) turned into CSS custom properties that survey.css reads.

Pure. The page keeps its strict Content-Security-Policy (`style-src 'self'`, nothing inline):
this text is served from `/c/_style/{surveyId}.css`. Every value is checked against a strict
pattern before it is written, so nothing a survey author types can end a declaration or rule.
"""

import hashlib
import re
from typing import Any

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
# A number with an optional CSS unit, as upstream's editors write sizes ("8", "8px", "0.5rem").
_LENGTH = re.compile(r"^(\d{1,4}(?:\.\d{1,3})?)(px|rem|em|%)?$")
# Same-origin image paths only (CSP img-src 'self'); no quotes, parentheses or backslashes.
_IMAGE_PATH = re.compile(r"^/[A-Za-z0-9/_.~%-]{1,500}$")
DEFAULT_ROUNDNESS = 8
ARRANGEMENTS = ("casual", "straight", "simple")


def effective_styling(
    project: dict[str, Any] | None, survey: dict[str, Any] | None
) -> dict[str, Any]:
    """Upstream's computeStyling: the project's theme, unless it allows overwriting and the
    survey overwrites it."""
    project = project or {}
    if not project.get("allowStyleOverwrite"):
        return project
    return survey if survey and survey.get("overwriteThemeStyling") else project


def color(value: Any) -> str | None:
    """`{"light": "#rrggbb"}` → the colour, or None when absent or not a hex colour."""
    light = value.get("light") if isinstance(value, dict) else None
    return light if isinstance(light, str) and _HEX.match(light) else None


def length(value: Any) -> str | None:
    """Upstream's formatDimension: a bare number is pixels; anything that is no length is
    dropped."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        value = f"{value:g}"
    match = _LENGTH.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    return match.group(1) + (match.group(2) or "px")


def _rgb(hex_color: str) -> tuple[int, int, int]:
    digits = hex_color[1:]
    if len(digits) in (3, 4):
        digits = "".join(char * 2 for char in digits[:3])
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def is_light(hex_color: str) -> bool:
    """Upstream's isLight: perceived brightness above the middle."""
    red, green, blue = _rgb(hex_color)
    return red * 0.299 + green * 0.587 + blue * 0.114 > 128


def mix(hex_color: str, other: str, weight: float) -> str:
    """Upstream's mixColor: `weight` of `other` blended into `hex_color`."""
    mixed = [
        round(a * (1 - weight) + b * weight)
        for a, b in zip(_rgb(hex_color), _rgb(other), strict=True)
    ]
    return "#" + "".join(f"{channel:02x}" for channel in mixed)


def arrangement(styling: dict[str, Any]) -> str:
    """The link-survey card arrangement: casual, straight or simple (upstream's default)."""
    chosen = (styling.get("cardArrangement") or {}).get("linkSurveys")
    return chosen if chosen in ARRANGEMENTS else "simple"


def _variables(styling: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    brand = color(styling.get("brandColor"))
    if brand:
        found["brand"] = brand
        found["brand-dark"] = mix(brand, "#000000", 0.15)
        found["focus"] = brand
        found["accent-bg"] = mix(brand, "#ffffff", 0.8)
        found["accent-bg-selected"] = mix(brand, "#ffffff", 0.7)
        found["progress-track"] = mix(brand, "#ffffff", 0.8)
        found["progress-indicator"] = brand
    button_bg = color(styling.get("buttonBgColor")) or brand
    if button_bg:
        found["button-bg"] = button_bg
        found["button-bg-hover"] = mix(button_bg, "#000000", 0.15)
        found["button-text"] = color(styling.get("buttonTextColor")) or (
            "#0f172a" if is_light(button_bg) else "#ffffff"
        )
    question = color(styling.get("questionColor"))
    if question:
        found["text"] = question
        found["muted"] = mix(question, "#000000" if is_light(question) else "#ffffff", 0.3)
        found["placeholder"] = mix(question, "#ffffff", 0.3)
    for name, key in (
        ("headline", "elementHeadlineColor"),
        ("description", "elementDescriptionColor"),
    ):
        chosen = color(styling.get(key)) or question
        if chosen:
            found[name] = chosen
    input_bg = color(styling.get("inputBgColor")) or color(styling.get("inputColor"))
    if input_bg:
        found["input-bg"] = input_bg
    option_bg = color(styling.get("optionBgColor")) or color(styling.get("inputColor"))
    if option_bg:
        found["option-bg"] = option_bg
    border = color(styling.get("inputBorderColor"))
    if border:
        found["border"] = border
    option_border = color(styling.get("optionBorderColor"))
    if option_border:
        found["option-border"] = option_border
    for name, key in (("card-bg", "cardBackgroundColor"), ("card-border", "cardBorderColor")):
        chosen = color(styling.get(key))
        if chosen:
            found[name] = chosen
    for name, key in (
        ("progress-track", "progressTrackBgColor"),
        ("progress-indicator", "progressIndicatorBgColor"),
    ):
        chosen = color(styling.get(key))
        if chosen:
            found[name] = chosen
    found.update(_radii(styling))
    return found


def _radii(styling: dict[str, Any]) -> dict[str, str]:
    roundness = styling.get("roundness")
    base = length(roundness if roundness is not None else DEFAULT_ROUNDNESS) or "8px"
    radii = {"radius": base, "radius-input": base, "radius-option": base, "radius-button": base}
    for name, key in (
        ("radius-input", "inputBorderRadius"),
        ("radius-option", "optionBorderRadius"),
        ("radius-button", "buttonBorderRadius"),
    ):
        chosen = length(styling.get(key))
        if chosen:
            radii[name] = chosen
    return radii


def _background(styling: dict[str, Any], base_url: str) -> list[str]:
    background = styling.get("background") or {}
    kind, value = background.get("bgType"), background.get("bg")
    brightness = background.get("brightness")
    rules: list[str] = []
    if kind == "color" and isinstance(value, str) and _HEX.match(value):
        rules.append(f"body::before {{ background: {value}; }}")
    elif kind in ("image", "upload") and isinstance(value, str):
        path = _same_origin_path(value, base_url)
        if path is None:
            return []
        rules.append(
            f'body::before {{ background: #e2e8f0 url("{path}") center / cover no-repeat; }}'
        )
    else:
        return []  # "animation" plays a third-party video upstream: not loaded here
    if isinstance(brightness, int | float) and not isinstance(brightness, bool):
        percent = min(max(float(brightness), 0.0), 200.0)
        rules.append(f"body::before {{ filter: brightness({percent:g}%); }}")
    return rules


def _same_origin_path(url: str, base_url: str) -> str | None:
    if url.startswith(base_url + "/"):
        url = url[len(base_url) :]
    return url if _IMAGE_PATH.match(url) and not url.startswith("//") else None


def stylesheet(styling: dict[str, Any], base_url: str) -> str:
    """The survey's stylesheet: custom properties on :root and the page background (the card
    arrangement is a class on the card, see `arrangement`)."""
    declarations = "".join(f"  --{name}: {value};\n" for name, value in _variables(styling).items())
    parts = [f":root {{\n{declarations}}}"]
    parts.extend(_background(styling, base_url))
    return "\n".join(parts) + "\n"


def version(css: str) -> str:
    """A short digest of the stylesheet: the page links `?v=` it, so a changed style is fetched."""
    return hashlib.sha256(css.encode()).hexdigest()[:16]
