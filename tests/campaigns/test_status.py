"""GET /management/surveys/{surveyId}/contact-links/status, driven through the real page."""

from typing import Any
from unittest.mock import ANY
from urllib.parse import urlsplit

import pytest
from httpx import AsyncClient

from tests.campaigns.conftest import (
    INVITATIONS,
    STATUS,
    deliver_all,
    leaf,
    live_survey,
    make_worker,
    template,
)
from tests.campaigns.mailbox import Mailbox
from tests.factories import ApiEnv
from tests.respondent.helpers import SEED, post_step, question

TWO_STEPS = [
    question("first", "openText", "First?", inputType="text", charLimit={"enabled": False}),
    question("second", "openText", "Second?", inputType="text", charLimit={"enabled": False}),
]


async def _status(client: AsyncClient, env: ApiEnv, survey_id: str, **params: Any) -> Any:
    response = await client.get(STATUS.format(survey_id), params=params, headers=env.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _states(client: AsyncClient, env: ApiEnv, survey_id: str) -> dict[str, str]:
    body = await _status(client, env, survey_id)
    return {row["email"]: row["state"] for row in body["data"]}


async def _emails(client: AsyncClient, env: ApiEnv, survey_id: str, state: str) -> list[str]:
    body = await _status(client, env, survey_id, state=state)
    return sorted(row["email"] for row in body["data"])


async def test_each_contact_moves_from_invited_to_finished_through_the_page(
    client: AsyncClient, env: ApiEnv, mailbox: Mailbox
) -> None:
    survey = await live_survey(env, questions=TWO_STEPS)
    ada = await env.create_contact("ada@example.com", firstName="Ada")
    bob = await env.create_contact("bob@example.com")
    await env.create_contact("cy@example.com")
    sid = survey["id"]
    seen: list[dict[str, str]] = [await _states(client, env, sid)]

    await client.post(
        INVITATIONS.format(sid), json={"contactIds": [ada["id"]], **template()}, headers=env.headers
    )
    seen.append(await _states(client, env, sid))
    await deliver_all(make_worker(client), client)
    seen.append(await _states(client, env, sid))
    seed = await client.get(SEED.format(sid, bob["id"]), headers=env.headers)
    [mail] = mailbox.received()
    link = urlsplit(mail.text.split(": ", 1)[1].strip()).path
    opened = await client.get(link)
    seen.append(await _states(client, env, sid))
    await post_step(client, link, 0, {"first": "one"})
    in_progress = await _emails(client, env, sid, "inProgress")
    seen.append(await _states(client, env, sid))
    await post_step(client, link, 1, {"second": "two"})
    seen.append(await _states(client, env, sid))
    final = await _status(client, env, sid)

    assert seed.status_code == 200
    assert opened.status_code == 200
    assert [states["ada@example.com"] for states in seen] == [
        "notInvited",
        "queued",
        "invited",
        "opened",
        "started",
        "finished",
    ]
    assert {states["bob@example.com"] for states in seen} == {"notInvited"}
    assert in_progress == ["ada@example.com"]
    assert final["meta"] == {"total": 3, "limit": 50, "offset": 0}
    cy_row, bob_row, ada_row = final["data"]  # newest contact first
    assert ada_row == {
        "contactId": ada["id"],
        "email": "ada@example.com",
        "state": "finished",
        "invitationStatus": "sent",
        "invitationCount": 1,
        "firstInvitedAt": ANY,
        "lastInvitedAt": ANY,
        "reminderStatus": None,
        "reminderCount": 0,
        "lastRemindedAt": None,
        "lastMailError": None,
        "linkIssueCount": 1,
        "linkFirstIssuedAt": ANY,
        "linkLastIssuedAt": ANY,
        "openCount": 1,
        "firstOpenedAt": ANY,
        "responseId": ANY,
        "startedAt": ANY,
        "finishedAt": ANY,
        "revokedAt": None,
    }
    assert ada_row["firstInvitedAt"] == ada_row["linkFirstIssuedAt"]
    assert ada_row["firstOpenedAt"] <= ada_row["startedAt"] <= ada_row["finishedAt"]
    assert (bob_row["linkIssueCount"], bob_row["openCount"], bob_row["state"]) == (
        1,
        0,
        "notInvited",
    )
    assert cy_row == {
        "contactId": ANY,
        "email": "cy@example.com",
        "state": "notInvited",
        "invitationStatus": None,
        "invitationCount": 0,
        "firstInvitedAt": None,
        "lastInvitedAt": None,
        "reminderStatus": None,
        "reminderCount": 0,
        "lastRemindedAt": None,
        "lastMailError": None,
        "linkIssueCount": 0,
        "linkFirstIssuedAt": None,
        "linkLastIssuedAt": None,
        "openCount": 0,
        "firstOpenedAt": None,
        "responseId": None,
        "startedAt": None,
        "finishedAt": None,
        "revokedAt": None,
    }
    assert await _emails(client, env, sid, "finished") == ["ada@example.com"]
    assert await _emails(client, env, sid, "notFinished") == ["bob@example.com", "cy@example.com"]
    assert await _emails(client, env, sid, "opened") == ["ada@example.com"]
    assert await _emails(client, env, sid, "notOpened") == ["bob@example.com", "cy@example.com"]
    assert await _emails(client, env, sid, "invited") == ["ada@example.com"]
    assert await _emails(client, env, sid, "notInvited") == ["bob@example.com", "cy@example.com"]
    assert await _emails(client, env, sid, "started") == ["ada@example.com"]
    assert await _emails(client, env, sid, "inProgress") == []
    assert await _emails(client, env, sid, "reminded") == []


async def test_pages_and_segments(client: AsyncClient, env: ApiEnv) -> None:
    survey = await live_survey(env)
    for index in range(5):
        await env.create_contact(f"c{index}@example.com", language="en" if index % 2 else "fr")
    segment = await env.create_segment("English", [leaf("language", "equals", "en")])

    page = await _status(client, env, survey["id"], limit=2, skip=1)
    past_end = await _status(client, env, survey["id"], limit=2, skip=10)
    far_past = await _status(client, env, survey["id"], skip=2**53 - 1)
    members = await _status(client, env, survey["id"], segmentId=segment)
    pending = await _status(client, env, survey["id"], segmentId=segment, state="finished")

    assert [row["email"] for row in page["data"]] == ["c3@example.com", "c2@example.com"]
    assert page["meta"] == {"total": 5, "limit": 2, "offset": 1}
    assert past_end == {"data": [], "meta": {"total": 5, "limit": 2, "offset": 10}}
    assert far_past == {"data": [], "meta": {"total": 5, "limit": 50, "offset": 2**53 - 1}}
    assert [row["email"] for row in members["data"]] == ["c3@example.com", "c1@example.com"]
    assert members["meta"]["total"] == 2
    assert pending == {"data": [], "meta": {"total": 0, "limit": 50, "offset": 0}}


@pytest.mark.parametrize(
    ("params", "field", "issue"),
    [
        ({"limit": "251"}, "limit", "Too big: expected number to be <=250"),
        ({"skip": "-1"}, "skip", "Too small: expected number to be >=0"),
        ({"segmentId": "Not-A-Cuid"}, "segmentId", "Invalid cuid2"),
    ],
)
async def test_bad_query_is_422(
    client: AsyncClient, env: ApiEnv, params: dict[str, str], field: str, issue: str
) -> None:
    survey = await live_survey(env)

    response = await client.get(STATUS.format(survey["id"]), params=params, headers=env.headers)

    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": 422,
            "message": "Unprocessable Entity",
            "details": [{"field": field, "issue": issue}],
        }
    }


