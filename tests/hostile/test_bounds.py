"""Each bound answered as upstream words its errors: integers, strings, JSON, dates, URLs."""

from typing import Any

import pytest
from httpx import AsyncClient

from surveylink.core.zod import MAX_SAFE_INTEGER
from tests.factories import E2E_SURVEY, ApiEnv
from tests.hostile.corpus import DEEP_ARRAY, DEEP_OBJECT, FORTY_THOUSAND_DIGITS, Seed

NAN = "Invalid input: expected number, received NaN"
TOO_BIG = f"Too big: expected number to be <={MAX_SAFE_INTEGER}"
MALFORMED = {
    "error": {
        "code": 400,
        "message": "Bad Request",
        "details": [
            {"field": "error", "issue": "Malformed JSON input, please check your request body"}
        ],
    }
}
V1_MALFORMED = {
    "code": "bad_request",
    "message": "Malformed JSON input, please check your request body",
    "details": {},
}


def unprocessable(field: str, issue: str) -> dict[str, Any]:
    return {
        "error": {
            "code": 422,
            "message": "Unprocessable Entity",
            "details": [{"field": field, "issue": issue}],
        }
    }


LISTS = [
    ("/api/v2/management/responses", "limit"),
    ("/api/v2/management/responses", "skip"),
    ("/api/v2/management/contact-attribute-keys", "limit"),
    ("/api/v2/management/contact-attribute-keys", "skip"),
    ("/api/v2/management/webhooks", "skip"),
    ("/api/v2/management/webhooks/{webhook}/deliveries", "skip"),
    ("/api/v2/management/surveys/abc/contact-links/contacts/def", "expirationDays"),
    ("/api/v2/management/surveys/abc/contact-links/segments/def", "skip"),
    ("/api/v2/management/surveys/abc/contact-links/segments/def", "expirationDays"),
]


@pytest.mark.parametrize(("path", "name"), LISTS)
@pytest.mark.parametrize(
    "value", [FORTY_THOUSAND_DIGITS, FORTY_THOUSAND_DIGITS + "x", "0x" + "f" * 40_000]
)
async def test_a_40000_digit_integer_is_not_a_number(
    client: AsyncClient, env: ApiEnv, seed: Seed, path: str, name: str, value: str
) -> None:
    response = await client.get(seed.fill(path), params={name: value}, headers=env.headers)

    assert response.status_code == 422
    assert response.json() == unprocessable(name, NAN)


@pytest.mark.parametrize(("path", "name"), [(p, n) for p, n in LISTS if n == "skip"])
@pytest.mark.parametrize("value", ["1e20", "9007199254740992", "1e308"])
async def test_a_skip_past_javascripts_exact_integers_is_too_big(
    client: AsyncClient, env: ApiEnv, seed: Seed, path: str, name: str, value: str
) -> None:
    response = await client.get(seed.fill(path), params={name: value}, headers=env.headers)

    assert response.status_code == 422
    assert response.json() == unprocessable(name, TOO_BIG)


