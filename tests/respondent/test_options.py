"""Survey options that change the flow: startAt, skipPrefilled, shuffled choices, a hidden Back
button, the PIN gate and autoComplete."""

import re
from typing import Any

from httpx import AsyncClient

from surveylink.core.config import Settings
from surveylink.core.ids import cuid2
from tests.factories import ApiEnv
from tests.respondent.helpers import i18n, personal_link, post_step, question, stored_responses
from tests.respondent.surveys import Nps, block, text


async def _open(env: ApiEnv, email: str = "ada@example.com", **survey: Any) -> tuple[str, str]:
    created = await env.create_survey(**{"status": "inProgress", **survey})
    contact = await env.create_contact(email)
    return created["id"], await personal_link(env, created["id"], contact["id"])


def _three_blocks(**fields: Any) -> dict[str, Any]:
    return {
        "questions": [],
        "blocks": [
            block(cuid2(), text("first", "First?")),
            block(cuid2(), text("second", "Second?"), question("score", "nps", "Score?")),
            block(cuid2(), text("third", "Third?")),
        ],
        **fields,
    }


async def test_start_at_opens_the_block_of_that_element_with_back_to_the_one_before(
    client: AsyncClient, env: ApiEnv
) -> None:
    _, link = await _open(env, **_three_blocks())

    page = await client.get(f"{link}?startAt=third")
    back = await client.post(f"{link}?startAt=third", data={"step": "2", "action": "back"})

    assert "Third?" in page.text
    assert back.headers["location"] == f"{link}?startAt=third&step=1"


async def test_skip_prefilled_submits_fully_prefilled_blocks_and_stores_the_answers(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey_id, link = await _open(env, **_three_blocks())
    query = f"{link}?skipPrefilled=true&first=One&second=Two&score=8"

    page = await client.get(query)

    assert "Third?" in page.text
    [response] = await stored_responses(settings, survey_id)
    assert response.data == {"first": "One", "second": "Two", "score": 8}
    assert response.ttc == {"first": 0, "second": 0, "score": 0}
    assert response.finished is False


async def test_a_partly_prefilled_block_is_shown_with_its_prefill(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey_id, link = await _open(env, **_three_blocks())

    page = await client.get(f"{link}?skipPrefilled=true&first=One&score=8")
    second = await client.get(f"{link}?skipPrefilled=true&first=One&score=8&step=1")

    assert "Second?" in page.text
    assert 'value="8" checked' in second.text
    [response] = await stored_responses(settings, survey_id)
    assert response.data == {"first": "One"}


def _order(html: str, element: str) -> list[str]:
    return re.findall(rf'name="{element}" value="([a-z0-9]+)"', html)


async def test_shuffled_choices_keep_their_order_for_one_respondent(
    client: AsyncClient, env: ApiEnv
) -> None:
    choices = [{"id": f"c{n}", "label": i18n(f"Choice {n}")} for n in range(8)]
    choices += [{"id": "other", "label": i18n("Other")}]
    pick = question("pick", "multipleChoiceSingle", "Pick", choices=choices, shuffleOption="all")
    survey = {"questions": [], "blocks": [block(cuid2(), pick)]}
    created = await env.create_survey(status="inProgress", **survey)
    links = []
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        contact = await env.create_contact(email)
        links.append(await personal_link(env, created["id"], contact["id"]))

    orders = [_order((await client.get(link)).text, "pick") for link in links]
    again = _order((await client.get(links[0])).text, "pick")

    assert again == orders[0]
    assert all(order[-1] == "other" for order in orders)
    assert all(sorted(order) == [*(f"c{n}" for n in range(8)), "other"] for order in orders)
    assert len({tuple(order) for order in orders}) > 1


async def test_except_last_keeps_the_last_choice_last(client: AsyncClient, env: ApiEnv) -> None:
    choices = [{"id": f"c{n}", "label": i18n(f"Choice {n}")} for n in range(6)]
    pick = question(
        "pick", "multipleChoiceMulti", "Pick", choices=choices, shuffleOption="exceptLast"
    )
    _, link = await _open(env, questions=[], blocks=[block(cuid2(), pick)])

    order = _order((await client.get(link)).text, "pick")

    assert order[-1] == "c5"
    assert sorted(order) == [f"c{n}" for n in range(6)]


async def test_hidden_back_button_is_not_offered(client: AsyncClient, env: ApiEnv) -> None:
    _, link = await _open(env, **_three_blocks(isBackButtonHidden=True))
    await post_step(client, link, 0, {"first": "One"})

    page = await client.get(f"{link}?step=1")

    assert "Second?" in page.text
    assert 'value="back"' not in page.text


async def test_pin_gate_asks_for_the_pin_and_keeps_it_for_the_steps(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey_id, link = await _open(env, **_three_blocks(pin="1234"))

    gate = await client.get(link)
    wrong = await client.get(f"{link}?pin=0000")
    opened = await client.get(f"{link}?pin=1234")
    moved = await post_step(client, f"{link}?pin=1234", 0, {"first": "One"})

    assert "This survey is protected. Enter the PIN below." in gate.text
    assert 'name="pin"' in gate.text
    assert "That PIN is not correct." in wrong.text
    assert "First?" in opened.text
    assert moved.headers["location"] == f"{link}?pin=1234&step=1"
    [response] = await stored_responses(settings, survey_id)
    assert response.meta["url"] == "http://testserver/c/"  # the PIN is not stored


async def test_auto_complete_closes_the_survey_after_that_many_responses(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey_id, first = await _open(env, **Nps.survey(autoComplete=2))
    contact = await env.create_contact("bo@example.com")
    second = await personal_link(env, survey_id, contact["id"])
    contact = await env.create_contact("cy@example.com")
    third = await personal_link(env, survey_id, contact["id"])
    await post_step(client, first, 0, {"nps": "10"})
    await post_step(client, first, 3, {"promoter": ""})

    await post_step(client, second, 0, {"nps": "10"})
    still_open = await client.get(third)
    await post_step(client, second, 3, {"promoter": ""})
    closed = await client.get(third)
    survey = await env.client.get(f"/api/v1/management/surveys/{survey_id}", headers=env.headers)

    assert "How likely are you to recommend us?" in still_open.text
    assert "Survey completed." in closed.text
    assert survey.json()["data"]["status"] == "completed"
