"""POST /management/surveys/{surveyId}/invitations: staged in the request, sent by the worker
through a real SMTP server, each contact once, with a link that opens the survey for them."""

import re
from typing import Any
from unittest.mock import ANY
from urllib.parse import urlsplit

import pytest
from httpx import AsyncClient

from surveylink.links import tokens
from tests.campaigns.conftest import (
    INVITATIONS,
    SENDER,
    deliver_all,
    leaf,
    live_survey,
    make_worker,
    template,
)
from tests.campaigns.mailbox import Mailbox
from tests.conftest import ENCRYPTION_KEY
from tests.factories import ApiEnv

KEYS = tokens.LinkKeys.from_setting(ENCRYPTION_KEY)
LINK = re.compile(r"http://testserver/c/[A-Za-z0-9_.\-]+")


def _contact_of(link: str) -> str:
    return tokens.verify(urlsplit(link).path.rsplit("/", 1)[1], KEYS, now=0).contact_id


def _error(code: int, message: str, *details: tuple[str, str]) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "details": [{"field": field, "issue": issue} for field, issue in details],
        }
    }


async def test_segment_invitations_arrive_once_each_with_the_contacts_own_link(
    client: AsyncClient, env: ApiEnv, mailbox: Mailbox
) -> None:
    survey = await live_survey(env)
    ada = await env.create_contact("ada@example.com", firstName="Ada", language="en")
    bob = await env.create_contact("bob@example.com", firstName="Bob", language="en")
    await env.create_contact("cy@example.com", firstName="Cy", language="fr")
    segment = await env.create_segment("Pro", [leaf("language", "equals", "en")])

    response = await client.post(
        INVITATIONS.format(survey["id"]),
        json={"segmentId": segment, **template()},
        headers=env.headers,
    )
    await deliver_all(make_worker(client), client)

    assert response.status_code == 202
    assert response.json() == {
        "data": {
            "id": ANY,
            "kind": "invitation",
            "surveyId": survey["id"],
            "segmentId": segment,
            "createdAt": ANY,
            "queued": 2,
            "skipped": 0,
        }
    }
    mails = mailbox.received()
    assert sorted(recipient for mail in mails for recipient in mail.recipients) == [
        "ada@example.com",
        "bob@example.com",
    ]
    for mail, contact in (
        (mailbox.to("ada@example.com")[0], ada),
        (mailbox.to("bob@example.com")[0], bob),
    ):
        name = contact["attributes"]["firstName"]
        assert mail.sender == SENDER
        assert mail.message["From"] == f"Acme Surveys <{SENDER}>"
        assert mail.message["Subject"] == f"{name}, a question for you"
        [link] = LINK.findall(mail.text)
        assert mail.text == f"Hi {name}, answer here: {link}\n"
        assert f'<a href="{link}">answer here</a>' in mail.html
        assert _contact_of(link) == contact["id"]
        page = await client.get(urlsplit(link).path)
        assert page.status_code == 200
        assert "What would you like to know?" in page.text


async def test_placeholders_are_escaped_in_html_and_not_in_text(
    client: AsyncClient, env: ApiEnv, mailbox: Mailbox
) -> None:
    survey = await live_survey(env)
    contact = await env.create_contact("eve@example.com", firstName="<b>Eve</b> & co")

    await client.post(
        INVITATIONS.format(survey["id"]),
        json={"contactIds": [contact["id"]], **template()},
        headers=env.headers,
    )
    await deliver_all(make_worker(client), client)

    [mail] = mailbox.received()
    assert "<p>Hi &lt;b&gt;Eve&lt;/b&gt; &amp; co, <a href=" in mail.html
    assert mail.text.startswith("Hi <b>Eve</b> & co, answer here: http://testserver/c/")
    assert mail.message["Subject"] == "<b>Eve</b> & co, a question for you"


