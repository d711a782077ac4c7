"""Upstream's recall test cases (packages/surveys/src/lib/recall.test.ts at cc0eec3bf0) run
against our `recall`. Upstream's test mocks its date formatter; here the dates are what its
real formatter (`Intl.DateTimeFormat`, weekday/long month) writes, as Node printed them."""

import pytest
from pydantic import JsonValue

from surveylink.respondent.recall import recall

DATA: dict[str, JsonValue] = {
    "name": "John Doe",
    "email": "john.doe@example.com",
    "age": 30,
    "registrationDate": "2023-01-15",
    "tags": ["beta", "user"],
    "emptyArray": [],
}
VARIABLES: dict[str, JsonValue] = {
    "productName": "Formbricks",
    "userRole": "Admin",
    "lastLogin": "2024-03-10",
}
CASES = [
    (
        "Welcome, #recall:name/fallback:Guest#! Your email is #recall:email/fallback:N/A#.",
        "default",
        "Welcome, John Doe! Your email is john.doe@example.com.",
    ),
    (
        "Product: #recall:productName/fallback:N/A#. Role: #recall:userRole/fallback:User#.",
        "default",
        "Product: Formbricks. Role: Admin.",
    ),
    (
        "Your organization is #recall:orgName/fallback:DefaultOrg#.",
        "default",
        "Your organization is DefaultOrg.",
    ),
    (
        "Status: #recall:status/fallback:Pending&nbsp;Review#.",
        "default",
        "Status: Pending& ;Review.",
    ),
    (
        "Registered on: #recall:registrationDate/fallback:N/A#.",
        "default",
        "Registered on: Sunday, January 15, 2023.",
    ),
    (
        "Last login: #recall:lastLogin/fallback:N/A#.",
        "default",
        "Last login: Sunday, March 10, 2024.",
    ),
    (
        "Registered on: #recall:registrationDate/fallback:N/A#.",
        "fr-FR",
        "Registered on: dimanche 15 janvier 2023.",
    ),
    ("Tags: #recall:tags/fallback:none#.", "default", "Tags: beta, user."),
    (
        "Categories: #recall:emptyArray/fallback:No&nbsp;Categories#.",
        "default",
        "Categories: No& ;Categories.",
    ),
    (
        "Hi #recall:name/fallback:User#, welcome to #recall:productName/fallback:Our Product#. "
        "Your role is #recall:userRole/fallback:Member#.",
        "default",
        "Hi John Doe, welcome to Formbricks. Your role is Admin.",
    ),
    (
        "This is a normal text without recall info.",
        "default",
        "This is a normal text without recall info.",
    ),
    ("Value: #recall:nonExistent/fallback:FallbackValue#.", "default", "Value: FallbackValue."),
    ("Test: #recall:name#", "default", "Test: #recall:name#"),
    (
        "Details: #recall:extraInfo/fallback:Value&nbsp;With&nbsp;Spaces# and "
        "#recall:anotherInfo/fallback:Default#",
        "default",
        "Details: Value& ;With& ;Spaces and Default",
    ),
    ("Note: #recall:note/fallback:nbsp#.", "default", "Note: ."),
    ("Note: #recall:note/fallback:&nbsp;#.", "default", "Note: & ;."),
    ("Note: #recall:note/fallback:$nbsp;#.", "default", "Note: $ ;."),
    ("Age: #recall:age/fallback:?#", "default", "Age: 30"),  # ours: a number, as String() writes it
]


@pytest.mark.parametrize(("text", "language", "expected"), CASES)
def test_upstream_recall_case(text: str, language: str, expected: str) -> None:
    assert recall(text, DATA, VARIABLES, language) == expected


def test_a_recall_that_recalls_itself_stops() -> None:
    loop = "#recall:me/fallback:x#"

    data: dict[str, JsonValue] = {"me": loop}

    assert recall(loop, data, {}, "default") == loop