async def test_state_values_are_named_in_the_422(client: AsyncClient, env: ApiEnv) -> None:
    survey = await live_survey(env)

    response = await client.get(
        STATUS.format(survey["id"]), params={"state": "done"}, headers=env.headers
    )

    assert response.json()["error"]["details"][0]["issue"] == (
        'Invalid option: expected one of "notInvited"|"queued"|"invited"|"mailFailed"|'
        '"reminded"|"opened"|"notOpened"|"started"|"inProgress"|"finished"|"notFinished"|'
        '"revoked"'
    )


async def test_unknown_survey_404_then_foreign_key_401(client: AsyncClient, env: ApiEnv) -> None:
    survey = await live_survey(env)
    other = await env.other_workspace()
    stranger = await env.make_key([(other.production.id, "manage")], other.organization.id)

    unknown = await client.get(STATUS.format("clunknown000000000000000x"), headers=env.headers)
    denied = await client.get(STATUS.format(survey["id"]), headers={"x-api-key": stranger})

    assert unknown.status_code == 404
    assert unknown.json() == {
        "error": {
            "code": 404,
            "message": "Not Found",
            "details": [{"field": "survey", "issue": "not found"}],
        }
    }
    assert denied.status_code == 401
    assert denied.json() == {"error": {"code": 401, "message": "Unauthorized"}}
