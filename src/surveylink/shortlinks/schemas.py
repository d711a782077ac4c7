from typing import Annotated, Any

from pydantic import BeforeValidator

from surveylink.core.zod import fail

SHORT = (
    "`true`: answer with a short link `{PUBLIC_URL}/s/{code}` (12-character random code) that "
    "leads to the same personal link, expires with it and is refused wherever it is."
)


def true_or_false(value: Any) -> bool:
    """A query flag as upstream's zod enums take one: exactly `true` or `false`."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise fail('Invalid option: expected one of "true"|"false"')


ShortFlag = Annotated[bool, BeforeValidator(true_or_false)]
