"""What the respondent sees besides the questions: the survey's stylesheet, the page's words in
the survey's language, right-to-left layout, and the welcome card's line."""

import re
from typing import Any

from httpx import AsyncClient

from surveylink.core.config import Settings
from tests.factories import ApiEnv
from tests.respondent.helpers import (
    personal_link,
    post_step,
    question,
    set_document,
    survey_and_link,
)
from tests.respondent.test_steps import _language

STYLESHEET = re.compile(
    r'<link rel="stylesheet" href="(/c/_style/[a-z0-9]+\.css\?v=[0-9a-f]{16})">'
)
BRANDED = {
    "overwriteThemeStyling": True,
    "brandColor": {"light": "#1d4ed8"},
    "questionColor": {"light": "#111827"},
    "cardBackgroundColor": {"light": "#fef3c7"},
    "roundness": 16,
    "cardArrangement": {"linkSurveys": "casual", "appSurveys": "simple"},
    "background": {"bgType": "color", "bg": "#0f172a", "brightness": 80},
}


async def test_styled_survey_links_its_own_stylesheet(client: AsyncClient, env: ApiEnv) -> None:
    _, _, link = await survey_and_link(env, styling=BRANDED)

    page = await client.get(link)
    href = STYLESHEET.search(page.text)
    assert href is not None
    sheet = await client.get(href.group(1))

    assert page.status_code == 200
    assert '<main class="card arrangement-casual" id="main">' in page.text
    assert "style=" not in page.text  # the CSP forbids inline styles; none are needed
    assert sheet.status_code == 200
    assert sheet.headers["content-type"] == "text/css; charset=utf-8"
    assert sheet.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert sheet.text == (
        ":root {\n"
        "  --brand: #1d4ed8;\n"
        "  --brand-dark: #1942b8;\n"
        "  --focus: #1d4ed8;\n"
        "  --accent-bg: #d2dcf7;\n"
        "  --accent-bg-selected: #bbcaf3;\n"
        "  --progress-track: #d2dcf7;\n"
        "  --progress-indicator: #1d4ed8;\n"
        "  --button-bg: #1d4ed8;\n"
        "  --button-bg-hover: #1942b8;\n"
        "  --button-text: #ffffff;\n"
        "  --text: #111827;\n"
        "  --muted: #585d68;\n"
        "  --placeholder: #585d68;\n"
        "  --headline: #111827;\n"
        "  --description: #111827;\n"
        "  --card-bg: #fef3c7;\n"
        "  --radius: 16px;\n"
        "  --radius-input: 16px;\n"
        "  --radius-option: 16px;\n"
        "  --radius-button: 16px;\n"
        "}\n"
        "body::before { background: #0f172a; }\n"
        "body::before { filter: brightness(80%); }\n"
    )


async def test_hidden_progress_bar_is_not_shown(client: AsyncClient, env: ApiEnv) -> None:
    _, _, link = await survey_and_link(env, styling={**BRANDED, "hideProgressBar": True})

    page = await client.get(link)

    assert page.status_code == 200
    assert "<progress" not in page.text


async def test_stylesheet_of_an_older_version_is_revalidated(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey, _, _ = await survey_and_link(env, styling=BRANDED)

    sheet = await client.get(f"/c/_style/{survey['id']}.css?v=0000000000000000")

    assert sheet.status_code == 200
    assert sheet.headers["cache-control"] == "no-cache"
    assert sheet.headers["etag"].startswith('"')


async def test_survey_without_own_theme_gets_the_projects(client: AsyncClient, env: ApiEnv) -> None:
    own_but_off = {**BRANDED, "overwriteThemeStyling": False}
    survey, _, _ = await survey_and_link(env, styling=own_but_off)

    sheet = await client.get(f"/c/_style/{survey['id']}.css")

    assert sheet.text == (
        ":root {\n  --radius: 8px;\n  --radius-input: 8px;\n  --radius-option: 8px;\n"
        "  --radius-button: 8px;\n}\n"
    )


async def test_styling_values_cannot_break_out_of_the_stylesheet(
    client: AsyncClient, env: ApiEnv
) -> None:
    hostile = {
        "overwriteThemeStyling": True,
        "roundness": "4px;} body { display: none",
        "buttonBorderRadius": "1px)}*{color:red",
        "background": {"bgType": "image", "bg": 'https://evil.example/x.png");}'},
    }
    survey, _, _ = await survey_and_link(env, styling=hostile)

    sheet = await client.get(f"/c/_style/{survey['id']}.css")

    assert sheet.status_code == 200
    assert "display" not in sheet.text
    assert "color:red" not in sheet.text
    assert "evil" not in sheet.text
    assert "--radius: 8px;" in sheet.text


async def test_stylesheet_of_a_draft_or_unknown_survey_is_not_found(
    client: AsyncClient, env: ApiEnv
) -> None:
    draft = await env.create_survey(status="draft")

    unknown = await client.get("/c/_style/nosuchsurvey.css")
    hidden = await client.get(f"/c/_style/{draft['id']}.css")

    assert unknown.status_code == 404
    assert hidden.status_code == 404


def _bilingual(code: str, headline: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"default": True, "enabled": True, "language": _language("en", None)},
        {"default": False, "enabled": True, "language": _language(code, None)},
    ]


