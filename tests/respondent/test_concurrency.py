"""Many simultaneous final submissions for one (survey, contact): one finished response."""

import asyncio

import pytest
from httpx import AsyncClient

from surveylink.core.config import Settings
from tests.factories import ApiEnv
from tests.respondent.helpers import EVERY_TYPE, VALID, post_step, stored_responses, survey_and_link

SUBMISSIONS = 12
ENDING = '<h1 id="ending-title">Thank you!</h1>'
SUBMITTED = "<h1>Survey response submitted.</h1>"


@pytest.mark.parametrize("steps", [1, 2], ids=["first-step-is-last", "after-a-saved-step"])
async def test_simultaneous_final_submissions_finish_one_response(
    client: AsyncClient, env: ApiEnv, settings: Settings, steps: int
) -> None:
    survey, _, link = await survey_and_link(env, questions=EVERY_TYPE[:steps])
    if steps == 2:
        await post_step(client, link, 0, VALID["name"][0])
    last = steps - 1
    answer = VALID[EVERY_TYPE[last]["id"]][0]
    form = {"step": str(last), "shown": "0", **answer}

    pages = await asyncio.gather(*(client.post(link, data=form) for _ in range(SUBMISSIONS)))

    assert [page.status_code for page in pages] == [200] * SUBMISSIONS
    assert sum(ENDING in page.text for page in pages) == 1
    assert sum(SUBMITTED in page.text for page in pages) == SUBMISSIONS - 1
    [response] = await stored_responses(settings, survey["id"])
    assert response.finished is True
