"""Upstream's routing before the handlers (v1 management spec §6): 308s and rewrites."""

from unittest.mock import ANY

import pytest
from httpx import AsyncClient, Response

from tests.factories import E2E_SURVEY, ApiEnv


def _assert_redirect(response: Response, location: str) -> None:
    assert response.status_code == 308
    assert response.headers["location"] == location
    assert response.headers["refresh"] == f"0;url={location}"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == location


@pytest.mark.parametrize(
    ("sent", "location"),
    [
        ("/api/v1//management/surveys", "/api/v1/management/surveys"),
        (
            "/api///v1//management/people?limit=5&x=a//b",
            "/api/v1/management/people?limit=5&x=a//b",
        ),
        ("/api/v1\\management\\responses", "/api/v1/management/responses"),
        ("/nowhere//at/all/", "/nowhere/at/all/"),
    ],
)
async def test_repeated_slashes_and_backslashes_redirect_to_single_slashes(
    client: AsyncClient, sent: str, location: str
) -> None:
    response = await client.get(sent)

    _assert_redirect(response, location)


@pytest.mark.parametrize(
    ("sent", "location"),
    [
        ("/api/v1/webhooks/", "/api/v1/webhooks"),
        ("/api/v2/roles/?a=1", "/api/v2/roles?a=1"),
        ("/api/v1/me/", "/api/v1/me"),
        ("/no/such/page/", "/no/such/page"),
    ],
)
async def test_a_trailing_slash_redirects_to_the_path_without_it(
    client: AsyncClient, sent: str, location: str
) -> None:
    response = await client.post(sent, json={"any": "body"})

    _assert_redirect(response, location)


@pytest.mark.parametrize(
    ("sent", "location"),
    [
        ("/api/v1/surveys", "/api/v1/management/surveys"),
        ("/api/v1/responses?surveyId=x&limit=5", "/api/v1/management/responses?surveyId=x&limit=5"),
        ("/api/v1/me", "/api/v1/management/me"),
        ("/api/v1/surveys/abc/singleUseIds", "/api/v1/management/surveys/abc/singleUseIds"),
        ("/api/v1/responses/abc", "/api/v1/management/responses/abc"),
    ],
)
async def test_legacy_v1_paths_redirect_under_management(
    client: AsyncClient, sent: str, location: str
) -> None:
    response = await client.delete(sent)

    _assert_redirect(response, location)


@pytest.mark.parametrize(
    "sent", ["/api/v1/surveysx", "/api/v1/management/surveys%2F", "/api/v1/webhooks", "/"]
)
async def test_other_paths_are_not_redirected(client: AsyncClient, sent: str) -> None:
    response = await client.get(sent)

    assert response.status_code != 308
    assert "location" not in response.headers


async def test_location_never_comes_from_the_host_header(client: AsyncClient) -> None:
    response = await client.get("/api/v1/me", headers={"host": "attacker.example"})

    _assert_redirect(response, "/api/v1/management/me")


async def test_the_seed_route_answers_with_and_without_the_trailing_slash(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")
    path = f"/api/v2/management/surveys/{survey['id']}/contact-links/contacts/{contact['id']}"

    with_slash = await client.get(path + "/", headers=env.headers)
    without = await client.get(path, headers=env.headers)

    assert with_slash.status_code == without.status_code == 200
    assert with_slash.json() == {"data": {"surveyUrl": ANY, "expiresAt": None}}
    assert without.json() == {"data": {"surveyUrl": ANY, "expiresAt": None}}


async def test_a_redirected_client_keeps_its_key_method_and_body(
    client: AsyncClient, env: ApiEnv
) -> None:
    body = {**E2E_SURVEY, "environmentId": env.environment_id, "name": "Through the redirect"}

    created = await client.post(
        "/api/v1//surveys/", json=body, headers=env.headers, follow_redirects=True
    )

    assert [hop.status_code for hop in created.history] == [308, 308, 308]
    assert created.status_code == 200, created.text
    assert created.json()["data"]["name"] == "Through the redirect"
    listed = await client.get("/api/v1/surveys", headers=env.headers, follow_redirects=True)
    assert [survey["name"] for survey in listed.json()["data"]] == ["Through the redirect"]


async def test_people_are_served_by_the_contacts_routes(client: AsyncClient, env: ApiEnv) -> None:
    ada = await env.create_contact("ada@example.com")
    contacts = await client.get("/api/v1/management/contacts", headers=env.headers)
    contact = await client.get(f"/api/v1/management/contacts/{ada['id']}", headers=env.headers)

    people = await client.get("/api/v1/management/people", headers=env.headers)
    person = await client.get(f"/api/v1/management/people/{ada['id']}", headers=env.headers)

    assert people.status_code == person.status_code == 200
    assert people.json() == contacts.json()
    assert person.json() == contact.json()
    assert len(people.json()["data"]) == 1


async def test_attribute_classes_are_served_by_the_attribute_key_routes(
    client: AsyncClient, env: ApiEnv
) -> None:
    keys = await client.get("/api/v1/management/contact-attribute-keys", headers=env.headers)
    first = keys.json()["data"][0]["id"]
    one = await client.get(
        f"/api/v1/management/contact-attribute-keys/{first}", headers=env.headers
    )

    classes = await client.get("/api/v1/management/attribute-classes", headers=env.headers)
    single = await client.get(f"/api/v1/management/attribute-classes/{first}", headers=env.headers)

    assert classes.status_code == single.status_code == 200
    assert classes.json() == keys.json()
    assert single.json() == one.json()


async def test_the_tap_s_double_slash_reaches_people_in_two_hops(
    client: AsyncClient, env: ApiEnv
) -> None:
    await env.create_contact("ada@example.com")

    response = await client.get(
        "/api/v1//management/people", headers=env.headers, follow_redirects=True
    )

    assert [hop.status_code for hop in response.history] == [308]
    assert response.status_code == 200
    assert [person["environmentId"] for person in response.json()["data"]] == [env.environment_id]
