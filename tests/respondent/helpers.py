"""Opening personal links the way a respondent does: through the seed endpoint's URL."""

import re
from typing import Any
from urllib.parse import urlsplit

from httpx import AsyncClient
from httpx import Response as HttpResponse
from sqlalchemy import func, select

from surveylink.core.config import Settings
from surveylink.core.db import make_engine, make_sessionmaker, transaction
from surveylink.responses.models import Display
from surveylink.responses.models import Response as ResponseRow
from surveylink.surveys.models import Survey
from tests.factories import ApiEnv

SEED = "/api/v2/management/surveys/{}/contact-links/contacts/{}/"
_SHOWN = re.compile(r'name="shown" value="(\d+)"')


async def personal_link(env: ApiEnv, survey_id: str, contact_id: str, **query: Any) -> str:
    """The path and query of the contact's link, as the seed endpoint hands it out."""
    response = await env.client.get(SEED.format(survey_id, contact_id), headers=env.headers)
    assert response.status_code == 200, response.text
    parts = urlsplit(str(response.json()["data"]["surveyUrl"]))
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def survey_and_link(env: ApiEnv, **survey: Any) -> tuple[dict[str, Any], str, str]:
    """A survey in progress, a contact, and the contact's link."""
    created = await env.create_survey(**{"status": "inProgress", **survey})
    contact = await env.create_contact("ada@example.com", firstName="Ada")
    link = await personal_link(env, created["id"], contact["id"])
    return created, contact["id"], link


async def post_step(
    client: AsyncClient, link: str, step: int, answers: dict[str, Any]
) -> HttpResponse:
    """Posts one step's form as the browser does, with the step index the page rendered."""
    page = await client.get(link if "step=" in link else _with(link, f"step={step}"))
    shown = _SHOWN.search(page.text)
    form: dict[str, Any] = {"step": str(step), "shown": shown.group(1) if shown else "0"}
    return await client.post(link, data={**form, **answers})


def _with(link: str, extra: str) -> str:
    return link + ("&" if "?" in link else "?") + extra


def question(
    question_id: str, kind: str, headline: str | dict[str, str], **fields: Any
) -> dict[str, Any]:
    return {
        "id": question_id,
        "type": kind,
        "headline": i18n(headline) if isinstance(headline, str) else headline,
        "required": True,
        **fields,
    }


def i18n(value: str) -> dict[str, str]:
    return {"default": value}


def _toggles(names: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        name: {"show": True, "required": name in required, "placeholder": i18n(label)}
        for name, label in ((name, name[:1].upper() + name[1:]) for name in names)
    }


ADDRESS = ("addressLine1", "addressLine2", "city", "state", "zip", "country")
CONTACT = ("firstName", "lastName", "email", "phone", "company")
ENDING_ID = "k2w7dh0xcm6zrnzv8fkqbtyo"

