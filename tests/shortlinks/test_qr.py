"""GET …/contact-links/contacts/{contactId}/qr: the link as a QR code, read back by zxing-cpp."""

import io
from typing import Any

import pytest
import resvg_py
import zxingcpp
from httpx import AsyncClient
from PIL import Image

from tests.factories import ApiEnv

QR = "/api/v2/management/surveys/{}/contact-links/contacts/{}/qr"


def _decoded(image: Image.Image) -> str:
    """What a QR reader finds in the image (on white, as printed)."""
    canvas = Image.new("RGB", image.size, "white")
    canvas.paste(image, mask=image.getchannel("A") if image.mode == "RGBA" else None)
    found = zxingcpp.read_barcodes(canvas)
    assert len(found) == 1
    return str(found[0].text)


def _png(body: bytes) -> str:
    return _decoded(Image.open(io.BytesIO(body)))


def _svg(body: bytes) -> str:
    # resvg renders the SVG; scale it up so each module is several pixels wide.
    svg = body.decode().replace("<svg ", '<svg style="background:white" ', 1)
    png = resvg_py.svg_to_bytes(svg_string=svg, zoom=8)
    return _decoded(Image.open(io.BytesIO(bytes(png))))


async def _live(env: ApiEnv) -> tuple[str, str]:
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com")
    return survey["id"], contact["id"]


async def _opens(client: AsyncClient, url: str) -> bool:
    page = await client.get(url.removeprefix("http://testserver"), follow_redirects=True)
    return page.status_code == 200 and "What would you like to know?" in page.text


async def test_default_is_svg_that_decodes_to_a_working_link(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey_id, contact_id = await _live(env)

    response = await client.get(QR.format(survey_id, contact_id), headers=env.headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    url = _svg(response.content)
    assert url.startswith("http://testserver/c/")
    assert await _opens(client, url)


@pytest.mark.parametrize(
    ("params", "accept"),
    [
        ({"format": "png"}, "*/*"),
        ({}, "image/png"),
        ({}, "image/svg+xml;q=0.5, image/png"),
    ],
)
async def test_png_by_format_or_accept(
    client: AsyncClient, env: ApiEnv, params: dict[str, str], accept: str
) -> None:
    survey_id, contact_id = await _live(env)

    response = await client.get(
        QR.format(survey_id, contact_id), params=params, headers={**env.headers, "accept": accept}
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert await _opens(client, _png(response.content))


async def test_short_qr_code_holds_the_short_link(client: AsyncClient, env: ApiEnv) -> None:
    survey_id, contact_id = await _live(env)

    response = await client.get(
        QR.format(survey_id, contact_id),
        params={"short": "true", "format": "png"},
        headers=env.headers,
    )

    url = _png(response.content)
    assert url.startswith("http://testserver/s/")
    assert await _opens(client, url)


def _error(code: int, message: str, *details: tuple[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if code not in (401, 403, 429):
        body["details"] = [{"field": field, "issue": issue} for field, issue in details]
    return {"error": body}


async def test_checks_come_in_the_seed_endpoints_order(client: AsyncClient, env: ApiEnv) -> None:
    survey_id, contact_id = await _live(env)
    app_survey = await env.create_survey(status="inProgress", type="app")
    await env.create_response(survey_id, contact_id, finished=True)
    bad = {"expirationDays": "0", "format": "gif"}

    no_key = await client.get(QR.format("BAD", "BAD"), params=bad)
    bad_query = await client.get(QR.format("BAD", "BAD"), params=bad, headers=env.headers)
    bad_path = await client.get(QR.format("BAD", "ok"), headers=env.headers)
    no_survey = await client.get(QR.format("nosurvey", contact_id), headers=env.headers)
    not_link = await client.get(QR.format(app_survey["id"], contact_id), headers=env.headers)
    no_contact = await client.get(QR.format(survey_id, "nocontact"), headers=env.headers)
    answered = await client.get(QR.format(survey_id, contact_id), headers=env.headers)

    assert no_key.json() == _error(401, "Unauthorized")
    assert bad_query.json() == _error(
        422,
        "Unprocessable Entity",
        ("expirationDays", "Too small: expected number to be >=1"),
        ("format", 'Invalid option: expected one of "svg"|"png"'),
    )
    assert bad_path.json() == _error(422, "Unprocessable Entity", ("surveyId", "Invalid cuid2"))
    assert no_survey.json() == _error(404, "Not Found", ("survey", "not found"))
    assert not_link.json() == _error(400, "Bad Request", ("surveyId", "Not a link survey"))
    assert no_contact.json() == _error(404, "Not Found", ("contact", "not found"))
    assert answered.json() == _error(400, "Bad Request", ("contactId", "Already responded"))