async def test_text_only_and_html_only_mails(
    client: AsyncClient, env: ApiEnv, mailbox: Mailbox
) -> None:
    survey = await live_survey(env)
    ada = await env.create_contact("ada@example.com")
    bob = await env.create_contact("bob@example.com")

    await client.post(
        INVITATIONS.format(survey["id"]),
        json={"contactIds": [ada["id"]], "subject": "Hi", "text": "{{ link }}"},
        headers=env.headers,
    )
    await client.post(
        INVITATIONS.format(survey["id"]),
        json={"contactIds": [bob["id"]], "subject": "Hi", "html": "<i>{{ survey.name }}</i>"},
        headers=env.headers,
    )
    await deliver_all(make_worker(client), client)

    [text_only] = mailbox.to("ada@example.com")
    [html_only] = mailbox.to("bob@example.com")
    assert text_only.message.get_content_type() == "text/plain"
    assert html_only.message.get_content_type() == "text/html"
    assert html_only.html == "<i>My new Survey from API</i>\n"


async def test_contacts_without_email_finished_or_elsewhere_are_skipped(
    client: AsyncClient, env: ApiEnv, mailbox: Mailbox
) -> None:
    survey = await live_survey(env)
    fine = await env.create_contact("ada@example.com")
    done = await env.create_contact("done@example.com")
    await env.create_response(survey["id"], done["id"], finished=True)
    stranger = await env.create_contact(
        "far@example.com", environment_id=env.workspace.development.id
    )

    response = await client.post(
        INVITATIONS.format(survey["id"]),
        json={"contactIds": [fine["id"], done["id"], stranger["id"], fine["id"]], **template()},
        headers=env.headers,
    )
    await deliver_all(make_worker(client), client)

    assert response.status_code == 202
    assert (response.json()["data"]["queued"], response.json()["data"]["skipped"]) == (1, 2)
    assert [mail.recipients for mail in mailbox.received()] == [["ada@example.com"]]


async def test_repeating_a_request_sends_nothing_twice_unless_resend(
    client: AsyncClient, env: ApiEnv, mailbox: Mailbox
) -> None:
    survey = await live_survey(env)
    contact = await env.create_contact("ada@example.com")
    body = {"contactIds": [contact["id"]], **template()}
    worker = make_worker(client)

    first = await client.post(INVITATIONS.format(survey["id"]), json=body, headers=env.headers)
    again = await client.post(INVITATIONS.format(survey["id"]), json=body, headers=env.headers)
    await deliver_all(worker, client)
    after = await client.post(INVITATIONS.format(survey["id"]), json=body, headers=env.headers)
    resent = await client.post(
        INVITATIONS.format(survey["id"]), json={**body, "resend": True}, headers=env.headers
    )
    await deliver_all(worker, client)

    counts = [
        (r.json()["data"]["queued"], r.json()["data"]["skipped"])
        for r in (first, again, after, resent)
    ]
    assert counts == [(1, 0), (0, 1), (0, 1), (1, 0)]
    assert len(mailbox.to("ada@example.com")) == 2
    first_id, second_id = (mail.message["Message-ID"] for mail in mailbox.received())
    assert first_id != second_id


@pytest.mark.parametrize(
    ("body", "field", "issue"),
    [
        ({"text": "x"}, "subject", "Invalid input: expected string, received undefined"),
        (
            {"subject": "", "text": "x"},
            "subject",
            "Too small: expected string to have >=1 characters",
        ),
        (
            {"subject": "x" * 501, "text": "x"},
            "subject",
            "Too big: expected string to have <=500 characters",
        ),
        ({"subject": "Hi"}, "text", "Give html, text or both"),
        (
            {"subject": "Hi", "text": "{% for x in attributes %}{% endfor %}"},
            "text",
            "Template uses For: only placeholders, filters and {% if %} are allowed",
        ),
        (
            {"subject": "Hi {{ name }}", "text": "x"},
            "subject",
            "Unknown placeholder 'name': use one of link, expiresAt, attributes, contact, survey",
        ),
        (
            {"subject": "Hi", "html": "{{ link|safe }}"},
            "html",
            "Filter 'safe' is not allowed",
        ),
        (
            {"subject": "Hi", "text": "{{ link.__class__ }}"},
            "text",
            "Attribute '__class__' is not allowed",
        ),
        (
            {"subject": "Hi", "text": "{{ link "},
            "text",
            "Template syntax error: unexpected end of template, expected 'end of print statement'.",
        ),
        (
            {"subject": "Hi", "text": "x", "expirationDays": 0},
            "expirationDays",
            "Too small: expected number to be >=1",
        ),
    ],
)
async def test_invalid_bodies_are_422(
    client: AsyncClient, env: ApiEnv, body: dict[str, Any], field: str, issue: str
) -> None:
    survey = await live_survey(env)
    contact = await env.create_contact("ada@example.com")

    response = await client.post(
        INVITATIONS.format(survey["id"]),
        json={"contactIds": [contact["id"]], **body},
        headers=env.headers,
    )

    assert response.status_code == 422
    assert response.json() == _error(422, "Unprocessable Entity", (field, issue))


