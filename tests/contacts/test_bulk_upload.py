"""PUT /api/v2/management/contacts/bulk (resources spec §2.2, §2.3)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import event

from surveylink.core.context import app_context
from tests.factories import ApiEnv

BULK = "/api/v2/management/contacts/bulk"
KEYS = "/api/v2/management/contact-attribute-keys"
SUCCESS = {"data": {"status": "success", "message": "Contacts bulk upload successful"}}


def person(email: str, **attributes: str) -> dict[str, Any]:
    values = {"email": email, **attributes}
    return {
        "attributes": [
            {"attributeKey": {"key": key, "name": key.replace("_", " ").title()}, "value": value}
            for key, value in values.items()
        ]
    }


async def _upload(env: ApiEnv, contacts: list[dict[str, Any]], **body: Any) -> Any:
    return await env.client.put(
        BULK,
        json={"environmentId": env.environment_id, "contacts": contacts, **body},
        headers=env.headers,
    )


async def _contacts(env: ApiEnv) -> dict[str, dict[str, str]]:
    """{email: {key: value}} of every contact, read back through the v1 API."""
    keys = await env.client.get("/api/v1/management/contact-attribute-keys", headers=env.headers)
    names = {key["id"]: key["key"] for key in keys.json()["data"]}
    rows = await env.client.get("/api/v1/management/contact-attributes", headers=env.headers)
    by_contact: dict[str, dict[str, str]] = {}
    for row in rows.json()["data"]:
        by_contact.setdefault(row["contactId"], {})[names[row["attributeKeyId"]]] = row["value"]
    return {attributes["email"]: attributes for attributes in by_contact.values()}


async def _keys(env: ApiEnv) -> dict[str, dict[str, Any]]:
    response = await env.client.get(
        KEYS, params={"environmentId": env.environment_id, "limit": 250}, headers=env.headers
    )
    return {key["key"]: key for key in response.json()["data"]}


async def test_new_contacts_are_created_with_new_keys(client: AsyncClient, env: ApiEnv) -> None:
    contacts = [
        person("ada@example.com", userId="u-1", plan="pro", seats="007", signup="2024-01-15"),
        person("bob@example.com", plan="free", seats="3", signup="15/02/2024"),
    ]

    response = await _upload(env, contacts)

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert await _contacts(env) == {
        "ada@example.com": {
            "email": "ada@example.com",
            "userId": "u-1",
            "plan": "pro",
            "seats": "7",
            "signup": "2024-01-15T00:00:00.000Z",
        },
        "bob@example.com": {
            "email": "bob@example.com",
            "plan": "free",
            "seats": "3",
            "signup": "2024-02-15T00:00:00.000Z",
        },
    }
    keys = await _keys(env)
    assert {name: keys[name]["dataType"] for name in ("plan", "seats", "signup")} == {
        "plan": "string",
        "seats": "number",
        "signup": "date",
    }
    assert keys["seats"]["name"] == "Seats"
    assert keys["seats"]["type"] == "custom"
    assert keys["seats"]["isUnique"] is False


async def test_typed_values_fill_the_typed_columns(client: AsyncClient, env: ApiEnv) -> None:
    await _upload(env, [person("ada@example.com", seats="1e3", signup="2024-01-15")])

    rows = await client.get("/api/v1/management/contact-attributes", headers=env.headers)

    typed = {(row["valueNumber"], row["valueDate"]) for row in rows.json()["data"]}
    assert (1000, None) in typed
    assert (None, "2024-01-15T00:00:00.000Z") in typed
    assert '"valueNumber":1000,' in rows.text


async def test_existing_contact_is_updated_by_email(client: AsyncClient, env: ApiEnv) -> None:
    await env.create_contact("ada@example.com", firstName="Ada", lastName="Lovelace")

    response = await _upload(env, [person("ada@example.com", firstName="Augusta", plan="pro")])

    assert response.status_code == 200
    assert await _contacts(env) == {
        "ada@example.com": {
            "email": "ada@example.com",
            "firstName": "Augusta",
            "lastName": "Lovelace",
            "plan": "pro",
        }
    }


async def test_upload_renames_existing_keys(client: AsyncClient, env: ApiEnv) -> None:
    contact = person("ada@example.com")
    contact["attributes"][0]["attributeKey"]["name"] = "E-mail address"

    await _upload(env, [contact])

    assert (await _keys(env))["email"]["name"] == "E-mail address"


async def test_conflicting_user_ids_are_skipped_with_207(client: AsyncClient, env: ApiEnv) -> None:
    await env.create_contact("taken@example.com", userId="u-9")
    await env.create_contact("ada@example.com", userId="u-1")
    contacts = [
        person("new@example.com", userId="u-2", tier="gold"),
        person("ada@example.com", userId="u-9"),
        person("bob@example.com", userId="u-1", level="x"),
    ]

    response = await _upload(env, contacts)

    assert response.status_code == 207
    assert response.json() == {
        "data": {
            "status": "success",
            "message": "Contacts bulk upload partially successful. "
            "Some contacts were skipped due to conflicting userIds.",
            "meta": {
                "skippedContacts": [{"index": 1, "userId": "u-9"}, {"index": 2, "userId": "u-1"}]
            },
        }
    }
    stored = await _contacts(env)
    assert stored["ada@example.com"]["userId"] == "u-1"
    assert "bob@example.com" not in stored
    assert stored["new@example.com"]["tier"] == "gold"
    keys = await _keys(env)
    assert "tier" in keys
    assert "level" not in keys  # only keys of uploaded contacts are created


async def test_unchanged_contact_is_not_skipped(client: AsyncClient, env: ApiEnv) -> None:
    await env.create_contact("ada@example.com", userId="u-1")

    response = await _upload(env, [person("ada@example.com", userId="u-1")])

    assert response.status_code == 200
    assert response.json() == SUCCESS


async def test_empty_upload_succeeds(client: AsyncClient, env: ApiEnv) -> None:
    response = await _upload(env, [])

    assert response.status_code == 200
    assert response.json() == SUCCESS


async def test_unsafe_new_keys_are_400(client: AsyncClient, env: ApiEnv) -> None:
    response = await _upload(env, [person("ada@example.com", Plan="x", firstName="Ada")])

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": "Bad Request",
            "details": [
                {
                    "field": "attributes",
                    "issue": "Invalid attribute key(s): Plan. Keys must only contain lowercase "
                    "letters, numbers, and underscores, and must start with a letter.",
                }
            ],
        }
    }


async def test_values_not_fitting_an_existing_typed_key_are_400(
    client: AsyncClient, env: ApiEnv
) -> None:
    await _upload(env, [person("first@example.com", seats="1")])
    contacts = [person(f"p{n}@example.com", seats=value) for n, value in enumerate("abcd2e")]

    response = await _upload(env, contacts)

    assert response.status_code == 400
    assert response.json()["error"]["details"] == [
        {
            "field": "attributes",
            "issue": 'Attribute "seats" is typed as "number" but received invalid values: '
            "a, b, c (and 2 more)",
        }
    ]


async def test_new_key_with_mixed_values_becomes_string(client: AsyncClient, env: ApiEnv) -> None:
    contacts = [person("a@example.com", seats="12"), person("b@example.com", seats="many")]

    response = await _upload(env, contacts)

    assert response.status_code == 200
    assert (await _keys(env))["seats"]["dataType"] == "string"
    assert (await _contacts(env))["a@example.com"]["seats"] == "12"


def _invalid(*details: dict[str, Any]) -> dict[str, Any]:
    return {"error": {"code": 422, "message": "Unprocessable Entity", "details": list(details)}}


async def test_contact_level_issues_are_reported_together(client: AsyncClient, env: ApiEnv) -> None:
    contacts = [
        {"attributes": [{"attributeKey": {"key": "plan", "name": "Plan"}, "value": "x"}]},
        person("not-an-email"),
        person("dup@example.com", userId="u-1"),
        person("dup@example.com", userId="u-1"),
        {
            "attributes": [
                *person("z@example.com")["attributes"],
                *person("z@example.com")["attributes"],
            ]
        },
    ]

    response = await _upload(env, contacts)

    assert response.status_code == 422
    assert response.json() == _invalid(
        {"field": "contacts", "issue": "Email attribute is required for contact at index 0"},
        {"field": "contacts", "issue": "Invalid email format for contact at index 1"},
        {
            "field": "contacts",
            "issue": "Duplicate attribute keys found for contact at index 4. "
            "Please ensure each attribute key is unique",
            "meta": {"duplicateKeys": ["email"], "contactIndex": 4},
        },
        {
            "field": "contacts",
            "issue": "Duplicate emails found in the records, please ensure each email is unique.",
            "meta": {"duplicateEmails": ["dup@example.com"]},
        },
        {
            "field": "contacts",
            "issue": "Duplicate userIds found in the records, please ensure each userId is unique.",
            "meta": {"duplicateUserIds": ["u-1"]},
        },
    )


async def test_more_than_250_contacts_is_422(client: AsyncClient, env: ApiEnv) -> None:
    contacts = [person(f"p{n}@example.com") for n in range(251)]

    response = await _upload(env, contacts)

    assert response.status_code == 422
    assert response.json() == _invalid(
        {"field": "contacts", "issue": "Maximum 250 contacts allowed at a time."}
    )


@pytest.mark.parametrize(
    ("body", "field", "issue"),
    [
        ({"contacts": []}, "environmentId", "Invalid input: expected string, received undefined"),
        ({"environmentId": "A-B", "contacts": []}, "environmentId", "Invalid cuid2"),
        ({"environmentId": "abc"}, "contacts", "Invalid input: expected array, received undefined"),
        (
            {"environmentId": "abc", "contacts": [{"attributes": [{"value": "x"}]}]},
            "contacts.0.attributes.0.attributeKey",
            "Invalid input: expected object, received undefined",
        ),
        (
            {
                "environmentId": "abc",
                "contacts": [{"attributes": [{"attributeKey": {"key": "a"}, "value": "x"}]}],
            },
            "contacts.0.attributes.0.attributeKey.name",
            "Invalid input: expected string, received undefined",
        ),
        (
            {
                "environmentId": "abc",
                "contacts": [
                    {"attributes": [{"attributeKey": {"key": "a", "name": "A"}, "value": 1}]}
                ],
            },
            "contacts.0.attributes.0.value",
            "Invalid input: expected string, received number",
        ),
    ],
)
async def test_invalid_body_is_422(
    client: AsyncClient, env: ApiEnv, body: dict[str, Any], field: str, issue: str
) -> None:
    response = await client.put(BULK, json=body, headers=env.headers)

    assert response.status_code == 422
    assert response.json() == _invalid({"field": field, "issue": issue})


async def test_missing_api_key_is_401(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.put(BULK, json={"environmentId": "abc", "contacts": []})

    assert response.status_code == 401
    assert response.json() == {"error": {"code": 401, "message": "Unauthorized"}}


@pytest.mark.parametrize("granted", ["read", None])
async def test_upload_without_write_permission_is_403(
    client: AsyncClient, env: ApiEnv, granted: str | None
) -> None:
    other = await env.other_workspace()
    grants = [(env.environment_id, granted)] if granted else [(other.production.id, "manage")]
    limited = await env.make_key(grants)

    response = await client.put(
        BULK,
        json={"environmentId": env.environment_id, "contacts": [person("a@example.com")]},
        headers={"x-api-key": limited},
    )

    assert response.status_code == 403
    assert response.json() == {"error": {"code": 403, "message": "Forbidden"}}


@contextmanager
def _statements(client: AsyncClient) -> Iterator[list[str]]:
    engine = app_context(client.app).engine.sync_engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_250_contacts_take_a_handful_of_statements(client: AsyncClient, env: ApiEnv) -> None:
    await _upload(env, [person(f"p{n}@example.com", plan="free") for n in range(0, 250, 2)])
    contacts = [
        person(f"p{n}@example.com", userId=f"u-{n}", plan="pro", seats=str(n), city="Paris")
        for n in range(250)
    ]

    with _statements(client) as seen:
        response = await _upload(env, contacts)

    assert response.status_code == 200
    # 11 for the upload, savepoint included (its retry after a lost race needs one), and 2 for
    # the key's last-used write, which may land meanwhile.
    assert len(seen) <= 13, seen
    stored = await _contacts(env)
    assert len(stored) == 250
    assert stored["p0@example.com"] == {
        "email": "p0@example.com",
        "userId": "u-0",
        "plan": "pro",
        "seats": "0",
        "city": "Paris",
    }
