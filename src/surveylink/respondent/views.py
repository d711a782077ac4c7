"""What the templates show of a survey: plain dicts of escaped-at-render text. Pure."""

from typing import Any
from urllib.parse import urlsplit

from surveylink.respondent.answers import ANSWERABLE, scale_of, shown_fields
from surveylink.respondent.texts import WORDS, text

_FIELD_LABELS = {
    "addressLine1": "Address Line 1",
    "addressLine2": "Address Line 2",
    "city": "City",
    "state": "State",
    "zip": "Zip",
    "country": "Country",
    "firstName": "First Name",
    "lastName": "Last Name",
    "email": "Email",
    "phone": "Phone",
    "company": "Company",
}
_FIELD_TYPES = {"email": "email", "phone": "tel"}
_INPUT_TYPES = {"email": "email", "url": "url", "number": "number", "phone": "tel"}
_SMILEYS = ("😞", "🙁", "😐", "🙂", "😀")


def same_origin_image(url: Any, base: str) -> str | None:
    """Images are shown only from this server: the page makes no third-party requests."""
    if not isinstance(url, str) or not url:
        return None
    if url.startswith("/") and not url.startswith("//"):
        return url
    base_parts, parts = urlsplit(base), urlsplit(url)
    same = (parts.scheme, parts.netloc) == (base_parts.scheme, base_parts.netloc)
    return url if same else None


def element_view(element: dict[str, Any], language: str, base: str) -> dict[str, Any]:
    kind = str(element.get("type"))
    view: dict[str, Any] = {
        "id": element["id"],
        "type": kind if kind in ANSWERABLE else "unsupported",
        "headline": text(element.get("headline"), language),
        "subheader": text(element.get("subheader"), language),
        "required": bool(element.get("required")),
        "placeholder": text(element.get("placeholder"), language),
    }
    if kind == "openText":
        input_type = str(element.get("inputType") or "text")
        view["input_type"] = _INPUT_TYPES.get(input_type, "text")
        view["long"] = bool(element.get("longAnswer")) and input_type == "text"
        limit = element.get("charLimit") or {}
        view["maxlength"] = limit.get("max") if limit.get("enabled") else None
    elif kind in ("multipleChoiceSingle", "multipleChoiceMulti", "ranking"):
        view["choices"] = [
            {"id": str(choice.get("id")), "label": text(choice.get("label"), language)}
            for choice in element.get("choices") or []
            if isinstance(choice, dict)
        ]
        view["other_placeholder"] = (
            text(element.get("otherOptionPlaceholder"), language) or WORDS["please_specify"]
        )
        view["dropdown"] = element.get("displayType") == "dropdown" and kind.endswith("Single")
    elif kind in ("nps", "rating"):
        view["points"] = list(scale_of(element))
        view["scale"] = element.get("scale") or "number" if kind == "rating" else "number"
        view["lower"] = text(element.get("lowerLabel"), language)
        view["upper"] = text(element.get("upperLabel"), language)
        view["symbols"] = _symbols(view["scale"], view["points"])
    elif kind == "cta":
        label = text(element.get("ctaButtonLabel") or element.get("buttonLabel"), language)
        view["button_label"] = label or WORDS["next"]
        url = element.get("buttonUrl")
        view["url"] = url if element.get("buttonExternal") and isinstance(url, str) else None
    elif kind == "consent":
        view["label"] = text(element.get("label"), language)
        view["html"] = text(element.get("html"), language)
    elif kind == "matrix":
        view["rows"] = [text(row.get("label"), language) for row in element.get("rows") or []]
        view["columns"] = [text(c.get("label"), language) for c in element.get("columns") or []]
    elif kind in ("address", "contactInfo"):
        view["fields"] = [
            {
                "name": name,
                "label": text(config.get("placeholder"), language) or _FIELD_LABELS[name],
                "required": bool(config.get("required")),
                "type": _FIELD_TYPES.get(name, "text"),
            }
            for name, config in shown_fields(element)
        ]
    elif kind == "pictureSelection":
        view["multi"] = bool(element.get("allowMulti"))
        view["pictures"] = [
            {
                "id": str(choice.get("id")),
                "src": same_origin_image(choice.get("imageUrl"), base),
                "name": _file_name(choice.get("imageUrl")) or f"{index + 1}",
                "number": index + 1,
            }
            for index, choice in enumerate(element.get("choices") or [])
            if isinstance(choice, dict)
        ]
    return view


def _symbols(scale: str, points: list[int]) -> list[str]:
    if scale == "star":
        return ["★" for _ in points]
    if scale == "smiley":
        last = len(points) - 1 or 1
        return [_SMILEYS[round(index * 4 / last)] for index in range(len(points))]
    return [str(point) for point in points]


def _file_name(url: Any) -> str:
    if not isinstance(url, str):
        return ""
    return urlsplit(url).path.rsplit("/", 1)[-1][:60]


def ending_view(ending: dict[str, Any] | None, language: str) -> dict[str, Any]:
    """The survey's first ending, or upstream's default thank-you card when it has none."""
    if ending is None:
        return {"headline": "Thank you!", "subheader": "We appreciate your feedback."}
    if ending.get("type") == "redirectToUrl":
        return {
            "headline": text(ending.get("label"), language) or "Thank you!",
            "subheader": "",
            "button_label": "Continue",
            "button_link": ending.get("url"),
        }
    return {
        "headline": text(ending.get("headline"), language),
        "subheader": text(ending.get("subheader"), language),
        "button_label": text(ending.get("buttonLabel"), language),
        "button_link": ending.get("buttonLink"),
    }