async def test_the_largest_exact_skip_is_an_empty_page(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.get(
        "/api/v2/management/contact-attribute-keys",
        params={"skip": str(MAX_SAFE_INTEGER)},
        headers=env.headers,
    )

    assert response.status_code == 200
    assert response.json()["data"] == []


@pytest.mark.parametrize("name", ["limit", "offset"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (FORTY_THOUSAND_DIGITS, "Invalid {}: expected a whole number >= 0"),
        ("1e400", "Invalid {}: expected a whole number >= 0"),
        ("1e20", f"Invalid {{}}: expected a whole number <= {MAX_SAFE_INTEGER}"),
    ],
)
async def test_v1_survey_paging_refuses_huge_numbers(
    client: AsyncClient, env: ApiEnv, name: str, value: str, message: str
) -> None:
    response = await client.get(
        "/api/v1/management/surveys", params={name: value}, headers=env.headers
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": message.format(name),
        "details": {},
    }


@pytest.mark.parametrize(
    ("body", "field", "maximum"),
    [
        ({"key": "k" * 256, "name": None, "description": None}, "key", 255),
        ({"key": "plan", "name": "n" * 256, "description": None}, "name", 255),
        ({"key": "plan", "name": None, "description": "d" * 1001}, "description", 1000),
    ],
)
async def test_a_string_longer_than_its_column_is_422(
    client: AsyncClient, env: ApiEnv, body: dict[str, Any], field: str, maximum: int
) -> None:
    response = await client.post(
        "/api/v2/management/contact-attribute-keys",
        json={**body, "environmentId": env.environment_id},
        headers=env.headers,
    )

    assert response.status_code == 422
    issue = f"Too big: expected string to have <={maximum} characters"
    assert response.json() == unprocessable(field, issue)


async def test_a_contact_attribute_value_is_at_most_512_characters(
    client: AsyncClient, env: ApiEnv
) -> None:
    body = {
        "environmentId": env.environment_id,
        "attributes": {"email": "ada@example.com", "firstName": "A" * 513},
    }

    response = await client.post("/api/v2/management/contacts", json=body, headers=env.headers)

    assert response.status_code == 422
    issue = "Too big: expected string to have <=512 characters"
    assert response.json() == unprocessable("attributes.firstName", issue)


async def test_v1_strings_longer_than_their_column_are_v1_400s(
    client: AsyncClient, env: ApiEnv
) -> None:
    response = await client.post(
        "/api/v1/management/surveys",
        json={
            **E2E_SURVEY,
            "environmentId": env.environment_id,
            "name": "n" * 1001,
            "slug": "s" * 256,
        },
        headers=env.headers,
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": "Fields are missing or incorrectly formatted",
        "details": {
            "name": "Too big: expected string to have <=1000 characters",
            "slug": "Too big: expected string to have <=255 characters",
        },
    }


@pytest.mark.parametrize(
    "body",
    [
        b'{"surveyId": "abc", "finished": false, "data": {}, "ttc": {"q": NaN}}',
        b'{"surveyId": "abc", "finished": false, "data": {}, "variables": {"v": Infinity}}',
        b'{"surveyId": "abc", "finished": false, "data": {"q": -Infinity}}',
        b'{"surveyId": "abc", "finished": false, "data": {"q": 1e400}}',
        b'{"surveyId": "abc", "finished": false, "data": {"q": 1' + b"0" * 400 + b"}}",
        b'{"surveyId": "abc", "finished": false, "data": {"q": "a\\u0000b"}}',
        b'{"surveyId": "abc", "finished": false, "data": {"a\\u0000b": "q"}}',
        b'{"surveyId": "abc", "finished": false, "data": {"q": "\\ud800"}}',
        b'{"surveyId": "abc", "finished": false, "meta": {"url": "\\udfff"}, "data": {}}',
        DEEP_ARRAY.encode(),
        DEEP_OBJECT.encode(),
        b'{"data": ' + b'{"a": ' * 64 + b"1" + b"}" * 64 + b"}",
    ],
)
async def test_json_that_json_parse_or_the_database_refuses_is_malformed(
    client: AsyncClient, env: ApiEnv, body: bytes
) -> None:
    headers = {**env.headers, "content-type": "application/json"}

    refused = await client.post("/api/v2/management/responses", content=body, headers=headers)
    anonymous = await client.post(
        "/api/v2/management/responses",
        content=body,
        headers={"content-type": "application/json"},
    )
    v1 = await client.post("/api/v1/management/surveys", content=body, headers=headers)

    assert (refused.status_code, refused.json()) == (400, MALFORMED)
    assert anonymous.status_code == 401  # the key is checked first, as upstream
    assert (v1.status_code, v1.json()) == (400, V1_MALFORMED)


async def test_paired_surrogates_and_long_integers_are_read(
    client: AsyncClient, env: ApiEnv
) -> None:
    survey = await env.create_survey()
    body = (
        b'{"surveyId": "' + survey["id"].encode() + b'", "finished": false,'
        b' "data": {"q": "\\ud83d\\ude00"}, "meta": {"userAgent": {"browser": "x"}},'
        b' "ttc": {"q": 12345678901234567890}}'
    )
    headers = {**env.headers, "content-type": "application/json"}

    response = await client.post("/api/v2/management/responses", content=body, headers=headers)

    assert response.status_code == 201
    assert response.json()["data"]["data"] == {"q": "\U0001f600"}
    # Beyond 15 digits an integer is a double, as JavaScript reads it.
    assert response.json()["data"]["ttc"] == {"q": 1.2345678901234567e19}


@pytest.mark.parametrize(
    "moment",
    ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"],
)
async def test_a_date_without_a_utc_form_in_years_1_to_9999_is_422(
    client: AsyncClient, env: ApiEnv, moment: str
) -> None:
    survey = await env.create_survey()
    body = {"surveyId": survey["id"], "finished": False, "data": {}, "createdAt": moment}

    created = await client.post("/api/v2/management/responses", json=body, headers=env.headers)
    listed = await client.get(
        "/api/v2/management/responses", params={"startDate": moment}, headers=env.headers
    )

    issue = "Invalid input: expected date, received Date"
    assert (created.status_code, created.json()) == (422, unprocessable("createdAt", issue))
    assert (listed.status_code, listed.json()) == (422, unprocessable("startDate", issue))


NUL = "Invalid input: NUL characters are not allowed"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v2/management/responses?limit=5&contactId=a%00b", "contactId"),
        ("/api/v2/management/responses?a%00b=1", "ab"),
        ("/api/v2/management/responses/a%00b", "path"),
    ],
)
async def test_a_nul_in_the_url_is_422_on_its_parameter(
    client: AsyncClient, env: ApiEnv, url: str, field: str
) -> None:
    response = await client.get(url, headers=env.headers)

    assert response.status_code == 422
    assert response.json() == unprocessable(field, NUL)


async def test_an_encoded_percent_before_00_is_no_nul(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.get("/api/v2/management/responses?contactId=%2500", headers=env.headers)

    assert response.status_code == 200


async def test_a_nul_in_a_v1_url_is_a_v1_400(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.get(
        "/api/v1/management/contact-attribute-keys/a%00b", headers=env.headers
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": "Fields are missing or incorrectly formatted",
        "details": {"path": NUL},
    }
