"""Surveys with logic walked through the real page, one form post per card, and the stored
response compared with what upstream's renderer would store for the same answers."""

from typing import Any

from httpx import AsyncClient
from httpx import Response as HttpResponse

from surveylink.core.config import Settings
from tests.factories import ApiEnv
from tests.respondent.helpers import personal_link, post_step, stored_responses
from tests.respondent.surveys import Csat, Nps, Quiz


async def _open(env: ApiEnv, survey: dict[str, Any], query: str = "") -> tuple[str, str]:
    created = await env.create_survey(status="inProgress", **survey)
    contact = await env.create_contact("ada@example.com")
    link = await personal_link(env, created["id"], contact["id"])
    return created["id"], link + query


async def _walk(client: AsyncClient, link: str, *steps: tuple[int, dict[str, Any]]) -> HttpResponse:
    """Posts each (step, answers) in turn; every step but the last must move on (303)."""
    await client.get(link)
    for index, (step, answers) in enumerate(steps):
        moved = await post_step(client, link, step, answers)
        if index < len(steps) - 1:
            assert moved.status_code == 303, moved.text
    return moved


async def test_detractor_is_asked_why_and_reaches_their_ending(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey_id, link = await _open(env, Nps.survey(), "?name=Ada")

    first = await post_step(client, link, 0, {"nps": "3"})
    follow_up = await client.get(first.headers["location"])
    ending = await post_step(client, link, 2, {"detractor": "Too slow"})

    assert first.headers["location"].endswith("step=2")
    assert "What disappointed you, Ada?" in follow_up.text
    assert ending.status_code == 200
    assert "Sorry to hear that, Ada." in ending.text
    [response] = await stored_responses(settings, survey_id)
    assert response.data == {"nps": 3, "detractor": "Too slow", "name": "Ada"}
    assert response.finished is True
    assert response.ending_id == Nps.E_SORRY
    assert response.variables == {}


async def test_promoter_runs_past_the_last_block_without_an_ending_id(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey_id, link = await _open(env, Nps.survey())

    ending = await _walk(client, link, (0, {"nps": "10"}), (3, {"promoter": "Speed"}))

    assert "Thanks!" in ending.text  # the first ending is shown…
    [response] = await stored_responses(settings, survey_id)
    assert response.data == {"nps": 10, "promoter": "Speed"}
    assert response.finished is True
    assert response.ending_id is None  # …but not stored, as upstream


async def test_passive_who_skips_the_follow_up_reaches_the_quiet_ending(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey_id, link = await _open(env, Nps.survey())

    ending = await _walk(client, link, (0, {"nps": "7"}), (1, {"passive": ""}))

    assert "Thanks anyway." in ending.text
    [response] = await stored_responses(settings, survey_id)
    assert response.data == {"nps": 7}
    assert response.ending_id == Nps.E_QUIET


async def test_passive_who_answers_reaches_the_fallback_ending(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey_id, link = await _open(env, Nps.survey())

    await _walk(client, link, (0, {"nps": "8"}), (1, {"passive": "More features"}))

    [response] = await stored_responses(settings, survey_id)
    assert response.ending_id == Nps.E_THANKS
    assert response.data == {"nps": 8, "passive": "More features"}


async def test_back_returns_along_the_path_taken_and_a_new_answer_changes_the_branch(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey_id, link = await _open(env, Nps.survey())
    await post_step(client, link, 0, {"nps": "2"})

    back = await client.post(link, data={"step": "2", "action": "back"})
    reloaded = await client.get(f"{link}?step=1")
    again = await post_step(client, link, 0, {"nps": "9"})

    assert back.headers["location"] == f"{link}?step=0"  # not the passive block in between
    assert 'value="2" checked' in reloaded.text  # the reload stays on the card gone back to
    assert again.headers["location"] == f"{link}?step=3"
    [response] = await stored_responses(settings, survey_id)
    assert response.data == {"nps": 9}
    assert response.progress is not None
    assert response.progress["history"] == [Nps.B_SCORE]


async def test_welcome_card_click_is_stored_as_upstream_stores_it(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    welcome = {"enabled": True, "headline": {"default": "Hi"}, "timeToFinish": False}
    survey_id, link = await _open(env, Nps.survey(welcomeCard=welcome))

    started = await post_step(client, link, -1, {})
    first = await client.get(started.headers["location"])

    assert started.headers["location"] == f"{link}?step=0"
    assert "How likely are you to recommend us?" in first.text
    assert "Back" not in first.text  # upstream hides Back on the first block
    [response] = await stored_responses(settings, survey_id)
    assert response.data == {"welcomeCard": "clicked"}
    assert response.finished is False
    assert response.variables == {}


async def test_unhappy_rating_makes_the_follow_up_required(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey_id, link = await _open(env, Csat.survey())
    await post_step(client, link, 0, {"csat": "1"})

    refused = await post_step(client, link, 1, {"why": ""})
    done = await post_step(client, link, 1, {"why": "Support"})

    assert refused.status_code == 422
    assert "Please fill out this field" in refused.text
    assert done.status_code == 200
    [response] = await stored_responses(settings, survey_id)
    assert response.data == {"csat": 1, "why": "Support"}
    assert response.finished is True


async def test_happy_rating_leaves_the_follow_up_optional(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey_id, link = await _open(env, Csat.survey())

    done = await _walk(client, link, (0, {"csat": "5"}), (1, {"why": ""}))

    assert done.status_code == 200
    [response] = await stored_responses(settings, survey_id)
    assert response.data == {"csat": 5}


async def test_calculated_score_is_recalled_stored_and_picks_the_ending(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey_id, link = await _open(env, Quiz.survey())
    await post_step(client, link, 0, {"sum": "four"})
    await post_step(client, link, 1, {"primes": ["two", "three"]})

    result = await client.get(f"{link}?step=2")
    ending = await post_step(client, link, 2, {"name": "Ada <3"})

    assert "Score so far: 20. Name?" in result.text
    assert "Well done Ada &lt;3: A+" in ending.text  # recalled answers are escaped
    [response] = await stored_responses(settings, survey_id)
    assert response.data == {"sum": "4", "primes": ["2", "3"], "name": "Ada <3"}
    assert response.variables == {Quiz.SCORE: 20, Quiz.GRADE: "A+"}
    assert response.ending_id == Quiz.E_PASS


async def test_low_score_takes_the_fallback_ending(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey_id, link = await _open(env, Quiz.survey())

    ending = await _walk(
        client, link, (0, {"sum": "five"}), (1, {"primes": ["nine"]}), (2, {"name": "Bo"})
    )

    assert "Try again" in ending.text
    [response] = await stored_responses(settings, survey_id)
    assert response.variables == {Quiz.SCORE: 1, Quiz.GRADE: ""}
    assert response.ending_id == Quiz.E_FAIL


async def test_hidden_field_feeds_logic_and_is_stored(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey_id, link = await _open(env, Quiz.survey(), "?plan=pro")

    jumped = await post_step(client, link, 0, {"sum": "four"})
    back = await client.post(link, data={"step": "2", "action": "back"})

    assert jumped.headers["location"] == f"{link}&step=2"
    assert back.headers["location"] == f"{link}&step=0"
    [response] = await stored_responses(settings, survey_id)
    assert response.data == {"sum": "4", "plan": "pro"}
    assert response.variables == {Quiz.SCORE: 10, Quiz.GRADE: "A"}
