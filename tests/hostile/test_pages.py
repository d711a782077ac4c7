"""The respondent page under hostile input: numbers in ASCII digits only, and an HTML answer on
every path under /c/, whatever went wrong."""

from typing import Any

import pytest
from httpx import AsyncClient

from surveylink.core.config import Settings
from tests.factories import ApiEnv
from tests.hostile.corpus import Seed
from tests.respondent.helpers import EVERY_TYPE, post_step, question, stored_responses
from tests.respondent.helpers import survey_and_link as open_survey

BY_ID = {item["id"]: item for item in EVERY_TYPE}
FORMAT = "Please enter a valid format"
NUMBER = question("q", "openText", "Q", inputType="number")

CASES = [
    pytest.param(BY_ID["nps"], {"nps": "\u2464"}, "nps", FORMAT, id="nps-circled-five"),
    pytest.param(BY_ID["nps"], {"nps": "\u00b2"}, "nps", FORMAT, id="nps-superscript-two"),
    pytest.param(BY_ID["nps"], {"nps": "5" * 5000}, "nps", FORMAT, id="nps-5000-digits"),
    pytest.param(BY_ID["stars"], {"stars": "\u0663"}, "stars", FORMAT, id="rating-arabic-three"),
    pytest.param(
        BY_ID["grid"], {"grid.r0": "\u00b9", "grid.r1": "0"}, "grid", FORMAT, id="matrix-sup"
    ),
    pytest.param(
        BY_ID["grid"], {"grid.r0": "9" * 5000, "grid.r1": "0"}, "grid", FORMAT, id="matrix-long"
    ),
    pytest.param(
        BY_ID["rank"],
        {"rank.0": "\u00b9", "rank.1": "\u00b2"},
        "rank",
        "Please rank all options",
        id="ranking-superscripts",
    ),
    pytest.param(
        BY_ID["born"], {"born": "\uff12\uff10\uff12\uff14-01-01"}, "born", FORMAT, id="date-wide"
    ),
    pytest.param(NUMBER, {"q": "\u0661\u0662"}, "q", FORMAT, id="number-arabic"),
    pytest.param(NUMBER, {"q": "1_000"}, "q", FORMAT, id="number-underscore"),
    pytest.param(NUMBER, {"q": "9" * 5000}, "q", FORMAT, id="number-5000-digits"),
]


@pytest.mark.parametrize(("item", "form", "field", "message"), CASES)
async def test_an_answer_in_other_digits_is_a_format_error(
    client: AsyncClient,
    env: ApiEnv,
    settings: Settings,
    item: dict[str, Any],
    form: dict[str, Any],
    field: str,
    message: str,
) -> None:
    survey, _, link = await open_survey(env, questions=[item])

    page = await post_step(client, link, 0, form)

    assert page.status_code == 422
    assert f'<p class="error" id="{field}-error">{message}</p>' in page.text
    assert await stored_responses(settings, survey["id"]) == []


async def test_ascii_number_answers_are_stored(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey, _, link = await open_survey(env, questions=[NUMBER])

    moved = await post_step(client, link, 0, {"q": "-1.5e3"})

    assert moved.status_code == 200
    [stored] = await stored_responses(settings, survey["id"])
    assert stored.data == {"q": "-1.5e3"}


@pytest.mark.parametrize("step", ["\u00b2", "\u2464", "9" * 5000, "-" + "9" * 5000])
async def test_a_step_in_other_digits_opens_the_current_step(
    client: AsyncClient, env: ApiEnv, step: str
) -> None:
    _, _, link = await open_survey(env, questions=EVERY_TYPE[:2])

    page = await client.get(link, params={"step": step})

    assert page.status_code == 200
    assert 'name="step" value="0"' in page.text


@pytest.mark.parametrize("prefill", ["\u00b2", "9" * 5000])
async def test_a_prefill_in_other_digits_is_ignored(
    client: AsyncClient, env: ApiEnv, prefill: str
) -> None:
    _, _, link = await open_survey(env, questions=[BY_ID["nps"]])

    page = await client.get(link, params={"nps": prefill})

    assert page.status_code == 200
    assert "checked" not in page.text


@pytest.mark.parametrize(
    ("method", "path", "status", "heading"),
    [
        ("GET", "/c", 404, "Page not found."),  # "/c/" is 308 to here, as upstream
        ("GET", "/c/a/b", 404, "Page not found."),
        ("GET", "/c/" + "t" * 5000, 404, "Page not found."),
        ("GET", "/c/_static/missing.css", 404, "Page not found."),
        ("PUT", "/c/anything", 405, "Page not found."),
        ("DELETE", "/c/anything", 405, "Page not found."),
        ("GET", "/c/anything?lang=a%00b", 400, "This request could not be read."),
    ],
)
async def test_every_path_under_c_answers_html(
    raw: AsyncClient, method: str, path: str, status: int, heading: str
) -> None:
    response = await raw.request(method, path)

    assert response.status_code == status
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert f"<h1>{heading}</h1>" in response.text


async def test_a_nul_in_an_answer_is_an_html_400(raw: AsyncClient, seed: Seed) -> None:
    response = await raw.post(seed.link, data={"step": "0", "shown": "1", "name": "a\x00b"})

    assert response.status_code == 400
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>This request could not be read.</h1>" in response.text
