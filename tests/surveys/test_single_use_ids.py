"""v1 `GET /management/surveys/{surveyId}/singleUseIds` (v1 surveys spec §2.6)."""

import re

import pytest
from httpx import AsyncClient
from tests.conftest import ENCRYPTION_KEY
from tests.factories import ApiEnv

from surveylink.links import tokens


def _path(survey_id: str) -> str:
    return f"/api/v1/management/surveys/{survey_id}/singleUseIds"


def _bad_request(message: str) -> dict[str, object]:
    return {"code": "bad_request", "message": message, "details": {}}


async def test_ten_encrypted_links_by_default(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey(singleUse={"enabled": True, "isEncrypted": True})

    response = await client.get(_path(survey["id"]), headers=env.headers)

    assert response.status_code == 200
    urls = response.json()["data"]
    assert len(urls) == len(set(urls)) == 10
    prefix = f"http://testserver/s/{survey['id']}?suId="
    keys = tokens.LinkKeys.from_setting(ENCRYPTION_KEY)
    for url in urls:
        assert url.startswith(prefix)
        single_use_id = tokens.decrypt_id(url[len(prefix) :], keys.aes)
        assert re.fullmatch(r"[0-9a-z]{20,32}", single_use_id)


async def test_plain_ids_and_a_limit(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey(singleUse={"enabled": True, "isEncrypted": False})

    response = await client.get(_path(survey["id"]), params={"limit": "3"}, headers=env.headers)

    urls = response.json()["data"]
    assert [
        re.fullmatch(r"http://testserver/s/\w+\?suId=[0-9a-z]{20,32}", url) is not None
        for url in urls
    ] == [True] * 3


@pytest.mark.parametrize(
    ("limit", "message"),
    [("0", "Limit cannot be less than 1"), ("5001", "Limit cannot be more than 5000")],
)
async def test_limits_out_of_range_are_400(
    client: AsyncClient, env: ApiEnv, limit: str, message: str
) -> None:
    survey = await env.create_survey(singleUse={"enabled": True, "isEncrypted": False})

    response = await client.get(_path(survey["id"]), params={"limit": limit}, headers=env.headers)

    assert (response.status_code, response.json()) == (400, _bad_request(message))


async def test_a_non_numeric_limit_gives_none_as_upstream(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey(singleUse={"enabled": True, "isEncrypted": False})

    response = await client.get(_path(survey["id"]), params={"limit": "abc"}, headers=env.headers)

    assert (response.status_code, response.json()) == (200, {"data": []})


async def test_only_link_surveys_with_single_use_on(client: AsyncClient, env: ApiEnv) -> None:
    app_survey = await env.create_survey(
        type="app", singleUse={"enabled": True, "isEncrypted": True}
    )
    off = await env.create_survey()

    app = await client.get(_path(app_survey["id"]), headers=env.headers)
    disabled = await client.get(_path(off["id"]), headers=env.headers)

    assert (app.status_code, app.json()) == (
        400,
        _bad_request("Single use links are only available for link surveys"),
    )
    assert (disabled.status_code, disabled.json()) == (
        400,
        _bad_request("Single use links are not enabled for this survey"),
    )


async def test_unknown_foreign_and_malformed_survey_ids(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey(singleUse={"enabled": True, "isEncrypted": True})
    other = await env.other_workspace()
    outsider = await env.make_key(
        [(other.production.id, "read")], organization_id=other.organization.id
    )

    unknown = await client.get(_path("clsurv0000000000000000001"), headers=env.headers)
    foreign = await client.get(_path(survey["id"]), headers={"x-api-key": outsider})
    malformed = await client.get(_path("ABC"), headers=env.headers)

    assert unknown.status_code == 404
    assert unknown.json()["message"] == "Survey not found"
    assert foreign.status_code == 401
    assert foreign.json()["code"] == "unauthorized"
    assert malformed.status_code == 400
    assert malformed.json()["details"] == {"surveyId": "Invalid cuid2"}
