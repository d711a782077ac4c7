"""Writes PNGs of every respondent page state, desktop and 360 px wide, to docs/screenshots/.

Runs the real app under uvicorn on a free loopback port with a throwaway SQLite database and
drives Debian's Chromium (/usr/bin/chromium) through Playwright. `make screenshots`.
"""

import asyncio
import functools
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from playwright.async_api import async_playwright

from surveylink import migrate
from surveylink.app import create_app
from surveylink.auth import service as auth_service
from surveylink.core.config import Settings
from surveylink.core.db import make_engine, make_sessionmaker, transaction
from surveylink.environments import service as environments
from surveylink.links import tokens
from surveylink.surveys.models import Survey

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SIZES = {"desktop": (1280, 860), "mobile": (360, 740)}
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
KEY = "5f9a0c1e2d3b4a5968778695a4b3c2d1e0f11223344556677889900aabbccdde"


def i18n(text: str) -> dict[str, str]:
    return {"default": text}


def q(qid: str, kind: str, headline: str, **fields: Any) -> dict[str, Any]:
    return {"id": qid, "type": kind, "headline": i18n(headline), "required": True, **fields}


QUESTIONS = [
    q("name", "openText", "What should we call you?", inputType="text",
      subheader=i18n("Your first name is enough."), placeholder=i18n("Ada")),
    q("plan", "multipleChoiceSingle", "Which plan are you on?", choices=[
        {"id": "free", "label": i18n("Free")}, {"id": "team", "label": i18n("Team")},
        {"id": "other", "label": i18n("Other")}]),
    q("nps", "nps", "How likely are you to recommend us to a friend?",
      lowerLabel=i18n("Not at all likely"), upperLabel=i18n("Extremely likely")),
    q("stars", "rating", "How would you rate the onboarding?", scale="star", range=5),
    q("grid", "matrix", "How satisfied are you with…", rows=[
        {"id": "r1", "label": i18n("Speed")}, {"id": "r2", "label": i18n("Support")}], columns=[
        {"id": "c1", "label": i18n("Unhappy")}, {"id": "c2", "label": i18n("Neutral")},
        {"id": "c3", "label": i18n("Happy")}]),
    q("rank", "ranking", "Rank what matters most", choices=[
        {"id": "a", "label": i18n("Price")}, {"id": "b", "label": i18n("Speed")},
        {"id": "c", "label": i18n("Support")}]),
    q("terms", "consent", "Research panel", label=i18n("You may contact me about my answers")),
]  # fmt: skip
ANSWERS = [
    {"name": "Ada"}, {"plan": "team"}, {"nps": "9"}, {"stars": "4"},
    {"grid.r0": "2", "grid.r1": "1"}, {"rank.0": "2", "rank.1": "1", "rank.2": "3"},
    {"terms": "accepted"},
]  # fmt: skip
SHOTS = {0: "question-text", 1: "question-choice", 2: "question-nps", 3: "question-rating",
         4: "question-matrix", 5: "question-ranking"}  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def seed(settings: Settings) -> tuple[str, str]:
    engine = make_engine(settings.sqlalchemy_url)
    async with transaction(make_sessionmaker(engine), write=True) as session:
        workspace = await environments.create_workspace(session, "Acme", "Website")
        grants = [(workspace.production.id, "manage")]
        _, key = await auth_service.create_api_key(session, workspace.organization.id, grants)
    await engine.dispose()
    return workspace.production.id, key


