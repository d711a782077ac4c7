"""Server-side checks per element type: the step comes back with the message beside the field."""

from typing import Any

import pytest
from httpx import AsyncClient

from surveylink.core.config import Settings
from surveylink.core.ids import cuid2
from tests.factories import ApiEnv
from tests.respondent.helpers import (
    EVERY_TYPE,
    i18n,
    post_step,
    question,
    stored_responses,
    survey_and_link,
)

BY_ID = {item["id"]: item for item in EVERY_TYPE}
REQUIRED = "Please fill out this field"


def _text(input_type: str, **fields: Any) -> dict[str, Any]:
    return question("q", "openText", "Q", inputType=input_type, **fields)


CASES = [
    pytest.param(_text("text"), {"q": "  "}, "q", REQUIRED, id="openText-required"),
    pytest.param(
        _text("email"), {"q": "ada@"}, "q", "Please enter a valid email address", id="email"
    ),
    pytest.param(_text("url"), {"q": "example.com"}, "q", "Please enter a valid URL", id="url"),
    pytest.param(
        _text("phone"), {"q": "call me"}, "q", "Please enter a valid phone number", id="phone"
    ),
    pytest.param(_text("number"), {"q": "12abc"}, "q", "Please enter a valid format", id="number"),
    pytest.param(
        _text("text", charLimit={"enabled": True, "min": 3, "max": 5}),
        {"q": "ab"},
        "q",
        "Please enter at least 3 characters",
        id="charLimit-min",
    ),
    pytest.param(
        _text("text", longAnswer=True, charLimit={"enabled": True, "min": 1, "max": 5}),
        {"q": "abcdef"},
        "q",
        "Please enter no more than 5 characters",
        id="charLimit-max",
    ),
    pytest.param(BY_ID["color"], {}, "color", REQUIRED, id="single-required"),
    pytest.param(
        BY_ID["color"], {"color": "green"}, "color", "Please enter a valid format", id="single-bad"
    ),
    pytest.param(BY_ID["fruit"], {"fruit": "other"}, "fruit.other", REQUIRED, id="multi-other"),
    pytest.param(BY_ID["nps"], {"nps": "11"}, "nps", "Please enter a valid format", id="nps"),
    pytest.param(BY_ID["stars"], {"stars": "0"}, "stars", "Please enter a valid format", id="rate"),
    pytest.param(BY_ID["terms"], {}, "terms", REQUIRED, id="consent"),
    pytest.param({**BY_ID["promo"], "required": True}, {}, "promo", REQUIRED, id="cta-required"),
    pytest.param(
        BY_ID["born"], {"born": "2024-02-30"}, "born", "Please enter a valid format", id="date"
    ),
    pytest.param(BY_ID["grid"], {"grid.r0": "0"}, "grid", "Please answer all rows", id="matrix"),
    pytest.param(BY_ID["rank"], {"rank.0": "1"}, "rank", "Please rank all options", id="ranking"),
    pytest.param(
        BY_ID["rank"],
        {"rank.0": "1", "rank.1": "1"},
        "rank",
        "Please give each option a different position",
        id="ranking-twice",
    ),
    pytest.param(BY_ID["home"], {"home.zip": "69001"}, "home.city", REQUIRED, id="address"),
    pytest.param(
        BY_ID["who"],
        {"who.email": "nope", "who.firstName": "Ada"},
        "who.email",
        "Please enter a valid email address",
        id="contactInfo",
    ),
    pytest.param(BY_ID["pick"], {"pick": "p9"}, "pick", "Please enter a valid format", id="pic"),
]


@pytest.mark.parametrize(("item", "form", "field", "message"), CASES)
async def test_invalid_answer_is_shown_beside_the_field(
    client: AsyncClient,
    env: ApiEnv,
    settings: Settings,
    item: dict[str, Any],
    form: dict[str, Any],
    field: str,
    message: str,
) -> None:
    survey, _, link = await survey_and_link(env, questions=[item])

    page = await post_step(client, link, 0, form)

    assert page.status_code == 422
    assert f'<p class="error" id="{field}-error">{message}</p>' in page.text
    assert 'aria-invalid="true"' in page.text
    assert " autofocus" in page.text
    assert await stored_responses(settings, survey["id"]) == []


async def test_other_answers_of_the_step_are_kept(client: AsyncClient, env: ApiEnv) -> None:
    elements = [
        question("name", "openText", "Name", inputType="text"),
        question("mail", "openText", "Email", inputType="email"),
        question("terms", "consent", "Terms", label=i18n("I agree")),
    ]
    blocks = [{"id": cuid2(), "name": "Block 1", "elements": elements}]
    _, _, link = await survey_and_link(env, questions=[], blocks=blocks)

    page = await post_step(client, link, 0, {"name": "Ada <3", "mail": "x", "terms": "accepted"})

    assert page.status_code == 422
    assert 'value="Ada &lt;3"' in page.text
    assert 'value="accepted" checked' in page.text
    assert 'value="x"' in page.text
    assert '<p class="error" id="mail-error">Please enter a valid email address</p>' in page.text


async def test_optional_questions_can_be_skipped(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    optional = [{**item, "required": False} for item in EVERY_TYPE if item["type"] != "cta"]
    survey, _, link = await survey_and_link(env, questions=optional)

    for step in range(len(optional)):
        moved = await post_step(client, link, step, {})
        assert moved.status_code in (200, 303), moved.text

    [response] = await stored_responses(settings, survey["id"])
    assert (response.finished, response.data) == (True, {})
