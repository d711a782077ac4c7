"""File questions end to end: a file posted with the page's form (as a browser without
JavaScript posts it) is stored, answered as upstream's `/storage/…` URL and served back only
to API keys that may read the environment."""

import re
from typing import Any

from httpx import AsyncClient
from httpx import Response as HttpResponse

from surveylink.core.config import Settings
from tests.factories import ApiEnv
from tests.respondent.helpers import question, stored_responses, survey_and_link

PDF = b"%PDF-1.4\n" + b"x" * 5000 + b"\n%%EOF\n"
URL = re.compile(r"^/storage/([a-z0-9]+)/private/report--fid--[0-9a-f-]{36}\.pdf$")
KEPT = re.compile(r'name="doc" value="([^"]+)" checked')


def _file_question(**fields: Any) -> dict[str, Any]:
    defaults = {"allowMultipleFiles": False, "allowedFileExtensions": ["pdf", "png"]}
    return question("doc", "fileUpload", "Your report?", **{**defaults, **fields})


async def _post(
    client: AsyncClient, link: str, files: list[tuple[str, bytes]], **fields: str
) -> HttpResponse:
    parts = [("doc.upload", (name, content, "application/octet-stream")) for name, content in files]
    form = {"step": "0", "shown": "0", **fields}
    return await client.post(link, data=form, files=parts or [("doc.upload", ("", b"", ""))])


async def _answer(settings: Settings, survey_id: str) -> Any:
    [response] = await stored_responses(settings, survey_id)
    return response.data["doc"]