@pytest.mark.parametrize(
    ("scope", "issue"),
    [
        ({}, "Give segmentId or contactIds"),
        (
            {"segmentId": "clsegment0000000000000000", "contactIds": ["clcontact0000000000000000"]},
            "Give segmentId or contactIds, not both",
        ),
    ],
)
async def test_exactly_one_scope_is_required(
    client: AsyncClient, env: ApiEnv, scope: dict[str, Any], issue: str
) -> None:
    survey = await live_survey(env)

    response = await client.post(
        INVITATIONS.format(survey["id"]), json={**scope, **template()}, headers=env.headers
    )

    assert response.status_code == 422
    assert response.json() == _error(422, "Unprocessable Entity", ("contactIds", issue))


async def test_unknown_survey_is_404_then_missing_permission_401(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await live_survey(env)
    contact = await env.create_contact("ada@example.com")
    reader = await env.make_key([(env.environment_id, "read")])
    body = {"contactIds": [contact["id"]], **template()}

    unknown = await client.post(
        INVITATIONS.format("clunknown000000000000000x"), json=body, headers=env.headers
    )
    denied = await client.post(
        INVITATIONS.format(survey["id"]), json=body, headers={"x-api-key": reader}
    )

    assert unknown.status_code == 404
    assert unknown.json() == _error(404, "Not Found", ("survey", "not found"))
    assert denied.status_code == 401
    assert denied.json() == {"error": {"code": 401, "message": "Unauthorized"}}


@pytest.mark.parametrize(
    ("fields", "issue"),
    [({"type": "app"}, "Not a link survey"), ({"status": "paused"}, "Survey is not in progress")],
)
async def test_only_a_link_survey_in_progress_is_mailed(
    client: AsyncClient, env: ApiEnv, fields: dict[str, Any], issue: str
) -> None:
    survey = await live_survey(env, **fields)
    contact = await env.create_contact("ada@example.com")

    response = await client.post(
        INVITATIONS.format(survey["id"]),
        json={"contactIds": [contact["id"]], **template()},
        headers=env.headers,
    )

    assert response.status_code == 400
    assert response.json() == _error(400, "Bad Request", ("surveyId", issue))


async def test_segment_of_another_environment_or_unknown(client: AsyncClient, env: ApiEnv) -> None:
    survey = await live_survey(env)
    elsewhere = await env.create_segment(
        "Dev", [leaf("language", "equals", "en")], environment_id=env.workspace.development.id
    )

    mismatch = await client.post(
        INVITATIONS.format(survey["id"]),
        json={"segmentId": elsewhere, **template()},
        headers=env.headers,
    )
    unknown = await client.post(
        INVITATIONS.format(survey["id"]),
        json={"segmentId": "clunknown000000000000000x", **template()},
        headers=env.headers,
    )

    assert mismatch.status_code == 400
    assert mismatch.json() == _error(400, "Bad Request", ("segmentId", "Environment mismatch"))
    assert unknown.status_code == 404
    assert unknown.json() == _error(404, "Not Found", ("segment", "not found"))
