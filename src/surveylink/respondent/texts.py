"""Languages and words of the respondent page. Pure.

The page texts are upstream's en-US strings (apps/web/locales/en-US.json and
packages/surveys/locales/en-US.json); survey texts are i18n objects `{"default": …, code: …}`.
"""

from surveylink.surveys.checks import text_of
from surveylink.surveys.document import I18n, SurveyDocument

DEFAULT = "default"

# Upstream's en-US strings, by the state or control they belong to.
PAGES: dict[str, tuple[str, str]] = {
    "expired": ("Your link is expired.", "The link you used is no longer valid."),
    "invalid": ("Survey link invalid.", "This survey can only be taken by invitation."),
    "responded": (
        "Survey response submitted.",
        "A response linked to this survey and contact already exists",
    ),
    "not_found": ("Page not found", "Sorry, we couldn't find the page you're looking for."),
    "paused": ("Survey paused.", "This survey is temporarily paused."),
    "completed": ("Survey completed.", "This survey is closed."),
}
WORDS = {
    "back": "Back",
    "next": "Next",
    "finish": "Finish",
    "required": "Required",
    "select_option": "Select an option",
    "other": "Other",
    "please_specify": "Please specify",
    "powered_by": "Powered by",
}
ERRORS = {
    "required": "Please fill out this field",
    "email": "Please enter a valid email address",
    "url": "Please enter a valid URL",
    "phone": "Please enter a valid phone number",
    "format": "Please enter a valid format",
    "min_length": "Please enter at least {min} characters",
    "max_length": "Please enter no more than {max} characters",
    "all_rows": "Please answer all rows",
    "all_ranked": "Please rank all options",
    "unique_ranks": "Please give each option a different position",
}


def language_of(survey: SurveyDocument, requested: str | None) -> str:
    """Upstream's `?lang=` rule: an enabled, non-default survey language matched
    case-insensitively on its code or alias; anything else is "default"."""
    if not requested:
        return DEFAULT
    wanted = requested.lower()
    for entry in survey.languages:
        if wanted in {entry.language.code.lower(), (entry.language.alias or "").lower()}:
            if entry.default or not entry.enabled:
                return DEFAULT
            return entry.language.code
    return DEFAULT


def default_code(survey: SurveyDocument) -> str | None:
    """The code of the survey's default language, if it declares languages."""
    for entry in survey.languages:
        if entry.default:
            return entry.language.code or None
    return None


def stored_language(survey: SurveyDocument, language: str) -> str:
    """What a response records: upstream maps "default" to the default language's code."""
    return (default_code(survey) or DEFAULT) if language == DEFAULT else language


def html_lang(survey: SurveyDocument, language: str) -> str:
    return (
        stored_language(survey, language) if language != DEFAULT or default_code(survey) else "en"
    )


def text(value: I18n | str | None, language: str) -> str:
    """The visible text of an i18n value in `language`, else its default; tags removed."""
    if isinstance(value, str):
        return text_of(value)
    if not value:
        return ""
    chosen = value.get(language) if language != DEFAULT else None
    if not (isinstance(chosen, str) and text_of(chosen)):
        chosen = value.get(DEFAULT)
    return text_of(chosen) if isinstance(chosen, str) else ""
