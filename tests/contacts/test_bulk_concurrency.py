"""Simultaneous bulk uploads that introduce the same new attribute keys."""

import asyncio

from httpx import AsyncClient

from tests.contacts.test_bulk_upload import BULK, KEYS, SUCCESS, person
from tests.factories import ApiEnv

UPLOADS = 8


async def test_simultaneous_uploads_share_one_new_key(client: AsyncClient, env: ApiEnv) -> None:
    bodies = [
        {
            "environmentId": env.environment_id,
            # the new keys in both orders: the uploads must not deadlock on each other's keys
            "contacts": [
                person(f"p{n}@example.com", plan="pro", tier="gold")
                if n % 2
                else person(f"p{n}@example.com", tier="gold", plan="pro")
            ],
        }
        for n in range(UPLOADS)
    ]

    responses = await asyncio.gather(
        *(client.put(BULK, json=body, headers=env.headers) for body in bodies)
    )

    assert [response.status_code for response in responses] == [200] * UPLOADS
    assert [response.json() for response in responses] == [SUCCESS] * UPLOADS
    listed = await client.get(
        KEYS, params={"environmentId": env.environment_id, "limit": 250}, headers=env.headers
    )
    keys = [key for key in listed.json()["data"] if key["key"] in ("plan", "tier")]
    assert sorted(key["key"] for key in keys) == ["plan", "tier"]
    rows = await client.get("/api/v1/management/contact-attributes", headers=env.headers)
    values = {(row["attributeKeyId"], row["value"]) for row in rows.json()["data"]}
    assert {(key["id"], "pro" if key["key"] == "plan" else "gold") for key in keys} <= values
    assert len(rows.json()["data"]) == UPLOADS * 3  # email, plan and tier of every contact
