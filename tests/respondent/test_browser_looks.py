"""In Chromium: a styled survey keeps the strict CSP, Arabic is laid out right to left, and a
file question is answered with JavaScript on and off."""

import re

import pytest
from playwright.async_api import FilePayload, expect

from surveylink.core.config import Settings
from tests.factories import ApiEnv
from tests.respondent.helpers import personal_link, question, set_document, stored_responses
from tests.respondent.test_browser import (
    chromium,
    server,  # noqa: F401 - the uvicorn fixture
)
from tests.respondent.test_browser import pytestmark as browser_marks
from tests.respondent.test_steps import _language

pytestmark = browser_marks
STYLED = {
    "overwriteThemeStyling": True,
    "brandColor": {"light": "#be123c"},
    "roundness": 20,
    "cardArrangement": {"linkSurveys": "straight", "appSurveys": "simple"},
    "background": {"bgType": "color", "bg": "#fde68a"},
}


async def _link(env: ApiEnv, server_url: str, **survey: object) -> tuple[str, str]:
    created = await env.create_survey(status="inProgress", **survey)
    contact = await env.create_contact("ada@example.com")
    return created["id"], server_url + await personal_link(env, created["id"], contact["id"])


async def test_styled_survey_is_styled_without_breaking_the_csp(
    env: ApiEnv,
    server: str,  # noqa: F811
) -> None:
    _, url = await _link(env, server, styling=STYLED)

    async with chromium() as browser:
        page = await browser.new_page()
        refused: list[str] = []
        page.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        await page.goto(url)
        button = page.get_by_role("button", name="Finish")
        background = await button.evaluate("b => getComputedStyle(b).backgroundColor")
        radius = await button.evaluate("b => getComputedStyle(b).borderTopLeftRadius")
        body = await page.evaluate("getComputedStyle(document.body, '::before').backgroundColor")

    assert refused == []
    assert background == "rgb(190, 18, 60)"
    assert radius == "20px"
    assert body == "rgb(253, 230, 138)"


async def test_arabic_survey_reads_right_to_left(
    env: ApiEnv,
    settings: Settings,
    server: str,  # noqa: F811
) -> None:
    headline = {"default": "Your name?", "ar": "ما اسمك؟"}
    questions = [
        question("name", "openText", headline, inputType="text"),
        question("city", "openText", {"default": "City?", "ar": "مدينتك؟"}, inputType="text"),
    ]
    survey_id, url = await _link(env, server, questions=questions)
    languages = [
        {"default": True, "enabled": True, "language": _language("en", None)},
        {"default": False, "enabled": True, "language": _language("ar", None)},
    ]
    await set_document(settings, survey_id, languages=languages)

    async with chromium() as browser:
        page = await browser.new_page()
        await page.goto(url + "&lang=ar" if "?" in url else url + "?lang=ar")
        await page.get_by_label("ما اسمك؟").fill("آدا")
        await page.get_by_role("button", name="التالي").click()
        await expect(page.get_by_label("مدينتك؟")).to_be_visible()
        card = await page.locator("main").bounding_box()
        headline_box = await page.locator(".headline").bounding_box()
        back = await page.get_by_role("button", name="رجوع").bounding_box()
        direction = await page.evaluate("document.documentElement.dir")

    assert direction == "rtl"
    assert card is not None
    assert headline_box is not None
    assert back is not None
    middle = card["x"] + card["width"] / 2
    assert headline_box["x"] + headline_box["width"] > middle  # text starts on the right
    assert back["x"] > middle  # "Back" sits at the start of the line: the right


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
async def test_answer_a_file_question_in_chromium(
    env: ApiEnv,
    settings: Settings,
    server: str,  # noqa: F811
    javascript: bool,
) -> None:
    questions = [
        question("doc", "fileUpload", "Your CV?", allowMultipleFiles=False,
                 allowedFileExtensions=["pdf"]),
    ]  # fmt: skip
    survey_id, url = await _link(env, server, questions=questions)

    async with chromium() as browser:
        context = await browser.new_context(java_script_enabled=javascript)
        page = await context.new_page()
        await page.goto(url)
        await page.get_by_label("Click or drag to upload files").set_input_files(
            files=FilePayload(name="cv.pdf", mimeType="application/pdf", buffer=b"%PDF-1.4 cv")
        )
        await page.get_by_role("button", name="Finish").click()
        await expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
        await context.close()

    [response] = await stored_responses(settings, survey_id)
    [url_stored] = response.data["doc"]
    assert re.match(r"^/storage/[a-z0-9]+/private/cv--fid--[0-9a-f-]{36}\.pdf$", url_stored)
    served = await env.client.get(url_stored, headers=env.headers)
    assert served.content == b"%PDF-1.4 cv"
