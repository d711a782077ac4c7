"""End to end in Debian's Chromium through Playwright, against a real uvicorn on 127.0.0.1."""

import os
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager

import pytest
import uvicorn
from httpx import AsyncClient
from playwright.async_api import Browser, Page, async_playwright, expect

from surveylink.app import create_app
from surveylink.core.config import Settings
from tests.factories import ApiEnv
from tests.respondent.helpers import EVERY_TYPE, SEED, personal_link, stored_responses
from tests.respondent.surveys import Nps

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason=f"{CHROMIUM} is missing (apt-get install chromium); CI runs these",
    ),
]

QUESTIONS = [
    item
    for item in EVERY_TYPE
    if item["id"] in ("name", "color", "fruit", "nps", "grid", "terms", "who")
]
Step = Callable[[Page], Awaitable[None]]


async def _name(page: Page) -> None:
    await page.get_by_label("Your name?").fill("Ada Lovelace")


async def _color(page: Page) -> None:
    await page.get_by_role("radio", name="Blue").check()


async def _fruit(page: Page) -> None:
    await page.get_by_role("checkbox", name="Pear").check()
    await page.get_by_role("checkbox", name="Other").check()
    await page.get_by_label("Please specify").fill("Kiwi")


async def _nps(page: Page) -> None:
    await page.get_by_role("radio", name="9", exact=True).check()


async def _grid(page: Page) -> None:
    await page.get_by_role("group", name="Speed").get_by_role("radio", name="Good").check()
    await page.get_by_role("group", name="Price").get_by_role("radio", name="Bad").check()


async def _terms(page: Page) -> None:
    await page.get_by_role("checkbox", name="I agree").check()


async def _who(page: Page) -> None:
    await page.get_by_label("FirstName").fill("Ada")
    await page.get_by_label("Email").fill("ada@example.com")


STEPS: list[tuple[str, Step]] = [
    ("Your name?", _name),
    ("Favourite colour?", _color),
    ("Fruit you like?", _fruit),
    ("Recommend us?", _nps),
    ("Terms", _terms),
    ("How is…", _grid),
    ("Contact?", _who),
]
EXPECTED = {
    "name": "Ada Lovelace",
    "color": "Blue",
    "fruit": ["Pear", "Kiwi"],
    "nps": 9,
    "grid": {"Speed": "Good", "Price": "Bad"},
    "terms": "accepted",
    "who": ["Ada", "", "ada@example.com", "", ""],
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    """The app under a real uvicorn on a free loopback port, sharing the test's database."""
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    while not runner.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        threading.Event().wait(0.05)
    yield f"http://127.0.0.1:{port}"
    runner.should_exit = True
    thread.join(timeout=10)


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def _answer(page: Page, steps: list[tuple[str, Step]]) -> None:
    for headline, fill in steps:
        await expect(page.locator(".headline", has_text=headline)).to_be_visible()
        await fill(page)
        button = "Finish" if headline == STEPS[-1][0] else "Next"
        await page.get_by_role("button", name=button).click()


async def _survey(env: ApiEnv, server: str) -> tuple[str, str, str]:
    survey = await env.create_survey(status="inProgress", questions=QUESTIONS)
    contact = await env.create_contact("ada@example.com", firstName="Ada")
    return (
        survey["id"],
        contact["id"],
        server + await personal_link(env, survey["id"], contact["id"]),
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
async def test_answer_a_survey_in_chromium_then_reopen(
    client: AsyncClient, env: ApiEnv, settings: Settings, server: str, javascript: bool
) -> None:
    survey_id, contact_id, url = await _survey(env, server)

    async with chromium() as browser:
        context = await browser.new_context(java_script_enabled=javascript)
        page = await context.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        await page.goto(url)
        await _answer(page, STEPS)
        await expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
        await page.goto(url)
        await expect(page.get_by_role("heading", name="Survey response submitted.")).to_be_visible()
        await context.close()

    assert all(request.startswith(server) for request in requests)
    [response] = await stored_responses(settings, survey_id)
    assert (response.finished, response.contact_id, response.data) == (True, contact_id, EXPECTED)
    assert response.contact_attributes == {"email": "ada@example.com", "firstName": "Ada"}
    seed = await client.get(SEED.format(survey_id, contact_id), headers=env.headers)
    assert seed.status_code == 400
    assert seed.json()["error"]["details"] == [{"field": "contactId", "issue": "Already responded"}]


async def test_abandon_half_way_then_resume_and_finish(
    env: ApiEnv, settings: Settings, server: str
) -> None:
    survey_id, _, url = await _survey(env, server)

    async with chromium() as browser:
        first = await browser.new_context()
        page = await first.new_page()
        await page.goto(url)
        await _answer(page, STEPS[:3])
        await expect(page.locator(".headline", has_text="Recommend us?")).to_be_visible()
        await first.close()  # the respondent walks away

        second = await browser.new_context(java_script_enabled=False)
        page = await second.new_page()
        await page.goto(url)
        await _answer(page, STEPS[3:])
        await expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
        await second.close()

    [response] = await stored_responses(settings, survey_id)
    assert (response.finished, response.data) == (True, EXPECTED)


async def test_an_invalid_answer_is_announced_and_focused(env: ApiEnv, server: str) -> None:
    _, _, url = await _survey(env, server)

    async with chromium() as browser:
        page = await browser.new_page()
        await page.goto(url)
        await page.get_by_role("button", name="Next").click()
        error = page.locator("#name-error")
        await expect(error).to_have_text("Please fill out this field")
        await expect(page.get_by_label("Your name?")).to_be_focused()


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
async def test_branching_nps_in_chromium_goes_back_along_the_path(
    env: ApiEnv, settings: Settings, server: str, javascript: bool
) -> None:
    created = await env.create_survey(status="inProgress", **Nps.survey())
    contact = await env.create_contact("ada@example.com")
    url = server + await personal_link(env, created["id"], contact["id"]) + "?name=Ada"

    async with chromium() as browser:
        context = await browser.new_context(java_script_enabled=javascript)
        page = await context.new_page()
        await page.goto(url)
        await page.get_by_role("radio", name="3", exact=True).check()
        await page.get_by_role("button", name="Next").click()
        await expect(
            page.locator(".headline", has_text="What disappointed you, Ada?")
        ).to_be_visible()
        await page.get_by_role("button", name="Back").click()
        await expect(page.get_by_role("radio", name="3", exact=True)).to_be_checked()
        await page.get_by_role("radio", name="10", exact=True).check()
        await page.get_by_role("button", name="Next").click()
        await page.get_by_label("What do you love?").fill("The speed")
        await page.get_by_role("button", name="Finish").click()
        await expect(page.get_by_role("heading", name="Thanks!")).to_be_visible()
        await context.close()

    [response] = await stored_responses(settings, created["id"])
    assert response.data == {"nps": 10, "promoter": "The speed", "name": "Ada"}
    assert (response.finished, response.ending_id, response.variables) == (True, None, {})
