"""Opening personal links the way a respondent does: through the seed endpoint's URL."""

import re
from typing import Any
from urllib.parse import urlsplit

from httpx import AsyncClient, Response

from tests.factories import ApiEnv

SEED = "/api/v2/management/surveys/{}/contact-links/contacts/{}/"
_SHOWN = re.compile(r'name="shown" value="(\d+)"')


async def personal_link(env: ApiEnv, survey_id: str, contact_id: str, **query: Any) -> str:
    """The path and query of the contact's link, as the seed endpoint hands it out."""
    response = await env.client.get(SEED.format(survey_id, contact_id), headers=env.headers)
    assert response.status_code == 200, response.text
    parts = urlsplit(response.json()["data"]["surveyUrl"])
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def survey_and_link(env: ApiEnv, **survey: Any) -> tuple[dict[str, Any], str, str]:
    """A survey in progress, a contact, and the contact's link."""
    created = await env.create_survey(**{"status": "inProgress", **survey})
    contact = await env.create_contact("ada@example.com", firstName="Ada")
    link = await personal_link(env, created["id"], contact["id"])
    return created, contact["id"], link


async def post_step(client: AsyncClient, link: str, step: int, answers: dict[str, Any]) -> Response:
    """Posts one step's form as the browser does, with the step index the page rendered."""
    page = await client.get(link if "step=" in link else _with(link, f"step={step}"))
    shown = _SHOWN.search(page.text)
    form: dict[str, Any] = {"step": str(step), "shown": shown.group(1) if shown else "0"}
    return await client.post(link, data={**form, **answers})


def _with(link: str, extra: str) -> str:
    return link + ("&" if "?" in link else "?") + extra


def question(question_id: str, kind: str, headline: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": question_id,
        "type": kind,
        "headline": {"default": headline},
        "required": True,
        **fields,
    }


def i18n(value: str) -> dict[str, str]:
    return {"default": value}