async def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="surveylink-shots-"))
    url = f"sqlite+aiosqlite:///{data / 'shots.db'}"
    await asyncio.to_thread(migrate.upgrade, url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(
        _env_file=None,
        **{"DATABASE_URL": url, "ENCRYPTION_KEY": KEY, "PUBLIC_URL": base,
           "SURVEYLINK_DATA_DIR": str(data), "SURVEYLINK_RUN_WORKER": False},
    )  # fmt: skip
    server = uvicorn.Server(uvicorn.Config(create_app(settings), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:  # noqa: ASYNC110 - uvicorn's flag has no event to await
        await asyncio.sleep(0.05)
    environment_id, key = await seed(settings)
    async with httpx.AsyncClient(base_url=base, headers={"x-api-key": key}) as api:
        links = await make_links(api, environment_id, settings)
        OUT.mkdir(parents=True, exist_ok=True)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=ARGS
            )
            for size, (width, height) in SIZES.items():
                page = await browser.new_page(viewport={"width": width, "height": height})

                shoot = functools.partial(shot, page, size)
                await walk(page, links[size], shoot)
                await shoot("link-expired", links["expired"])
                await shoot("link-invalid", links["expired"][:-6] + "AAAAAA")
                await shoot("survey-paused", links["paused"])
                await shoot("survey-completed", links["completed"])
                await styled(page, links[f"styled-{size}"], shoot)
                await right_to_left(page, links[f"rtl-{size}"], shoot)
                await page.close()
            await browser.close()
    server.should_exit = True
    thread.join(timeout=10)


async def shot(page: Any, size: str, name: str, target: str | None = None) -> None:
    if target:
        await page.goto(target)
    await page.screenshot(path=str(OUT / f"{name}-{size}.png"), full_page=True)
    print(f"docs/screenshots/{name}-{size}.png")


async def walk(page: Any, link: str, shot: Any) -> None:
    await shot("welcome", link)
    await page.get_by_role("link", name="Let's start").click()
    for index, answer in enumerate(ANSWERS):
        if index in SHOTS:
            await shot(SHOTS[index])
        if index == 1:  # show a validation error once
            await page.get_by_role("button", name="Next").click()
            await page.locator(".error").first.wait_for()
            await shot("question-error")
        for name, value in answer.items():
            field = page.locator(f'[name="{name}"]')
            tag = await field.first.evaluate("node => node.tagName + ':' + (node.type || '')")
            if tag.startswith("SELECT"):
                await field.select_option(value)
            elif tag.endswith(("radio", "checkbox")):
                await page.locator(f'[name="{name}"][value="{value}"]').check()
            else:
                await field.fill(value)
        button = "Finish" if index == len(ANSWERS) - 1 else "Next"
        await page.get_by_role("button", name=button).click()
        if index < len(ANSWERS) - 1:
            await page.locator(f'progress[value="{index + 2}"]').wait_for()
    await page.get_by_role("heading", name="Thanks, Ada!").wait_for()
    await shot("ending")
    await shot("response-submitted", link)


async def styled(page: Any, link: str, shot: Any) -> None:
    await shot("styled-welcome", link)
    await page.get_by_role("link", name="Start").click()
    await page.locator('[name="plan"][value="team"]').check()
    await shot("styled-question")


async def right_to_left(page: Any, link: str, shot: Any) -> None:
    await page.goto(link)
    await page.get_by_role("button", name="التالي").click()  # "Next", nothing answered
    await page.locator(".error").first.wait_for()
    await shot("rtl-question")


STYLING = {
    "overwriteThemeStyling": True,
    "brandColor": {"light": "#7c3aed"},
    "questionColor": {"light": "#1e1b4b"},
    "inputColor": {"light": "#faf5ff"},
    "inputBorderColor": {"light": "#c4b5fd"},
    "cardBackgroundColor": {"light": "#ffffff"},
    "cardBorderColor": {"light": "#ddd6fe"},
    "roundness": 18,
    "cardArrangement": {"linkSurveys": "casual", "appSurveys": "simple"},
    "background": {"bgType": "color", "bg": "#ede9fe", "brightness": 100},
}
ARABIC = [
    {"id": "name", "type": "openText", "inputType": "text", "required": True,
     "headline": {"default": "What should we call you?", "ar": "ماذا نناديك؟"},
     "subheader": {"default": "Your first name is enough.", "ar": "يكفي اسمك الأول."}},
    {"id": "plan", "type": "multipleChoiceSingle", "required": True,
     "headline": {"default": "Which plan are you on?", "ar": "ما هي خطتك؟"},
     "choices": [{"id": "free", "label": {"default": "Free", "ar": "مجانية"}},
                 {"id": "team", "label": {"default": "Team", "ar": "فريق"}}]},
]  # fmt: skip


async def add_languages(settings: Settings, survey_id: str, *codes: str) -> None:
    """Survey languages as upstream's editor stores them (the v1 API cannot carry their
    dates); the first code is the default."""
    engine = make_engine(settings.sqlalchemy_url)
    async with transaction(make_sessionmaker(engine), write=True) as session:
        survey = await session.get(Survey, survey_id)
        assert survey is not None
        languages = [
            {"default": index == 0, "enabled": True,
             "language": {"id": f"lang{code}", "code": code, "alias": None, "projectId": "p"}}
            for index, code in enumerate(codes)
        ]  # fmt: skip
        survey.document = {**survey.document, "languages": languages}
    await engine.dispose()


async def make_links(
    api: httpx.AsyncClient, environment_id: str, settings: Settings
) -> dict[str, str]:
    async def survey(status: str, **fields: Any) -> str:
        body = {"environmentId": environment_id, "name": "Customer check-in", "status": status,
                "questions": QUESTIONS, **fields}  # fmt: skip
        created = await api.post("/api/v1/management/surveys", json=body)
        created.raise_for_status()
        return str(created.json()["data"]["id"])

    async def contact(email: str) -> str:
        body = {"environmentId": environment_id, "attributes": {"email": email}}
        created = await api.post("/api/v2/management/contacts", json=body)
        created.raise_for_status()
        return str(created.json()["data"]["id"])

    async def link(survey_id: str, contact_id: str) -> str:
        path = f"/api/v2/management/surveys/{survey_id}/contact-links/contacts/{contact_id}/"
        answer = await api.get(path)
        answer.raise_for_status()
        return str(answer.json()["data"]["surveyUrl"])

    main = await survey(
        "inProgress",
        welcomeCard={"enabled": True, "headline": i18n("Tell us how it is going"),
                     "html": i18n("Seven short questions, about two minutes."),
                     "buttonLabel": i18n("Let's start"), "timeToFinish": False},
        endings=[{"id": "k2w7dh0xcm6zrnzv8fkqbtyo", "type": "endScreen",
                  "headline": i18n("Thanks, Ada!"),
                  "subheader": i18n("Your answers went straight to the team.")}],
    )  # fmt: skip
    links = {size: await link(main, await contact(f"{size}@example.com")) for size in SIZES}
    stranger = await contact("expired@example.com")
    claims = tokens.LinkClaims(contact_id=stranger, survey_id=main)
    keys = tokens.LinkKeys.from_setting(KEY)
    expired = tokens.sign(claims, keys, now=int(time.time()) - 10 * 86400, expiration_days=1)
    links["expired"] = f"{links['desktop'].split('/c/')[0]}/c/{expired}"
    links["paused"] = await link(await survey("paused"), stranger)
    links["completed"] = await link(await survey("completed"), stranger)
    branded = await survey(
        "inProgress",
        questions=QUESTIONS[1:3],
        styling=STYLING,
        welcomeCard={"enabled": True, "headline": i18n("A quick check-in"),
                     "html": i18n("Two questions about your plan."),
                     "buttonLabel": i18n("Start"), "timeToFinish": True},
    )  # fmt: skip
    arabic = await survey("inProgress", questions=ARABIC)
    await add_languages(settings, arabic, "en", "ar")
    for size in SIZES:
        links[f"styled-{size}"] = await link(branded, await contact(f"styled-{size}@example.com"))
        rtl = await link(arabic, await contact(f"rtl-{size}@example.com"))
        links[f"rtl-{size}"] = rtl + ("&" if "?" in rtl else "?") + "lang=ar"
    return links


if __name__ == "__main__":
    asyncio.run(main())
