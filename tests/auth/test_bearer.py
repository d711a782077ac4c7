"""`Authorization: Bearer fbk_…` wherever `x-api-key` is accepted (upstream from Formbricks 5)."""

import pytest
from httpx import AsyncClient

from tests.factories import ApiEnv

V2 = "/api/v2/roles"
V1 = "/api/v1/management/surveys"
NOT_AUTHENTICATED_V1 = {
    "code": "not_authenticated",
    "message": "Not authenticated",
    "details": {"x-Api-Key": "Header not provided or API Key invalid"},
}


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
async def test_a_bearer_key_authenticates_v2(client: AsyncClient, env: ApiEnv, scheme: str) -> None:
    response = await client.get(V2, headers={"authorization": f"{scheme} {env.api_key}"})

    assert response.status_code == 200
    assert response.json() == {"data": ["owner", "manager", "member"]}


async def test_a_bearer_key_authenticates_v1(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()

    response = await client.get(V1, headers={"authorization": f"Bearer {env.api_key}"})

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["data"]] == [survey["id"]]


async def test_a_bearer_key_authenticates_the_seed_route(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")
    link = f"/api/v2/management/surveys/{survey['id']}/contact-links/contacts/{contact['id']}/"

    response = await client.get(link, headers={"authorization": f"Bearer  {env.api_key} "})

    assert response.status_code == 200


async def test_x_api_key_wins_when_both_are_sent(client: AsyncClient, env: ApiEnv) -> None:
    wrong_first = await client.get(
        V2, headers={"x-api-key": env.api_key + "x", "authorization": f"Bearer {env.api_key}"}
    )
    right_first = await client.get(
        V2, headers={"x-api-key": env.api_key, "authorization": "Bearer fbk_unknown"}
    )

    assert wrong_first.status_code == 401
    assert wrong_first.json() == {"error": {"code": 401, "message": "Unauthorized"}}
    assert right_first.status_code == 200


async def test_an_empty_x_api_key_lets_the_bearer_key_count(
    client: AsyncClient, env: ApiEnv
) -> None:
    response = await client.get(
        V2, headers={"x-api-key": "  ", "authorization": f"Bearer {env.api_key}"}
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer 0123456789abcdef0123456789abcdef",  # not an fbk_ key
        "Bearer fbk_",
        "Bearer fbk_has spaces",
        "Bearer",
        "Basic Zm9vOmJhcg==",
        "{key}",  # no scheme
        "Token {key}",
    ],
)
async def test_anything_but_a_bearer_fbk_key_is_refused(
    client: AsyncClient, env: ApiEnv, authorization: str
) -> None:
    headers = {"authorization": authorization.format(key=env.api_key)}

    v2 = await client.get(V2, headers=headers)
    v1 = await client.get(V1, headers=headers)

    assert v2.status_code == v1.status_code == 401
    assert v2.json() == {"error": {"code": 401, "message": "Unauthorized"}}
    assert v1.json() == NOT_AUTHENTICATED_V1