async def test_uploaded_file_is_answered_as_its_storage_url(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey, _, link = await survey_and_link(env, questions=[_file_question()])

    page = await client.get(link)
    posted = await _post(client, link, [("report.pdf", PDF)])

    assert 'enctype="multipart/form-data"' in page.text
    assert 'accept=".pdf,.png"' in page.text
    assert posted.status_code == 200
    [url] = await _answer(settings, survey["id"])
    assert URL.match(url)
    assert URL.match(url).group(1) == env.environment_id  # type: ignore[union-attr]


async def test_stored_file_is_served_to_a_key_that_may_read(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey, _, link = await survey_and_link(env, questions=[_file_question()])
    await _post(client, link, [("report.pdf", PDF)])
    [url] = await _answer(settings, survey["id"])
    reader = await env.make_key([(env.environment_id, "read")])

    served = await client.get(url, headers={"x-api-key": reader})

    assert served.status_code == 200
    assert served.content == PDF
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-length"] == str(len(PDF))
    assert served.headers["cache-control"] == "no-store, no-cache, must-revalidate"
    assert served.headers["content-security-policy"] == "sandbox; default-src 'none'"


async def test_api_answers_the_file_as_an_absolute_url_that_serves_it(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey, _, link = await survey_and_link(env, questions=[_file_question()])
    await _post(client, link, [("report.pdf", PDF)])
    [stored] = await _answer(settings, survey["id"])

    listed = await client.get(
        "/api/v2/management/responses", params={"surveyId": survey["id"]}, headers=env.headers
    )
    [url] = listed.json()["data"][0]["data"]["doc"]
    served = await client.get(url, headers=env.headers)

    assert url == "http://testserver" + stored  # PUBLIC_URL of the tests
    assert served.status_code == 200
    assert served.content == PDF


async def test_file_needs_a_key_in_upstreams_envelope(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    survey, _, link = await survey_and_link(env, questions=[_file_question()])
    await _post(client, link, [("report.pdf", PDF)])
    [url] = await _answer(settings, survey["id"])
    elsewhere = await env.make_key([(env.workspace.development.id, "manage")])

    anonymous = await client.get(url)
    wrong_key = await client.get(url, headers={"x-api-key": "fbk_unknown"})
    other_environment = await client.get(url, headers={"x-api-key": elsewhere})

    not_authenticated = {
        "code": "not_authenticated",
        "message": "Not authenticated",
        "details": {"x-Api-Key": "Header not provided or API Key invalid"},
    }
    assert anonymous.status_code == 401
    assert anonymous.json() == not_authenticated
    assert wrong_key.status_code == 401
    assert wrong_key.json() == not_authenticated
    assert other_environment.status_code == 401
    assert other_environment.json() == {
        "code": "unauthorized",
        "message": "You are not authorized to access this resource",
        "details": {},
    }


async def test_unknown_file_is_404_and_bad_paths_are_400(client: AsyncClient, env: ApiEnv) -> None:
    name = "gone--fid--00000000-0000-4000-8000-000000000000.pdf"

    missing = await client.get(f"/storage/{env.environment_id}/private/{name}", headers=env.headers)
    public = await client.get(f"/storage/{env.environment_id}/public/{name}")
    bad = await client.get("/storage/NOT-A-CUID/shared/noextension")

    assert missing.status_code == 404
    assert missing.json() == {
        "code": "not_found",
        "message": "file not found",
        "details": {"resource_id": name, "resource_type": "file"},
    }
    assert public.status_code == 404
    assert bad.status_code == 400
    assert bad.json() == {
        "code": "bad_request",
        "message": "Fields are missing or incorrectly formatted",
        "details": {
            "fileName": "File name must have an extension",
            "environmentId": "Invalid cuid2",
            "accessType": 'Invalid option: expected one of "public"|"private"',
        },
    }


async def test_file_of_a_refused_type_is_not_stored(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    _, _, link = await survey_and_link(env, questions=[_file_question()])

    refused = await _post(client, link, [("notes.txt", b"hello")])
    script = await _post(client, link, [("page.html", b"<script>")])

    assert refused.status_code == 422
    assert "No valid file types selected. Please select a valid file type." in refused.text
    assert script.status_code == 422
    assert not list((settings.data_dir / "uploads").rglob("*.*"))


async def test_file_over_the_questions_size_is_refused(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    _, _, link = await survey_and_link(env, questions=[_file_question(maxSizeInMB=1)])

    refused = await _post(client, link, [("report.pdf", b"%PDF" + b"0" * (1024 * 1024))])

    assert refused.status_code == 422
    assert "File should be less than 1 MB" in refused.text
    assert not list((settings.data_dir / "uploads").rglob("*.*"))


async def test_body_over_the_upload_cap_is_refused_unread(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    _, _, link = await survey_and_link(env, questions=[_file_question()])
    headers = {"content-type": "multipart/form-data; boundary=x", "content-length": str(10**12)}

    refused = await client.post(link, content=b"--x--\r\n", headers=headers)

    assert refused.status_code == 422
    assert "File should be less than 10 MB" in refused.text


async def test_required_file_question_without_a_file(client: AsyncClient, env: ApiEnv) -> None:
    _, _, link = await survey_and_link(env, questions=[_file_question()])

    refused = await _post(client, link, [])

    assert refused.status_code == 422
    assert "Please fill out this field" in refused.text


async def test_files_given_earlier_are_kept_and_new_ones_added(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    questions = [
        _file_question(allowMultipleFiles=True),
        question("note", "openText", "Anything else?", inputType="text"),
    ]
    survey, _, link = await survey_and_link(env, questions=questions)
    await _post(client, link, [("report.pdf", PDF)])
    await client.post(link, data={"step": "1", "action": "back"})
    back = await client.get(link)
    [kept] = KEPT.findall(back.text)

    again = await _post(client, link, [("scan.png", b"\x89PNG")], doc=kept.replace("&#34;", '"'))

    assert again.status_code == 303
    first, second = await _answer(settings, survey["id"])
    assert URL.match(first)
    assert re.match(r"^/storage/[a-z0-9]+/private/scan--fid--[0-9a-f-]{36}\.png$", second)


async def test_a_forged_file_reference_is_dropped(
    client: AsyncClient, env: ApiEnv, settings: Settings
) -> None:
    questions = [_file_question(required=False)]
    survey, _, link = await survey_and_link(env, questions=questions)
    forged = f"/storage/{env.environment_id}/private/secret--fid--x.pdf 0123456789abcdef"

    await _post(client, link, [], doc=forged)

    [response] = await stored_responses(settings, survey["id"])
    assert "doc" not in response.data
