"""What the templates show of a survey: plain dicts of escaped-at-render text. Pure.

Every survey text passes through `Shown.say`: the survey language's text, tags removed, with
recall filled in from the answers and variables so far."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import JsonValue

from surveylink.respondent.answers import ANSWERABLE, scale_of, shown_fields
from surveylink.respondent.logic import Data, Variables
from surveylink.respondent.recall import recall
from surveylink.respondent.shuffle import choice_order, row_order
from surveylink.respondent.texts import WORDS, text
from surveylink.surveys.document import (
    Address,
    Consent,
    ContactInfo,
    Cta,
    Element,
    Ending,
    EndScreen,
    I18n,
    Matrix,
    MultipleChoice,
    Nps,
    OpenText,
    PictureSelection,
    Ranking,
    Rating,
)

View = dict[str, JsonValue]

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


@dataclass(frozen=True)
class Shown:
    """What a text on the page depends on besides the survey."""

    language: str
    base: str  # this server's origin, for same-origin images
    data: Data
    variables: Variables
    seed: str  # the respondent: a stable shuffle per response

    def say(self, value: I18n | str | None) -> str:
        return recall(text(value, self.language), self.data, self.variables, self.language)


def same_origin_image(url: str | None, base: str) -> str | None:
    """Images are shown only from this server: the page makes no third-party requests."""
    if not url:
        return None
    if url.startswith("/") and not url.startswith("//"):
        return url
    base_parts, parts = urlsplit(base), urlsplit(url)
    same = (parts.scheme, parts.netloc) == (base_parts.scheme, base_parts.netloc)
    return url if same else None


def element_view(element: Element, shown: Shown, *, required: bool) -> View:
    kind = element.type
    view: View = {
        "id": element.id,
        "type": kind if kind in ANSWERABLE else "unsupported",
        "headline": shown.say(element.headline),
        "subheader": shown.say(element.subheader),
        "required": required,
        "placeholder": shown.say(getattr(element, "placeholder", None)),
    }
    if isinstance(element, OpenText):
        view["input_type"] = _INPUT_TYPES.get(element.input_type, "text")
        view["long"] = bool(element.long_answer) and element.input_type == "text"
        limit = element.char_limit
        view["maxlength"] = int(limit.max) if limit.enabled and limit.max is not None else None
    elif isinstance(element, MultipleChoice | Ranking):
        seed = f"{shown.seed}:{element.id}"
        view["choices"] = [
            {"id": choice.id, "label": shown.say(choice.label), "index": index}
            for index in choice_order(element.choices, element.shuffle_option, seed)
            for choice in (element.choices[index],)
        ]
        placeholder = shown.say(element.other_option_placeholder)
        view["other_placeholder"] = placeholder or WORDS["please_specify"]
        view["dropdown"] = (
            isinstance(element, MultipleChoice)
            and element.display_type == "dropdown"
            and kind.endswith("Single")
        )
    elif isinstance(element, Nps | Rating):
        points = list(scale_of(element))
        view["points"] = list(points)
        view["scale"] = element.scale if isinstance(element, Rating) else "number"
        view["lower"] = shown.say(element.lower_label)
        view["upper"] = shown.say(element.upper_label)
        view["symbols"] = list(_symbols(str(view["scale"]), points))
    elif isinstance(element, Cta):
        view["button_label"] = shown.say(element.cta_button_label) or WORDS["next"]
        view["url"] = element.button_url if element.button_external else None
    elif isinstance(element, Consent):
        view["label"] = shown.say(element.label)
        view["html"] = shown.say(element.html)
    elif isinstance(element, Matrix):
        order = row_order(len(element.rows), element.shuffle_option, f"{shown.seed}:{element.id}")
        view["rows"] = [
            {"index": index, "label": shown.say(element.rows[index].label)} for index in order
        ]
        view["columns"] = [shown.say(column.label) for column in element.columns]
    elif isinstance(element, Address | ContactInfo):
        view["fields"] = [
            {
                "name": name,
                "label": shown.say(toggle.placeholder) or _FIELD_LABELS[name],
                "required": toggle.required,
                "type": _FIELD_TYPES.get(name, "text"),
            }
            for name, toggle in shown_fields(element)
        ]
    elif isinstance(element, PictureSelection):
        view["multi"] = element.allow_multi
        view["pictures"] = [
            {
                "id": choice.id,
                "src": same_origin_image(choice.image_url, shown.base),
                "name": _file_name(choice.image_url) or f"{index + 1}",
                "number": index + 1,
            }
            for index, choice in enumerate(element.choices)
        ]
    return view


def _symbols(scale: str, points: list[int]) -> list[str]:
    if scale == "star":
        return ["★" for _ in points]
    if scale == "smiley":
        last = len(points) - 1 or 1
        return [_SMILEYS[round(index * 4 / last)] for index in range(len(points))]
    return [str(point) for point in points]


def _file_name(url: str | None) -> str:
    if not url:
        return ""
    return urlsplit(url).path.rsplit("/", 1)[-1][:60]


def ending_view(ending: Ending | None, shown: Shown) -> View:
    """The ending reached (recall filled in), or upstream's default thank-you card."""
    if ending is None:
        return {"headline": "Thank you!", "subheader": "We appreciate your feedback."}
    if not isinstance(ending, EndScreen):
        return {
            "headline": shown.say(ending.label) or "Thank you!",
            "subheader": "",
            "button_label": "Continue",
            "button_link": recall(ending.url or "", shown.data, shown.variables, shown.language),
        }
    link = ending.button_link
    return {
        "headline": shown.say(ending.headline),
        "subheader": shown.say(ending.subheader),
        "button_label": shown.say(ending.button_label),
        "button_link": recall(link, shown.data, shown.variables, shown.language) if link else None,
    }