# One question of every type the page answers, as a v1 client sends them.
EVERY_TYPE: list[dict[str, Any]] = [
    question("name", "openText", "Your name?", inputType="text", charLimit={"enabled": False}),
    question(
        "color",
        "multipleChoiceSingle",
        "Favourite colour?",
        choices=[{"id": "red", "label": i18n("Red")}, {"id": "blue", "label": i18n("Blue")}],
    ),
    question(
        "fruit",
        "multipleChoiceMulti",
        "Fruit you like?",
        choices=[
            {"id": "apple", "label": i18n("Apple")},
            {"id": "pear", "label": i18n("Pear")},
            {"id": "other", "label": i18n("Other")},
        ],
    ),
    question("nps", "nps", "Recommend us?", lowerLabel=i18n("Not likely"), upperLabel=i18n("Very")),
    question("stars", "rating", "Rate us", scale="star", range=5),
    question("promo", "cta", "Read our news", buttonExternal=False, required=False),
    question("terms", "consent", "Terms", label=i18n("I agree")),
    question("born", "date", "Birthday?", format="y-M-d"),
    question(
        "grid",
        "matrix",
        "How is…",
        rows=[{"id": "r1", "label": i18n("Speed")}, {"id": "r2", "label": i18n("Price")}],
        columns=[{"id": "c1", "label": i18n("Good")}, {"id": "c2", "label": i18n("Bad")}],
    ),
    question(
        "rank",
        "ranking",
        "Rank these",
        choices=[{"id": "a", "label": i18n("Alpha")}, {"id": "b", "label": i18n("Beta")}],
    ),
    question("home", "address", "Address?", **_toggles(ADDRESS, ("city",))),
    question("who", "contactInfo", "Contact?", **_toggles(CONTACT, ("email",))),
    question(
        "pick",
        "pictureSelection",
        "Pick pictures",
        allowMulti=True,
        choices=[
            {"id": "p1", "imageUrl": "https://images.example.com/one.png"},
            {"id": "p2", "imageUrl": "/storage/env/public/two.png"},
        ],
    ),
]
ENDINGS = [
    {
        "id": ENDING_ID,
        "type": "endScreen",
        "headline": i18n("Thanks for your time!"),
        "subheader": i18n("We read every answer."),
    }
]
# A valid form per question, and the value upstream stores for it.
VALID: dict[str, tuple[dict[str, Any], Any]] = {
    "name": ({"name": "Ada"}, "Ada"),
    "color": ({"color": "blue"}, "Blue"),
    "fruit": ({"fruit": ["apple", "other"], "fruit.other": "Kiwi"}, ["Apple", "Kiwi"]),
    "nps": ({"nps": "9"}, 9),
    "stars": ({"stars": "4"}, 4),
    "promo": ({"promo": "clicked"}, "clicked"),
    "terms": ({"terms": "accepted"}, "accepted"),
    "born": ({"born": "1990-12-10"}, "1990-12-10"),
    "grid": ({"grid.r0": "0", "grid.r1": "1"}, {"Speed": "Good", "Price": "Bad"}),
    "rank": ({"rank.0": "2", "rank.1": "1"}, ["Beta", "Alpha"]),
    "home": (
        {"home.addressLine1": "1 Main St", "home.city": "Lyon", "home.country": "France"},
        ["1 Main St", "", "Lyon", "", "", "France"],
    ),
    "who": (
        {"who.firstName": "Ada", "who.email": "ada@example.com"},
        ["Ada", "", "ada@example.com", "", ""],
    ),
    "pick": ({"pick": ["p2", "p1"]}, ["p1", "p2"]),
}


async def stored_responses(settings: Settings, survey_id: str) -> list[ResponseRow]:
    """The survey's responses as stored (read-only check; the API has no read route yet)."""
    engine = make_engine(settings.sqlalchemy_url)
    async with transaction(make_sessionmaker(engine)) as session:
        rows = await session.scalars(select(ResponseRow).where(ResponseRow.survey_id == survey_id))
        found = list(rows.all())
    await engine.dispose()
    return found


async def displays_of(settings: Settings, survey_id: str) -> int:
    engine = make_engine(settings.sqlalchemy_url)
    async with transaction(make_sessionmaker(engine)) as session:
        count = await session.scalar(
            select(func.count()).select_from(Display).where(Display.survey_id == survey_id)
        )
    await engine.dispose()
    return int(count or 0)


async def set_document(settings: Settings, survey_id: str, **fields: Any) -> None:
    """Sets survey fields the v1 API cannot: upstream's schema wants JSON dates in `languages`
    (z.date), which no JSON body can carry; upstream's UI writes them through Prisma."""
    engine = make_engine(settings.sqlalchemy_url)
    async with transaction(make_sessionmaker(engine), write=True) as session:
        survey = await session.get(Survey, survey_id)
        assert survey is not None
        survey.document = {**survey.document, **fields}
    await engine.dispose()
