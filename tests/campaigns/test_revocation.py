"""DELETE /management/surveys/{surveyId}/contact-links/contacts/{contactId}: every link issued
so far shows the invalid-link page; a link issued afterwards works, even in the same second."""

import time
from datetime import UTC, datetime
from typing import Any
from unittest.mock import ANY
from urllib.parse import urlsplit

import jwt
import time_machine
from httpx import AsyncClient

from surveylink.links import tokens
from tests.campaigns.conftest import REVOKE, STATUS, live_survey
from tests.conftest import ENCRYPTION_KEY
from tests.factories import ApiEnv
from tests.respondent.helpers import SEED

KEYS = tokens.LinkKeys.from_setting(ENCRYPTION_KEY)
INVALID = "Survey link invalid."


async def _link(client: AsyncClient, env: ApiEnv, survey_id: str, contact_id: str) -> str:
    response = await client.get(SEED.format(survey_id, contact_id), headers=env.headers)
    assert response.status_code == 200, response.text
    return str(urlsplit(response.json()["data"]["surveyUrl"]).path)


def _iat(path: str) -> int:
    claims: dict[str, Any] = jwt.decode(path.rsplit("/", 1)[1], options={"verify_signature": False})
    return int(claims["iat"])


async def test_revoked_links_are_invalid_and_a_link_issued_in_the_same_second_works(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await live_survey(env)
    contact = await env.create_contact("ada@example.com")
    second = datetime.fromtimestamp(int(time.time()) + 5, UTC)

    with time_machine.travel(second, tick=True):  # the whole exchange inside one second
        old = await _link(client, env, survey["id"], contact["id"])
        revoked = await client.delete(
            REVOKE.format(survey["id"], contact["id"]), headers=env.headers
        )
        new = await _link(client, env, survey["id"], contact["id"])
        old_page = await client.get(old)
        new_page = await client.get(new)

    assert _iat(old) == _iat(new) == int(second.timestamp())
    assert revoked.status_code == 200
    assert revoked.json() == {
        "data": {"surveyId": survey["id"], "contactId": contact["id"], "revokedAt": ANY}
    }
    assert old_page.status_code == 404
    assert INVALID in old_page.text
    assert new_page.status_code == 200
    assert "What would you like to know?" in new_page.text


async def test_revocation_touches_only_that_contact_and_survey(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await live_survey(env)
    other_survey = await live_survey(env)
    ada = await env.create_contact("ada@example.com")
    bob = await env.create_contact("bob@example.com")
    ada_link = await _link(client, env, survey["id"], ada["id"])
    bob_link = await _link(client, env, survey["id"], bob["id"])
    ada_elsewhere = await _link(client, env, other_survey["id"], ada["id"])

    await client.delete(REVOKE.format(survey["id"], ada["id"]), headers=env.headers)

    assert (await client.get(ada_link)).status_code == 404
    assert (await client.get(bob_link)).status_code == 200
    assert (await client.get(ada_elsewhere)).status_code == 200


async def test_a_revoked_link_cannot_post_answers(client: AsyncClient, env: ApiEnv) -> None:
    survey = await live_survey(env)
    contact = await env.create_contact("ada@example.com")
    link = await _link(client, env, survey["id"], contact["id"])

    await client.delete(REVOKE.format(survey["id"], contact["id"]), headers=env.headers)
    posted = await client.post(link, data={"step": "0", "shown": "0", "x": "y"})

    assert posted.status_code == 404
    assert INVALID in posted.text


async def test_upstream_tokens_are_judged_by_their_whole_second(
    client: AsyncClient, env: ApiEnv
) -> None:
    """A token without our issuing mark (as upstream mints them) counts as issued at its
    `iat`: revoked if that second is not after the revocation, valid from the next second."""
    survey = await live_survey(env)
    contact = await env.create_contact("ada@example.com")
    claims = tokens.LinkClaims(contact_id=contact["id"], survey_id=survey["id"])
    now = int(time.time())
    before = tokens.sign(claims, KEYS, now=now)
    same_second = tokens.sign(claims, KEYS, now=now + 1)
    after = tokens.sign(claims, KEYS, now=now + 2)
    untouched = await client.get(f"/c/{before}")

    with time_machine.travel(datetime.fromtimestamp(now + 1, UTC), tick=True):
        await client.delete(REVOKE.format(survey["id"], contact["id"]), headers=env.headers)
    with time_machine.travel(datetime.fromtimestamp(now + 2, UTC), tick=True):
        pages = [await client.get(f"/c/{token}") for token in (before, same_second, after)]

    assert untouched.status_code == 200
    assert [page.status_code for page in pages] == [404, 404, 200]


async def test_revocation_shows_in_the_status(client: AsyncClient, env: ApiEnv) -> None:
    survey = await live_survey(env)
    ada = await env.create_contact("ada@example.com")
    await env.create_contact("bob@example.com")

    revoked = await client.delete(REVOKE.format(survey["id"], ada["id"]), headers=env.headers)
    status = await client.get(
        STATUS.format(survey["id"]), params={"state": "revoked"}, headers=env.headers
    )

    [row] = status.json()["data"]
    assert row["contactId"] == ada["id"]
    stamped = datetime.fromisoformat(revoked.json()["data"]["revokedAt"])
    assert row["revokedAt"] == stamped.strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{stamped.microsecond // 1000:03d}Z"
    )


async def test_unknown_survey_or_contact_404_and_write_key_401(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await live_survey(env)
    contact = await env.create_contact("ada@example.com")
    stranger = await env.create_contact(
        "far@example.com", environment_id=env.workspace.development.id
    )
    writer = await env.make_key([(env.environment_id, "write")])

    no_survey = await client.delete(
        REVOKE.format("clunknown000000000000000x", contact["id"]), headers=env.headers
    )
    no_contact = await client.delete(
        REVOKE.format(survey["id"], "clunknown000000000000000x"), headers=env.headers
    )
    elsewhere = await client.delete(
        REVOKE.format(survey["id"], stranger["id"]), headers=env.headers
    )
    denied = await client.delete(
        REVOKE.format(survey["id"], contact["id"]), headers={"x-api-key": writer}
    )

    def not_found(field: str) -> dict[str, Any]:
        return {
            "error": {
                "code": 404,
                "message": "Not Found",
                "details": [{"field": field, "issue": "not found"}],
            }
        }

    assert (no_survey.status_code, no_survey.json()) == (404, not_found("survey"))
    assert (no_contact.status_code, no_contact.json()) == (404, not_found("contact"))
    assert (elsewhere.status_code, elsewhere.json()) == (404, not_found("contact"))
    assert denied.status_code == 401
    assert denied.json() == {"error": {"code": 401, "message": "Unauthorized"}}