async def test_page_words_follow_the_survey_language(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    headline = {"default": "Your name?", "de": "Dein Name?"}
    questions = [
        question("name", "openText", headline, inputType="text",
                 charLimit={"enabled": True, "min": 3, "max": 20}),
        question("city", "openText", "City?", inputType="text"),
    ]  # fmt: skip
    survey, _, link = await survey_and_link(env, questions=questions)
    await set_document(settings, survey["id"], languages=_bilingual("de", headline))

    page = await client.get(f"{link}?lang=de")
    refused = await post_step(client, f"{link}?lang=de", 0, {"name": "Al"})
    missing = await post_step(client, f"{link}?lang=de", 0, {"name": ""})

    assert ">Weiter</button>" in page.text
    assert "Pflichtfeld" in page.text
    assert "Bereitgestellt von surveylink" in page.text
    assert refused.status_code == 422
    assert "Bitte geben Sie mindestens 3 Zeichen ein" in refused.text
    assert "Bitte füllen Sie dieses Feld aus" in missing.text


async def test_default_language_words_follow_the_surveys_default_language(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    languages = [{"default": True, "enabled": True, "language": _language("fr", None)}]
    questions = [question("name", "openText", "Votre nom ?", inputType="text")]
    survey, _, link = await survey_and_link(env, questions=questions)
    await set_document(settings, survey["id"], languages=languages)

    page = await client.get(link)

    assert '<html lang="fr" dir="ltr">' in page.text
    assert ">Terminer</button>" in page.text
    assert "Obligatoire" in page.text


async def test_right_to_left_language_lays_the_page_out_right_to_left(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    headline = {"default": "Your name?", "ar": "ما اسمك؟"}
    questions = [
        question("name", "openText", headline, inputType="text"),
        question("city", "openText", "City?", inputType="text"),
    ]
    survey, _, link = await survey_and_link(env, questions=questions)
    await set_document(settings, survey["id"], languages=_bilingual("ar", headline))

    page = await client.get(f"{link}?lang=ar")

    assert '<html lang="ar" dir="rtl">' in page.text
    assert "ما اسمك؟" in page.text
    assert ">التالي</button>" in page.text


async def test_survey_written_in_hebrew_without_languages_is_right_to_left(
    client: AsyncClient, env: ApiEnv
) -> None:
    questions = [question("name", "openText", "מה שמך?", inputType="text")]
    _, _, link = await survey_and_link(env, questions=questions)

    page = await client.get(link)

    assert 'dir="rtl"' in page.text
    assert ">Finish</button>" in page.text  # no Hebrew catalogue: English words


async def test_state_page_speaks_the_browsers_language(client: AsyncClient) -> None:
    french = await client.get("/c/not-a-token", headers={"accept-language": "fr-CH, en;q=0.5"})
    arabic = await client.get("/c/not-a-token?lang=ar")
    english = await client.get("/c/not-a-token", headers={"accept-language": "tlh"})

    assert french.status_code == 404
    assert "<h1>Lien d&#39;enquête invalide.</h1>" in french.text
    assert '<html lang="ar" dir="rtl">' in arabic.text
    assert "<h1>رابط الاستبيان غير صالح.</h1>" in arabic.text
    assert "<h1>Survey link invalid.</h1>" in english.text


def _welcome(**card: Any) -> dict[str, Any]:
    return {"enabled": True, "headline": {"default": "Hello"}, **card}


async def test_welcome_card_shows_upstreams_time_to_finish(
    client: AsyncClient, env: ApiEnv
) -> None:
    five = [question(f"q{n}", "openText", f"Question {n}?", inputType="text") for n in range(5)]
    four = five[:4]
    _, _, short = await survey_and_link(env, questions=four, welcomeCard=_welcome())
    other = await env.create_contact("bo@example.com")
    longer = await env.create_survey(status="inProgress", questions=five, welcomeCard=_welcome())

    short_page = await client.get(short)
    longer_page = await client.get(await personal_link(env, longer["id"], other["id"]))

    # 15 s a question: 4 questions are one minute, 5 are "less than 2 minutes".
    assert "<span>Takes 1 minute</span>" in short_page.text
    assert "<span>Takes less than 2 minutes</span>" in longer_page.text


async def test_welcome_card_counts_responses_from_four_on(client: AsyncClient, env: ApiEnv) -> None:
    card = _welcome(timeToFinish=False, showResponseCount=True)
    survey, _, link = await survey_and_link(env, welcomeCard=card)
    before = await client.get(link)
    for _ in range(4):
        await env.create_response(survey["id"])

    after = await client.get(link)

    assert "people responded" not in before.text
    assert "<span>4 people responded</span>" in after.text


async def test_welcome_card_shows_time_and_count_together(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    card = _welcome(timeToFinish=True, showResponseCount=True)
    languages = [{"default": True, "enabled": True, "language": _language("de", None)}]
    survey, _, link = await survey_and_link(env, welcomeCard=card)
    await set_document(settings, survey["id"], languages=languages)
    for _ in range(5):
        await env.create_response(survey["id"])

    page = await client.get(link)

    assert "<span>Dauert weniger als 1 Minute ⋅ 5 Personen haben geantwortet</span>" in page.text
