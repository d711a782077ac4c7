"""v1 contacts and contact attributes (resources spec §2.4): v1's envelope."""

from unittest.mock import ANY

import pytest
from httpx import AsyncClient

from tests.factories import ApiEnv

CONTACTS = "/api/v1/management/contacts"
ATTRIBUTES = "/api/v1/management/contact-attributes"
NOT_AUTHENTICATED = {
    "code": "not_authenticated",
    "message": "Not authenticated",
    "details": {"x-Api-Key": "Header not provided or API Key invalid"},
}
UNAUTHORIZED = {
    "code": "unauthorized",
    "message": "You are not authorized to access this resource",
    "details": {},
}


async def test_list_returns_the_rows_of_every_environment(client: AsyncClient, env: ApiEnv) -> None:
    ada = await env.create_contact("ada@example.com")
    bob = await env.create_contact("bob@example.com", env.workspace.development.id)
    other = await env.other_workspace()
    outsider = await env.make_key(
        [(other.production.id, "manage")], organization_id=other.organization.id
    )
    await client.put(
        "/api/v2/management/contacts/bulk",
        json={
            "environmentId": other.production.id,
            "contacts": [
                {
                    "attributes": [
                        {"attributeKey": {"key": "email", "name": "Email"}, "value": "x@y.io"}
                    ]
                }
            ],
        },
        headers={"x-api-key": outsider},
    )

    response = await client.get(CONTACTS, headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {
        "data": [
            {
                "id": ada["id"],
                "createdAt": ada["createdAt"],
                "updatedAt": ANY,
                "environmentId": env.environment_id,
            },
            {
                "id": bob["id"],
                "createdAt": bob["createdAt"],
                "updatedAt": ANY,
                "environmentId": env.workspace.development.id,
            },
        ]
    }


async def test_get_returns_the_row(client: AsyncClient, env: ApiEnv) -> None:
    ada = await env.create_contact("ada@example.com")

    response = await client.get(f"{CONTACTS}/{ada['id']}", headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "id": ada["id"],
            "createdAt": ada["createdAt"],
            "updatedAt": ANY,
            "environmentId": env.environment_id,
        }
    }


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_unknown_contact_is_404(client: AsyncClient, env: ApiEnv, method: str) -> None:
    response = await client.request(method, f"{CONTACTS}/nocontact", headers=env.headers)

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "Contact not found",
        "details": {"resource_id": "nocontact", "resource_type": "Contact"},
    }


async def test_malformed_contact_id_is_400(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.get(f"{CONTACTS}/Not-A-Cuid", headers=env.headers)

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": "Fields are missing or incorrectly formatted",
        "details": {"contactId": "Invalid cuid2"},
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", CONTACTS),
        ("GET", CONTACTS + "/abc"),
        ("DELETE", CONTACTS + "/abc"),
        ("GET", ATTRIBUTES),
    ],
)
async def test_missing_key_is_401(client: AsyncClient, env: ApiEnv, method: str, path: str) -> None:
    response = await client.request(method, path)

    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED


@pytest.mark.parametrize(("method", "granted"), [("GET", "none"), ("DELETE", "write")])
async def test_permission_per_method(
    client: AsyncClient, env: ApiEnv, method: str, granted: str
) -> None:
    ada = await env.create_contact("ada@example.com")
    grants = [] if granted == "none" else [(env.environment_id, granted)]
    limited = await env.make_key([*grants, (env.workspace.development.id, "read")])

    response = await client.request(
        method, f"{CONTACTS}/{ada['id']}", headers={"x-api-key": limited}
    )

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_delete_removes_the_contact_and_its_attributes(
    client: AsyncClient, env: ApiEnv
) -> None:
    ada = await env.create_contact("ada@example.com", firstName="Ada")
    bob = await env.create_contact("bob@example.com")

    response = await client.delete(f"{CONTACTS}/{ada['id']}", headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {"data": {"success": "Contact deleted successfully"}}
    assert (await client.get(f"{CONTACTS}/{ada['id']}", headers=env.headers)).status_code == 404
    rows = (await client.get(ATTRIBUTES, headers=env.headers)).json()["data"]
    assert {row["contactId"] for row in rows} == {bob["id"]}


async def test_attributes_are_the_raw_rows(client: AsyncClient, env: ApiEnv) -> None:
    ada = await env.create_contact("ada@example.com")

    response = await client.get(ATTRIBUTES, headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {
        "data": [
            {
                "id": ANY,
                "createdAt": ANY,
                "updatedAt": ANY,
                "attributeKeyId": ANY,
                "contactId": ada["id"],
                "value": "ada@example.com",
                "valueNumber": None,
                "valueDate": None,
            }
        ]
    }
