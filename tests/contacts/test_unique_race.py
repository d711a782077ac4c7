"""One contact per email and per userId in an environment, under concurrent writes: the
database's unique index settles what the checks before the insert cannot."""

import asyncio

from httpx import AsyncClient

from tests.contacts.test_bulk_upload import BULK, person
from tests.factories import ApiEnv

CONTACTS = "/api/v2/management/contacts"
WRITERS = 10
EMAIL_TAKEN = {
    "error": {
        "code": 409,
        "message": "Conflict",
        "details": [{"field": "email", "issue": "contact with this email already exists"}],
    }
}


async def _contacts_by_email(client: AsyncClient, env: ApiEnv) -> dict[str, list[str]]:
    """{email: [contact ids]}, read back through the v1 API."""
    keys = await client.get("/api/v1/management/contact-attribute-keys", headers=env.headers)
    email_key = next(key["id"] for key in keys.json()["data"] if key["key"] == "email")
    rows = await client.get("/api/v1/management/contact-attributes", headers=env.headers)
    found: dict[str, list[str]] = {}
    for row in rows.json()["data"]:
        if row["attributeKeyId"] == email_key:
            found.setdefault(row["value"], []).append(row["contactId"])
    return found


async def test_concurrent_creates_of_one_email_make_one_contact(
    client: AsyncClient, env: ApiEnv
) -> None:
    body = {"environmentId": env.environment_id, "attributes": {"email": "ada@example.com"}}

    responses = await asyncio.gather(
        *(client.post(CONTACTS, json=body, headers=env.headers) for _ in range(WRITERS))
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (WRITERS - 1)
    assert [r.json() for r in responses if r.status_code == 409] == [EMAIL_TAKEN] * (WRITERS - 1)
    created = next(r.json()["data"]["id"] for r in responses if r.status_code == 201)
    assert await _contacts_by_email(client, env) == {"ada@example.com": [created]}


async def test_concurrent_creates_of_one_user_id_make_one_contact(
    client: AsyncClient, env: ApiEnv
) -> None:
    bodies = [
        {
            "environmentId": env.environment_id,
            "attributes": {"email": f"ada{n}@example.com", "userId": "ada"},
        }
        for n in range(WRITERS)
    ]

    responses = await asyncio.gather(
        *(client.post(CONTACTS, json=body, headers=env.headers) for body in bodies)
    )

    assert sorted(response.status_code for response in responses) == [201] + [409] * (WRITERS - 1)
    conflict = {
        "error": {
            "code": 409,
            "message": "Conflict",
            "details": [{"field": "userId", "issue": "contact with this userId already exists"}],
        }
    }
    assert [r.json() for r in responses if r.status_code == 409] == [conflict] * (WRITERS - 1)
    assert len(await _contacts_by_email(client, env)) == 1


async def test_concurrent_bulk_uploads_of_one_email_make_one_contact_updated_by_the_others(
    client: AsyncClient, env: ApiEnv
) -> None:
    bodies = [
        {"environmentId": env.environment_id, "contacts": [person("ada@example.com", plan=f"p{n}")]}
        for n in range(WRITERS)
    ]

    responses = await asyncio.gather(
        *(client.put(BULK, json=body, headers=env.headers) for body in bodies)
    )

    # Upstream's upsert by email: whichever came first creates, the others update.
    assert [response.status_code for response in responses] == [200] * WRITERS
    contacts = await _contacts_by_email(client, env)
    assert list(contacts) == ["ada@example.com"]
    assert len(contacts["ada@example.com"]) == 1


async def test_concurrent_bulk_uploads_of_one_user_id_keep_it_on_one_contact(
    client: AsyncClient, env: ApiEnv
) -> None:
    bodies = [
        {
            "environmentId": env.environment_id,
            "contacts": [person(f"ada{n}@example.com", userId="ada")],
        }
        for n in range(WRITERS)
    ]

    responses = await asyncio.gather(
        *(client.put(BULK, json=body, headers=env.headers) for body in bodies)
    )

    # Upstream skips a contact whose userId another contact has (207, skippedContacts).
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [207] * (WRITERS - 1)
    skipped = [r.json()["data"]["meta"] for r in responses if r.status_code == 207]
    assert skipped == [{"skippedContacts": [{"index": 0, "userId": "ada"}]}] * (WRITERS - 1)
    rows = await client.get("/api/v1/management/contact-attributes", headers=env.headers)
    assert [row["value"] for row in rows.json()["data"]].count("ada") == 1


async def test_bulk_upload_and_create_of_one_email_make_one_contact(
    client: AsyncClient, env: ApiEnv
) -> None:
    create = {"environmentId": env.environment_id, "attributes": {"email": "ada@example.com"}}
    upload = {"environmentId": env.environment_id, "contacts": [person("ada@example.com")]}

    responses = await asyncio.gather(
        *(client.post(CONTACTS, json=create, headers=env.headers) for _ in range(WRITERS // 2)),
        *(client.put(BULK, json=upload, headers=env.headers) for _ in range(WRITERS // 2)),
    )

    assert {response.status_code for response in responses} <= {200, 201, 409}
    contacts = await _contacts_by_email(client, env)
    assert list(contacts) == ["ada@example.com"]
    assert len(contacts["ada@example.com"]) == 1
