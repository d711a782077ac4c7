"""Relative `/storage/…` URLs in a response's `data` are answered absolute, starting with
PUBLIC_URL, by the reads and PUTs of both API versions, as upstream's
resolveStorageUrlsInObject does; create and delete answer `data` as stored, and what is stored
stays relative."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from unittest.mock import ANY

import pytest
from httpx import ASGITransport, AsyncClient

from surveylink.app import create_app
from surveylink.auth import service as auth_service
from surveylink.core.config import Settings
from surveylink.core.context import app_context
from tests.factories import ApiEnv

V2 = "/api/v2/management/responses"
V1 = "/api/v1/management/responses"
PUBLIC_URL = "http://127.0.0.1:8080"
FILE = "report--fid--2f6c1a9e-8b1d-4c52-9a4e-0d6f5b7c3e21.pdf"
SCAN = "scan%20one--fid--7d0c9b1e-3a2f-4e6d-8c5b-1f2e3d4c5b6a.png"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A PUBLIC_URL unlike the test client's host, with the trailing slash people write."""
    return settings.model_copy(update={"public_url": PUBLIC_URL + "/"})


def stored_data(environment_id: str) -> dict[str, Any]:
    """A file answer as the respondent page stores it, next to strings that only look alike."""
    return {
        "doc": [
            f"/storage/{environment_id}/private/{FILE}",
            f"/storage/{environment_id}/public/{SCAN}",
        ],
        "matrix": {"row": f"/storage/{environment_id}/private/{FILE}"},
        "help": "/storage/help",
        "shared": f"/storage/{environment_id}/shared/{FILE}",
        "bare": f"/storage/{environment_id}/private/",
        "newline": f"/storage/{environment_id}/private/\nx.pdf",
        "prose": f"see /storage/{environment_id}/private/{FILE}",
        "absolute": f"http://127.0.0.1:9000/storage/{environment_id}/private/{FILE}",
        "score": 5,
    }


def absolute_data(environment_id: str) -> dict[str, Any]:
    return {
        **stored_data(environment_id),
        "doc": [
            f"{PUBLIC_URL}/storage/{environment_id}/private/{FILE}",
            f"{PUBLIC_URL}/storage/{environment_id}/public/{SCAN}",
        ],
        "matrix": {"row": f"{PUBLIC_URL}/storage/{environment_id}/private/{FILE}"},
    }


async def _created(env: ApiEnv) -> dict[str, Any]:
    survey = await env.create_survey()
    return await env.create_response(survey["id"], data=stored_data(env.environment_id))


def _v1(created: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    keys = ["id", "createdAt", "updatedAt", "surveyId", "finished", "endingId"]
    rest = ["meta", "ttc", "variables", "contactAttributes", "singleUseId", "language"]
    return {
        **{key: created[key] for key in keys},
        "data": data,
        **{key: created[key] for key in rest},
        "displayId": None,
        "contact": None,
        "tags": [],
    }


async def test_v2_create_answers_data_as_stored(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()

    response = await client.post(
        V2,
        json={"surveyId": survey["id"], "finished": False, "data": stored_data(env.environment_id)},
        headers=env.headers,
    )

    assert response.status_code == 201
    assert response.json()["data"]["data"] == stored_data(env.environment_id)


async def test_v2_get_answers_file_urls_absolute(client: AsyncClient, env: ApiEnv) -> None:
    created = await _created(env)

    response = await client.get(f"{V2}/{created['id']}", headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {"data": {**created, "data": absolute_data(env.environment_id)}}


async def test_v2_list_answers_file_urls_absolute(client: AsyncClient, env: ApiEnv) -> None:
    created = await _created(env)

    response = await client.get(V2, headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {"data": [{**created, "data": absolute_data(env.environment_id)}]}


async def test_v2_put_answers_absolute_and_stores_relative(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    created = await _created(env)

    response = await client.put(
        f"{V2}/{created['id']}", json={"data": stored_data(env.environment_id)}, headers=env.headers
    )

    assert response.status_code == 200
    assert response.json() == {
        "data": {**created, "updatedAt": ANY, "data": absolute_data(env.environment_id)}
    }
    async with _app(settings, "http://[::1]:9443") as elsewhere:
        read = await elsewhere.get(f"{V2}/{created['id']}", headers=env.headers)
    doc = read.json()["data"]["data"]["doc"]
    assert doc[0] == f"http://[::1]:9443/storage/{env.environment_id}/private/{FILE}"


async def test_v2_delete_answers_data_as_stored(client: AsyncClient, env: ApiEnv) -> None:
    created = await _created(env)

    response = await client.delete(f"{V2}/{created['id']}", headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {"data": created}


async def test_v1_get_answers_file_urls_absolute(client: AsyncClient, env: ApiEnv) -> None:
    created = await _created(env)

    response = await client.get(f"{V1}/{created['id']}", headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {"data": _v1(created, absolute_data(env.environment_id))}


async def test_v1_streamed_lists_answer_file_urls_absolute(
    client: AsyncClient, env: ApiEnv
) -> None:
    created = await _created(env)
    expected = {"data": [_v1(created, absolute_data(env.environment_id))]}

    everything = await client.get(V1, headers=env.headers)
    of_survey = await client.get(V1, params={"surveyId": created["surveyId"]}, headers=env.headers)

    assert (everything.status_code, everything.json()) == (200, expected)
    assert (of_survey.status_code, of_survey.json()) == (200, expected)


async def test_v1_put_answers_absolute_and_stores_relative(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey = await env.create_survey()
    created = await env.create_response(survey["id"], data={"help": "/storage/help"})

    response = await client.put(
        f"{V1}/{created['id']}", json={"data": stored_data(env.environment_id)}, headers=env.headers
    )

    assert response.status_code == 200
    assert response.json() == {
        "data": {**_v1(created, absolute_data(env.environment_id)), "updatedAt": ANY}
    }
    async with _app(settings, "http://[::1]:9443") as elsewhere:
        read = await elsewhere.get(f"{V1}/{created['id']}", headers=env.headers)
    doc = read.json()["data"]["data"]["doc"]
    assert doc[0] == f"http://[::1]:9443/storage/{env.environment_id}/private/{FILE}"


async def test_v1_create_and_delete_answer_data_as_stored(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey()
    body = {
        "environmentId": env.environment_id,
        "surveyId": survey["id"],
        "finished": False,
        "data": stored_data(env.environment_id),
    }

    created = await client.post(V1, json=body, headers=env.headers)
    deleted = await client.delete(f"{V1}/{created.json()['data']['id']}", headers=env.headers)

    assert created.status_code == 200
    assert created.json()["data"]["data"] == stored_data(env.environment_id)
    assert deleted.status_code == 200
    assert deleted.json() == created.json()


@asynccontextmanager
async def _app(settings: Settings, public_url: str) -> AsyncIterator[AsyncClient]:
    """Another app on the same database, whose PUBLIC_URL is `public_url`."""
    app = create_app(settings.model_copy(update={"public_url": public_url}))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as http:
        yield http
    await auth_service.drain()
    await app_context(app).close()
