"""Answering a survey over HTTP, one form post per step, as a browser without JavaScript does."""

from unittest.mock import ANY

from httpx import AsyncClient

from surveylink.core.config import Settings
from surveylink.core.ids import cuid2
from tests.factories import ApiEnv
from tests.respondent.helpers import (
    ENDINGS,
    EVERY_TYPE,
    VALID,
    displays_of,
    post_step,
    question,
    set_document,
    stored_responses,
    survey_and_link,
)

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


async def test_every_type_answered_stores_one_finished_response(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey, contact_id, link = await survey_and_link(env, questions=EVERY_TYPE, endings=ENDINGS)
    client.headers["user-agent"] = CHROME
    client.headers["cf-ipcountry"] = "FR"
    await client.get(link)

    for step, item in enumerate(EVERY_TYPE[:-1]):
        moved = await post_step(client, link, step, VALID[item["id"]][0])
        assert moved.status_code == 303, (item["id"], moved.text)
        assert moved.headers["location"] == f"{link}?step={step + 1}"
    ending = await post_step(client, link, len(EVERY_TYPE) - 1, VALID["pick"][0])
    reopened = await client.get(link)

    assert ending.status_code == 200
    assert '<h1 id="ending-title">Thanks for your time!</h1>' in ending.text
    assert "We read every answer." in ending.text
    assert "Survey response submitted." in reopened.text
    [response] = await stored_responses(settings, survey["id"])
    assert response.finished is True
    assert response.contact_id == contact_id
    assert response.ending_id is None  # past the last block: shown, not stored (upstream)
    assert response.data == {key: value for key, (_, value) in VALID.items()}
    assert response.contact_attributes == {"email": "ada@example.com", "firstName": "Ada"}
    assert response.language == "default"
    assert response.meta == {
        "url": "http://testserver/c/",
        "userAgent": {"browser": "Chrome", "os": "Linux", "device": "desktop"},
        "country": "FR",
    }
    assert set(response.ttc) == {item["id"] for item in EVERY_TYPE} | {"_total"}
    assert response.display_id == ANY
    assert response.display_id is not None


async def test_first_step_creates_an_unfinished_response_and_reopening_resumes(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey, _, link = await survey_and_link(env, questions=EVERY_TYPE[:3])

    await post_step(client, link, 0, VALID["name"][0])
    reopened = await client.get(link)

    [response] = await stored_responses(settings, survey["id"])
    assert (response.finished, response.data) == (False, {"name": "Ada"})
    assert reopened.status_code == 200
    assert "Favourite colour?" in reopened.text
    assert '<progress class="progress" value="2" max="3"' in reopened.text


async def test_back_shows_the_previous_answer_and_does_not_skip_ahead(
    client: AsyncClient, env: ApiEnv
) -> None:
    _, _, link = await survey_and_link(env, questions=EVERY_TYPE[:3])
    await post_step(client, link, 0, VALID["name"][0])

    back = await client.post(link, data={"step": "1", "action": "back"})
    previous = await client.get(back.headers["location"])
    ahead = await client.get(f"{link}?step=2")

    assert back.status_code == 303
    assert back.headers["location"] == f"{link}?step=0"
    assert 'value="Ada"' in previous.text
    assert 'value="Ada"' in ahead.text  # the card gone back to: an address cannot skip ahead


async def test_an_answer_cleared_on_a_revisited_step_is_removed(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    optional = question("note", "openText", "Anything else?", required=False)
    closing = question("ok", "openText", "Last words?")
    survey, _, link = await survey_and_link(env, questions=[optional, closing])
    await post_step(client, link, 0, {"note": "first thoughts"})

    await client.post(link, data={"step": "1", "action": "back"})
    await post_step(client, link, 0, {"note": ""})

    [response] = await stored_responses(settings, survey["id"])
    assert response.data == {}
    assert response.finished is False


async def test_each_open_records_a_display_and_preview_records_nothing(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey, _, link = await survey_and_link(env, questions=EVERY_TYPE[:2])

    await client.get(link)
    await client.get(link)
    await client.get(f"{link}?preview=true")
    preview_post = await post_step(client, f"{link}?preview=true", 0, VALID["name"][0])

    assert await displays_of(settings, survey["id"]) == 2
    assert preview_post.status_code == 303
    assert await stored_responses(settings, survey["id"]) == []


async def test_welcome_card_comes_first(client: AsyncClient, env: ApiEnv) -> None:
    welcome = {"enabled": True, "headline": {"default": "Hello <there>"}, "timeToFinish": False}
    _, _, link = await survey_and_link(env, welcomeCard=welcome)

    page = await client.get(link)

    assert page.status_code == 200
    assert '<h1 id="welcome-title">Hello</h1>' in page.text
    assert '<input type="hidden" name="step" value="-1">' in page.text


def _language(code: str, alias: str | None) -> dict[str, object]:
    return {"id": cuid2(), "code": code, "alias": alias, "projectId": cuid2()}


async def test_lang_picks_a_language_and_falls_back_to_default(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    headline = {"default": "Your name?", "de": "Dein Name?"}
    languages = [
        {"default": True, "enabled": True, "language": _language("en", None)},
        {"default": False, "enabled": True, "language": _language("de", "german")},
    ]
    questions = [question("name", "openText", headline, inputType="text")]
    survey, _, link = await survey_and_link(env, questions=questions)
    await set_document(settings, survey["id"], languages=languages)

    german = await client.get(f"{link}?lang=GERMAN")
    unknown = await client.get(f"{link}?lang=fr")
    await post_step(client, f"{link}?lang=de", 0, {"name": "Ada"})

    assert "Dein Name?" in german.text
    assert '<html lang="de" dir="ltr">' in german.text
    assert "Your name?" in unknown.text
    assert '<html lang="en" dir="ltr">' in unknown.text
    [response] = await stored_responses(settings, survey["id"])
    assert response.language == "de"


async def test_hidden_fields_and_prefill_come_from_the_query(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey, _, link = await survey_and_link(
        env,
        questions=EVERY_TYPE[:2],
        hiddenFields={"enabled": True, "fieldIds": ["campaign"]},
    )
    query = f"{link}?campaign=spring&name=Grace&color=Blue&source=newsletter"

    page = await client.get(query)
    await post_step(client, query, 0, {"name": "Grace"})
    second = await client.get(f"{query}&step=1")
    await post_step(client, query, 1, {"color": "blue"})

    assert 'value="Grace"' in page.text
    assert 'value="blue" checked' in second.text
    [response] = await stored_responses(settings, survey["id"])
    assert response.data == {"name": "Grace", "color": "Blue", "campaign": "spring"}
    assert response.meta["source"] == "newsletter"
    assert response.meta["url"] == (
        "http://testserver/c/?campaign=spring&name=Grace&color=Blue&source=newsletter"
    )


async def test_survey_text_is_escaped(client: AsyncClient, env: ApiEnv) -> None:
    hostile = 'x"><script>alert(1)</script> & 1 < 2'
    questions = [question("q", "openText", hostile, inputType="text")]
    _, _, link = await survey_and_link(env, questions=questions)

    page = await client.get(f"{link}?q=%22%3E%3Cimg%20src%3Dx%3E")

    assert "<script>alert" not in page.text
    assert "<img src=x>" not in page.text
    assert 'value="&#34;&gt;&lt;img src=x&gt;"' in page.text


async def test_external_pictures_are_not_loaded(client: AsyncClient, env: ApiEnv) -> None:
    _, _, link = await survey_and_link(env, questions=[EVERY_TYPE[-1]])

    page = await client.get(link)

    assert "images.example.com" not in page.text
    assert '<img src="/storage/env/public/two.png" alt="two.png">' in page.text
    assert "1. one.png" in page.text
