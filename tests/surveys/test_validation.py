"""v1 survey validation: upstream's messages and paths (v1 surveys spec §1.6, §2, §3, §4)."""

from typing import Any

import pytest

from surveylink.surveys.transform import blocks_to_questions, questions_to_blocks
from surveylink.surveys.validation import (
    SurveyValidationError,
    revalidate_create,
    validate_create,
    validate_update,
)

E2E_BODY = {
    "environmentId": "clenv0000000000000000000",
    "type": "link",
    "name": "My new Survey from API",
    "questions": [
        {
            "id": "jpvm9b73u06xdrhzi11k2h76",
            "type": "openText",
            "headline": {"default": "What would you like to know?"},
            "required": True,
            "inputType": "text",
            "subheader": {"default": "This is an example survey."},
            "placeholder": {"default": "Type your answer here..."},
            "charLimit": {"enabled": False},
        }
    ],
}
E2E_QUESTION = {
    "id": "jpvm9b73u06xdrhzi11k2h76",
    "type": "openText",
    "headline": {"default": "What would you like to know?"},
    "subheader": {"default": "This is an example survey."},
    "required": True,
    "placeholder": {"default": "Type your answer here..."},
    "inputType": "text",
    "insightsEnabled": False,
    "charLimit": {"enabled": False},
}
# §5's expected response, less what the service adds (id, dates, projectOverwrites, redirectUrl).
E2E_SURVEY = {
    "name": "My new Survey from API",
    "type": "link",
    "environmentId": "clenv0000000000000000000",
    "createdBy": None,
    "status": "draft",
    "welcomeCard": {"enabled": False, "timeToFinish": True, "showResponseCount": False},
    "questions": [E2E_QUESTION],
    "blocks": [],
    "endings": [],
    "hiddenFields": {"enabled": False},
    "variables": [],
    "displayOption": "displayOnce",
    "recontactDays": None,
    "displayLimit": None,
    "autoClose": None,
    "delay": 0,
    "displayPercentage": None,
    "autoComplete": None,
    "isVerifyEmailEnabled": False,
    "isSingleResponsePerEmailEnabled": False,
    "isBackButtonHidden": False,
    "isAutoProgressingEnabled": False,
    "isCaptureIpEnabled": False,
    "styling": None,
    "surveyClosedMessage": None,
    "singleUse": {"enabled": False, "isEncrypted": True},
    "pin": None,
    "showLanguageSwitch": None,
    "recaptcha": {"enabled": False, "threshold": 0.1},
    "metadata": {},
    "customHeadScripts": None,
    "customHeadScriptsMode": "add",
    "languages": [],
    "triggers": [],
    "segment": None,
    "followUps": [],
    "slug": None,
}
BASE = {"name": "x", "environmentId": "e"}
CUID = "clq1w2e3r4t5y6u7i8o9p0as"
OTHER_CUID = "clq1w2e3r4t5y6u7i8o9p0at"


def q(**fields: Any) -> dict[str, Any]:
    return {
        "id": "q1",
        "type": "openText",
        "headline": {"default": "Q?"},
        "required": False,
        **fields,
    }


def block(*elements: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"id": CUID, "name": "Block 1", "elements": list(elements), **fields}


def choices(*labels: str) -> list[dict[str, Any]]:
    return [{"id": f"c{i}", "label": {"default": label}} for i, label in enumerate(labels)]


def pictures(*urls: str) -> list[dict[str, Any]]:
    return [{"id": f"p{i}", "imageUrl": url} for i, url in enumerate(urls)]


def toggle(show: bool, placeholder: str = "x") -> dict[str, Any]:
    return {"show": show, "required": False, "placeholder": {"default": placeholder}}


def create_error(body: object) -> dict[str, str]:
    with pytest.raises(SurveyValidationError) as caught:
        validate_create(body)
    return caught.value.details


def update_error(merged: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(SurveyValidationError) as caught:
        validate_update(merged)
    return caught.value.details


# --- accepted bodies -------------------------------------------------------------------------


def test_e2e_payload_is_accepted_and_defaulted() -> None:
    assert validate_create(E2E_BODY) == E2E_SURVEY


def test_e2e_question_round_trips_through_blocks() -> None:
    questions = validate_create(E2E_BODY)["questions"]

    assert blocks_to_questions(questions_to_blocks(questions, [])) == [E2E_QUESTION]


def test_smallest_body_gains_question_defaults() -> None:
    survey = validate_create({**BASE, "questions": [q()]})

    assert survey["questions"] == [
        q(inputType="text", insightsEnabled=False, charLimit={"enabled": False})
    ]
    assert survey["type"] == "link"
    assert survey["status"] == "draft"


def test_unknown_and_create_excluded_keys_are_dropped_at_every_level() -> None:
    body = {
        **BASE,
        "id": CUID,
        "createdAt": "2026-01-01T00:00:00.000Z",
        "updatedAt": "2026-01-01T00:00:00.000Z",
        "projectOverwrites": {"brandColor": "#fff"},
        "redirectUrl": "https://example.com",
        "surprise": 1,
        "welcomeCard": {"enabled": False, "extra": True},
        "questions": [q(extra="x", headline={"default": "Q?", "fr": "Q ?"}, isDraft=True)],
    }

    survey = validate_create(body)

    for key in ("id", "createdAt", "updatedAt", "projectOverwrites", "redirectUrl", "surprise"):
        assert key not in survey
    assert survey["welcomeCard"] == {
        "enabled": False,
        "timeToFinish": True,
        "showResponseCount": False,
    }
    assert "extra" not in survey["questions"][0]
    assert survey["questions"][0]["headline"] == {"default": "Q?", "fr": "Q ?"}


def test_blocks_body_is_accepted_and_drafts_are_dropped() -> None:
    survey = validate_create({**BASE, "blocks": [block(q(isDraft=False))]})

    assert survey["questions"] == []
    assert survey["blocks"][0]["elements"][0] == q(
        inputType="text", insightsEnabled=False, charLimit={"enabled": False}
    )


def test_given_nullables_and_variable_defaults_are_kept() -> None:
    survey = validate_create(
        {
            **BASE,
            "questions": [q()],
            "singleUse": None,
            "customHeadScriptsMode": None,
            "pin": "1 2!",
            "variables": [{"id": CUID, "name": "score", "type": "number"}],
            "recaptcha": {"enabled": True, "threshold": 0.3},
        }
    )

    assert survey["singleUse"] is None
    assert survey["customHeadScriptsMode"] is None
    assert survey["pin"] == "1 2!"  # four characters of any kind
    assert survey["variables"] == [{"id": CUID, "name": "score", "type": "number", "value": 0}]


# --- rejected bodies -------------------------------------------------------------------------

MISSING_STRING = "Invalid input: expected string, received undefined"
BOTH = "Cannot provide both questions and blocks. Please provide only one of these fields."
EMPTY = "Must provide either questions or blocks. Both cannot be empty."
ALNUM = "Question id not allowed, use only alphanumeric characters, hyphens, or underscores."
NOT_A_URL = "Must be a valid URL or a relative storage path (/storage/...)"
NO_BUTTON_URL = "Question 1: Button URL is required when external button is enabled"
NO_FIRST_NAME = "Label for field First Name in question 1 is missing"
NO_EXTENSIONS = "Question 1 must have atleast one allowed file extension"
BAD_VARIABLE_NAME = "Variable name can only contain lowercase letters, numbers, and underscores"
BAD_HIDDEN_FIELD = (
    "Hidden field id not allowed, use only alphanumeric characters, hyphens, or underscores."
)
NOT_A_COLOR = (
    "Invalid string: must match pattern "
    "/^#(?:[A-Fa-f0-9]{3}|[A-Fa-f0-9]{4}|[A-Fa-f0-9]{6}|[A-Fa-f0-9]{8})$/"
)
FEW_PICTURES = "Picture Selection element must have a minimum of 2 choices"
REUSED_ELEMENT = (
    'Element ID "q1" is used in multiple blocks. Element IDs must be unique across all blocks.'
)
NO_ELEMENT_URL = "Element 1 in block 1: Button URL is required when external button is enabled"
NO_CTA_LABEL = "The ctaButtonLabel in question 1 of block 1 is missing"
NO_ELEMENT_FIRST_NAME = "Label for field First Name in question 1 of block 1 is missing"
BAD_DISPLAY_OPTION = (
    'Invalid option: expected one of "displayOnce"|"displayMultiple"|"respondMultiple"|'
    '"displaySome"'
)

CREATE_ERRORS: list[tuple[object, dict[str, str]]] = [
    ({}, {"name": MISSING_STRING, "environmentId": MISSING_STRING}),
    (BASE, {"questions": EMPTY}),
    (None, {"": "Invalid input: expected object, received null"}),
    ([], {"": "Invalid input: expected object, received array"}),
    (
        {**BASE, "questions": [q()], "blocks": [block(q(id="q2"))]},
        {
            "questions": BOTH,
            "blocks": "Survey cannot have both questions and blocks. Use one model.",
        },
    ),
    (
        {**BASE, "type": "survey", "questions": [q(headline={"default": ""})]},
        {"type": 'Invalid option: expected one of "link"|"app"'},
    ),
    (
        {**BASE, "name": 5, "questions": [q()]},
        {"name": "Invalid input: expected string, received number"},
    ),
    (
        {**BASE, "status": "scheduled", "questions": [q()]},
        {"status": 'Invalid option: expected one of "draft"|"inProgress"|"paused"|"completed"'},
    ),
    (
        {**BASE, "delay": None, "questions": [q()]},
        {"delay": "Invalid input: expected number, received null"},
    ),
    (
        {**BASE, "questions": [{"id": "q1", "type": "openText", "headline": {"default": "Q"}}]},
        {"questions.0": "Invalid input"},
    ),
    (
        {**BASE, "questions": [q(type="rating", scale="number", range=8)]},
        {"questions.0": "Invalid input"},
    ),
    ({**BASE, "questions": [q(type="slider")]}, {"questions.0": "Invalid input"}),
    (
        {**BASE, "questions": "nope"},
        {"questions": "Invalid input: expected array, received string"},
    ),
    (
        {**BASE, "questions": [q(type="multipleChoiceSingle", choices=choices("A"))]},
        {"questions.0.choices": "Multiple Choice Question must have at least two choices"},
    ),
    ({**BASE, "questions": [q(id="end")]}, {"questions.0.id": "Question id is not allowed"}),
    ({**BASE, "questions": [q(id="a b")]}, {"questions.0.id": ALNUM}),
    ({**BASE, "questions": [q(id="a.b")]}, {"questions.0.id": ALNUM}),
    ({**BASE, "questions": [q(), q()]}, {"questions.1.id": "Question IDs must be unique"}),
    (
        {**BASE, "questions": [q(headline={"default": ""})]},
        {"questions.0.headline": "The question in question 1 is missing"},
    ),
    (
        {**BASE, "questions": [q(headline={"en": "Hi"})]},
        {"questions.0.headline": "The question in question 1 is missing"},
    ),
    (
        {**BASE, "questions": [q(headline={"default": "<p><br></p>"})]},
        {"questions.0.headline": "The question in question 1 is missing"},
    ),
    (  # soft issues do not stop phase 2: both are reported
        {**BASE, "questions": [q(id="end", headline={"default": " "})]},
        {
            "questions.0.id": "Question id is not allowed",
            "questions.0.headline": "The question in question 1 is missing",
        },
    ),
    (
        {**BASE, "questions": [q(subheader={"default": "<b></b>"})]},
        {"questions.0.subheader": "The description in question 1 is missing"},
    ),
    (
        {**BASE, "questions": [q(), q(id="q2", backButtonLabel={"default": "<p></p>"})]},
        {"questions.1.backButtonLabel": "The back button label in question 2 is missing"},
    ),
    (
        {**BASE, "questions": [q(charLimit={"enabled": True})]},
        {"questions.0": "Enter the values for either minimum or maximum field"},
    ),
    (
        {**BASE, "questions": [q(charLimit={"min": -1, "max": -2})]},
        {"questions.0": "Minimum value cannot be greater than the maximum value"},
    ),
    (
        {**BASE, "questions": [q(charLimit={"min": -1})]},
        {"questions.0": "The character limit values should be positive"},
    ),
    (
        {**BASE, "questions": [q(type="multipleChoiceMulti", choices=choices("A", "A "))]},
        {"questions.0.choices": "Question 1 has duplicate choice labels "},
    ),
    (
        {**BASE, "questions": [q(type="ranking", choices=choices("A", ""))]},
        {"questions.0.Choice 2": "Choice 2 in question 1 is missing"},
    ),
    (
        {**BASE, "questions": [q(type="ranking", choices=choices("A"))]},
        {"questions.0.choices": "Ranking Question must have at least two options"},
    ),
    (
        {**BASE, "questions": [q(type="ranking", choices=choices(*map(str, range(26))))]},
        {"questions.0.choices": "Ranking Question can have at most 25 options"},
    ),
    (
        {
            **BASE,
            "questions": [
                q(
                    type="pictureSelection",
                    choices=pictures("/storage/a/public/x.png"),
                )
            ],
        },
        {"questions.0.choices": "Picture Selection question must have atleast 2 choices"},
    ),
    (
        {
            **BASE,
            "questions": [q(type="pictureSelection", choices=pictures("a.png", "b.png"))],
        },
        {
            "questions.0.choices.0.imageUrl": NOT_A_URL,
            "questions.0.choices.1.imageUrl": NOT_A_URL,
        },
    ),
    (
        {**BASE, "questions": [q(type="consent", label={"default": ""})]},
        {"questions.0.consent.label": "The checkbox label in question 1 is missing"},
    ),
    (
        {**BASE, "questions": [q(type="cta", buttonExternal=True)]},
        {"questions.0.buttonUrl": NO_BUTTON_URL},
    ),
    (
        {**BASE, "questions": [q(type="cta", buttonExternal=True, buttonUrl="http://example.com")]},
        {"questions.0.buttonUrl": "Question 1: URL must start with https:// or mailto:"},
    ),
    (
        {**BASE, "questions": [q(type="cta", buttonExternal=True, buttonUrl="https://a b.com")]},
        {"questions.0.buttonUrl": "Question 1: URL must not contain spaces"},
    ),
    (
        {**BASE, "questions": [q(type="cta", buttonExternal=True, buttonUrl="https://example")]},
        {"questions.0.buttonUrl": "Question 1: URL is not valid"},
    ),
    ({**BASE, "questions": [q(type="cta")]}, {"questions.0": "Invalid input"}),
    (
        {**BASE, "questions": [q(type="matrix", rows=choices(""), columns=choices("A", "A"))]},
        {
            "questions.0.Row 1": "Row 1 in question 1 is missing",
            "questions.0.columns": "Question 1 has duplicate column labels ",
        },
    ),
    (
        {
            **BASE,
            "questions": [
                q(
                    type="address",
                    **{
                        f: toggle(False)
                        for f in ("addressLine1", "addressLine2", "city", "state", "zip", "country")
                    },
                )
            ],
        },
        {"questions.0": "At least one field must be shown in the Address question"},
    ),
    (
        {
            **BASE,
            "questions": [
                q(
                    type="address",
                    **{
                        f: toggle(False)
                        for f in ("addressLine1", "addressLine2", "state", "zip", "country")
                    },
                    city=toggle(True, ""),
                )
            ],
        },
        {"questions.0.Label for field City": "Label for field City in question 1 is missing"},
    ),
    (
        {
            **BASE,
            "questions": [
                q(
                    type="contactInfo",
                    **{
                        f: toggle(f == "firstName", "")
                        for f in ("firstName", "lastName", "email", "phone", "company")
                    },
                )
            ],
        },
        {"questions.0.Label for field First Name": NO_FIRST_NAME},
    ),
    (
        {
            **BASE,
            "questions": [q(type="fileUpload", allowMultipleFiles=False, allowedFileExtensions=[])],
        },
        {"questions.0.allowedFileExtensions": NO_EXTENSIONS},
    ),
    (
        {
            **BASE,
            "questions": [
                q(type="fileUpload", allowMultipleFiles=False, allowedFileExtensions=["exe"])
            ],
        },
        {"questions.0": "Invalid input"},
    ),
    (
        {**BASE, "questions": [q(type="cal", calUserName="ada", calHost="localhost")]},
        {"questions.0.calHost": "Question 1 must have a valid host name"},
    ),
    (
        {**BASE, "questions": [q(type="cal", calUserName="")]},
        {"questions.0.calUserName": "Cal user name is required"},
    ),
    ({**BASE, "questions": [q(type="date", format="d/m/y")]}, {"questions.0": "Invalid input"}),
    (
        {**BASE, "questions": [q()], "welcomeCard": {"enabled": True}},
        {"welcomeCard": "Welcome card must have a headline"},
    ),
    (
        {**BASE, "questions": [q()], "welcomeCard": {"enabled": True, "headline": {"default": ""}}},
        {"welcomeCard.cardHeadline": "The note on the Welcome card is missing"},
    ),
    (
        {**BASE, "questions": [q()], "welcomeCard": {}},
        {"welcomeCard.enabled": "Invalid input: expected boolean, received undefined"},
    ),
    (
        {**BASE, "questions": [q()], "endings": [{"id": CUID, "type": "endScreen"}]},
        {"endings.0.cardHeadline": "The note on the Ending card 1 is missing"},
    ),
    (
        {
            **BASE,
            "questions": [q()],
            "endings": [
                {
                    "id": CUID,
                    "type": "endScreen",
                    "headline": {"default": "Bye"},
                    "buttonLink": "ftp://x",
                }
            ],
        },
        {
            "endings.0.buttonLink": "Ending card 1: URL must start with http:// or https://",
            "endings.0.buttonLabel": "Ending card 1: Button label cannot be empty",
        },
    ),
    (
        {
            **BASE,
            "questions": [q()],
            "endings": [
                {
                    "id": CUID,
                    "type": "endScreen",
                    "headline": {"default": "Bye"},
                    "buttonLabel": {"default": "Go"},
                }
            ],
        },
        {"endings.0.buttonLink": "Ending card 1: Button link cannot be empty"},
    ),
    (
        {
            **BASE,
            "questions": [q()],
            "endings": [{"id": CUID, "type": "redirectToUrl", "url": "example.com"}],
        },
        {
            "endings.0.url": "Ending card 1: URL must start with http:// or https://",
            "endings.0.label": "Redirect Url label cannot be empty for ending Card 1.",
        },
    ),
    (
        {
            **BASE,
            "questions": [q()],
            "endings": [{"id": CUID, "type": "redirectToUrl", "label": "Go"}],
        },
        {"endings.0.url": "Ending card 1: Redirect URL cannot be empty"},
    ),
    (
        {
            **BASE,
            "questions": [q()],
            "endings": [{"id": "ABC", "type": "endScreen", "headline": {"default": "Bye"}}],
        },
        {"endings.0.id": "Invalid cuid2"},
    ),
    (
        {**BASE, "questions": [q()], "endings": [{"id": CUID, "type": "thanks"}]},
        {"endings.0": "Invalid input"},
    ),
    (
        {
            **BASE,
            "questions": [q()],
            "variables": [{"id": CUID, "name": "Score", "type": "number"}],
        },
        {"variables.0.variables": BAD_VARIABLE_NAME},
    ),
    (
        {
            **BASE,
            "questions": [q()],
            "variables": [
                {"id": CUID, "name": "a", "type": "number"},
                {"id": CUID, "name": "a", "type": "text"},
            ],
        },
        {"variables.variables": "Variable names must be unique"},
    ),
    (
        {**BASE, "questions": [q()], "variables": [{"id": CUID, "name": "a", "type": "date"}]},
        {"variables.0.type": "Invalid input"},
    ),
    (
        {
            **BASE,
            "questions": [q()],
            "variables": [{"id": CUID, "name": "a", "type": "text", "value": 1}],
        },
        {"variables.0.value": "Invalid input: expected string, received number"},
    ),
    (
        {
            **BASE,
            "questions": [q()],
            "hiddenFields": {"enabled": True, "fieldIds": ["source", "a b"]},
        },
        {
            "hiddenFields.fieldIds.0": "Hidden field id is not allowed",
            "hiddenFields.fieldIds.1": BAD_HIDDEN_FIELD,
        },
    ),
    (
        {**BASE, "questions": [q()], "hiddenFields": {}},
        {"hiddenFields.enabled": "Invalid input: expected boolean, received undefined"},
    ),
    ({**BASE, "questions": [q()], "pin": "123"}, {"pin": "PIN must be a four digit number"}),
    (
        {**BASE, "questions": [q()], "pin": 1234},
        {"pin": "Invalid input: expected string, received number"},
    ),
    (
        {**BASE, "questions": [q()], "slug": "My Survey"},
        {"slug": "Slug can only contain lowercase letters, numbers, and hyphens"},
    ),
    (
        {**BASE, "questions": [q()], "recaptcha": {"enabled": True, "threshold": 0.05}},
        {"recaptcha.threshold": "Invalid number: must be a multiple of 0.1"},
    ),
    (
        {**BASE, "questions": [q()], "recaptcha": {"enabled": True, "threshold": 1}},
        {"recaptcha.threshold": "Too big: expected number to be <=0.9"},
    ),
    (
        {**BASE, "questions": [q()], "autoComplete": 0},
        {"autoComplete": "Response limit must be greater than 0"},
    ),
    (
        {**BASE, "questions": [q()], "displayPercentage": 0},
        {"displayPercentage": "Too small: expected number to be >=0.01"},
    ),
    (
        {**BASE, "questions": [q()], "displayPercentage": 100.5},
        {"displayPercentage": "Too big: expected number to be <=100"},
    ),
    (
        {
            **BASE,
            "questions": [q()],
            "languages": [
                {
                    "language": {
                        "id": CUID,
                        "createdAt": "2026-01-01",
                        "updatedAt": "2026-01-01",
                        "code": "de",
                        "alias": None,
                        "projectId": CUID,
                    },
                    "default": False,
                    "enabled": True,
                }
            ],
        },
        {
            "languages.0.language.createdAt": "Invalid input: expected date, received string",
            "languages.0.language.updatedAt": "Invalid input: expected date, received string",
        },
    ),
    (
        {**BASE, "questions": [q()], "styling": {"brandColor": {"light": "red"}}},
        {"styling.brandColor.light": NOT_A_COLOR},
    ),
    (
        {
            **BASE,
            "questions": [q(type="openText", inputType="email")],
            "hiddenFields": {"enabled": False},  # upstream crashes (500) without it
            "followUps": [
                {
                    "id": CUID,
                    "name": "Thanks",
                    "surveyId": CUID,
                    "trigger": {"type": "endings", "properties": {"endingIds": []}},
                    "action": {
                        "type": "send-email",
                        "properties": {
                            "to": "nobody",
                            "from": "team@example.com",
                            "replyTo": ["team@example.com"],
                            "subject": "Hi",
                            "body": "<p>Thanks</p>",
                            "attachResponseData": False,
                        },
                    },
                }
            ],
        },
        {"followUps": "The trigger in follow up 1 has no ending selected"},
    ),
]


@pytest.mark.parametrize(("body", "expected"), CREATE_ERRORS)
def test_create_reports_upstream_messages(body: object, expected: dict[str, str]) -> None:
    assert create_error(body) == expected


def test_logic_jump_cycle_is_reported_for_both_questions() -> None:
    def jumps(source: str, target: str) -> list[dict[str, Any]]:
        condition = {
            "id": f"c{source}",
            "leftOperand": {"type": "question", "value": source},
            "operator": "isSubmitted",
        }
        return [
            {
                "id": f"r{source}",
                "conditions": {"id": f"g{source}", "connector": "and", "conditions": [condition]},
                "actions": [{"id": f"a{source}", "objective": "jumpToQuestion", "target": target}],
            }
        ]

    body = {**BASE, "questions": [q(logic=jumps("q1", "q2")), q(id="q2", logic=jumps("q2", "q1"))]}

    message = (
        "Conditional Logic: Cyclic logic detected \U0001f503 Please check the logic of question {}."
    )
    assert create_error(body) == {
        "questions.1.logic": message.format(2),
        "questions.0.logic": message.format(1),
    }


def test_malformed_logic_fails_the_question() -> None:
    logic = [
        {"id": "r1", "conditions": {"id": "g", "connector": "xor", "conditions": []}, "actions": []}
    ]

    assert create_error({**BASE, "questions": [q(logic=logic)]}) == {"questions.0": "Invalid input"}


# --- blocks ----------------------------------------------------------------------------------

LOGIC = "Conditional Logic: "
JUMP_RULE = {
    "id": "r1",
    "conditions": {
        "id": "g1",
        "connector": "and",
        "conditions": [
            {
                "id": "c1",
                "leftOperand": {"type": "element", "value": "q1"},
                "operator": "isSubmitted",
            }
        ],
    },
    "actions": [],
}

BLOCK_ERRORS: list[tuple[list[Any], dict[str, str]]] = [
    (
        [{"id": "NOT-CUID", "name": "", "elements": []}],
        {
            "blocks.0.id": "Invalid cuid2",
            "blocks.0.name": "Block name is required",
            "blocks.0.elements": "Block must have at least one element",
            "questions": "Survey must have either questions or blocks with elements",
        },
    ),
    (
        [block(q(headline={"default": ""}))],
        {"blocks.0.elements.0.headline": "The question in question 1 of block 1 is missing"},
    ),
    ([block(q(id="end"))], {"blocks.0.elements.0.id": "Element id is not allowed"}),
    ([block({"id": "q1", "type": "openText"})], {"blocks.0.elements.0": "Invalid input"}),
    (
        [block(q(type="multipleChoiceSingle", choices=choices("A")))],
        {"blocks.0.elements.0.choices": "Multiple Choice Element must have at least two choices"},
    ),
    (
        [
            block(
                q(
                    type="pictureSelection",
                    choices=pictures("/storage/a/public/x.png"),
                )
            )
        ],
        {"blocks.0.elements.0.choices": FEW_PICTURES},
    ),
    (
        [block(q(type="ranking", choices=choices("A", "")))],
        {"blocks.0.elements.0.choices.1": "Choice 2 in question 1 of block 1 is missing"},
    ),
    (
        [block(q(), q())],
        {
            "blocks.0.1.id": "Element IDs must be unique within a block",
            "blocks.0.elements.1.id": REUSED_ELEMENT,
        },
    ),
    (
        [block(q()), {**block(q()), "id": OTHER_CUID}],
        {"blocks.1.elements.0.id": REUSED_ELEMENT},
    ),
    (  # upstream's cycle finder then sees the block's "next block" as itself
        [block(q()), block(q(id="q2"))],
        {
            "blocks.1.id": "Block IDs must be unique",
            "blocks.0.logic": "Conditional Logic: Cyclic logic detected in block 1 (Block 1).",
        },
    ),
    (
        [block(q(type="cta", buttonExternal=True))],
        {
            "blocks.0.elements.0.buttonUrl": NO_ELEMENT_URL,
            "blocks.0.elements.0.ctaButtonLabel": NO_CTA_LABEL,
        },
    ),
    (
        [block(q(type="consent", label={"default": ""}))],
        {"blocks.0.elements.0.label": "The checkbox label in question 1 of block 1 is missing"},
    ),
    (
        [
            block(
                q(
                    type="contactInfo",
                    **{
                        f: toggle(f == "firstName", "")
                        for f in ("firstName", "lastName", "email", "phone", "company")
                    },
                )
            )
        ],
        {"blocks.0.elements.0.firstname": NO_ELEMENT_FIRST_NAME},
    ),
    (
        [block(q(), logicFallback=CUID)],
        {
            "blocks.0": "Conditional Logic: Fallback logic is defined without any logic in block 1",
            "blocks.0.logic": "Conditional Logic: Cyclic logic detected in block 1 (Block 1).",
        },
    ),
    (
        [block(q(), logic=[JUMP_RULE], logicFallback=OTHER_CUID)],
        {"blocks.0": f"{LOGIC}Fallback block ID {OTHER_CUID} does not exist in block 1"},
    ),
]


@pytest.mark.parametrize(("blocks", "expected"), BLOCK_ERRORS)
def test_blocks_report_upstream_messages(blocks: list[Any], expected: dict[str, str]) -> None:
    assert create_error({**BASE, "blocks": blocks}) == expected


def test_second_pass_rejects_an_external_cta_without_button_label() -> None:
    cta = q(type="cta", buttonExternal=True, buttonUrl="https://example.com")
    survey = validate_create({**BASE, "questions": [cta]})
    survey["blocks"], survey["questions"] = questions_to_blocks(survey["questions"]), []

    with pytest.raises(SurveyValidationError) as caught:
        revalidate_create(survey)

    assert caught.value.details == {"blocks.0.elements.0.ctaButtonLabel": NO_CTA_LABEL}


def test_second_pass_accepts_the_converted_e2e_survey() -> None:
    survey = validate_create(E2E_BODY)
    survey["blocks"], survey["questions"] = questions_to_blocks(survey["questions"]), []

    assert revalidate_create(survey)["blocks"] == survey["blocks"]


# --- update ----------------------------------------------------------------------------------


def stored_survey() -> dict[str, Any]:
    """The read shape of the e2e survey as the service merges it (§2.4 step 6)."""
    survey = validate_create(E2E_BODY)
    survey["blocks"], survey["questions"] = questions_to_blocks(survey["questions"]), []
    del survey["segment"]  # stored as segmentId, which validation drops
    return {
        **survey,
        "id": "clv1surveyid0000000000000",
        "createdAt": "2026-04-13T11:22:50.123Z",
        "updatedAt": "2026-04-13T11:22:50.123Z",
        "projectOverwrites": None,
        "redirectUrl": None,
        "segmentId": None,
    }


def test_update_accepts_a_renamed_survey() -> None:
    updated = validate_update({**stored_survey(), "name": "My updated Survey from API"})

    assert updated["name"] == "My updated Survey from API"
    assert "redirectUrl" not in updated
    assert updated["createdAt"] == "2026-04-13T11:22:50.123Z"


def test_update_needs_questions_or_blocks_with_elements() -> None:
    assert update_error({**stored_survey(), "blocks": []}) == {
        "questions": "Survey must have either questions or blocks with elements"
    }


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ({"id": "q1", "type": "openText"}, {"blocks.0.elements.0": "Invalid input"}),
        (
            q(headline={"default": ""}),
            {"blocks.0.elements.0.headline": "The question in question 1 of block 1 is missing"},
        ),
        (q(id="end"), {"blocks.0.elements.0.id": "Element id is not allowed"}),
    ],
)
def test_update_reports_converted_questions_under_block_paths(
    question: dict[str, Any], expected: dict[str, str]
) -> None:
    merged = {**stored_survey(), "blocks": questions_to_blocks([question]), "questions": []}

    assert update_error(merged) == expected


def test_update_checks_every_field_and_coerces_dates() -> None:
    merged = {**stored_survey(), "createdAt": "yesterday", "status": None}
    del merged["displayOption"]

    assert update_error(merged) == {
        "status": 'Invalid option: expected one of "draft"|"inProgress"|"paused"|"completed"',
        "displayOption": BAD_DISPLAY_OPTION,
        "createdAt": "Invalid input: expected date, received Date",
    }


def test_ending_ids_must_be_unique_on_update_only() -> None:
    ending = {"id": CUID, "type": "redirectToUrl", "url": "https://a.com", "label": "A"}
    # create re-declares endings without upstream's unique-id check
    assert validate_create({**BASE, "questions": [q()], "endings": [ending, ending]})

    assert update_error({**stored_survey(), "endings": [ending, ending]}) == {
        "endings.1.id": "Ending IDs must be unique"
    }


def test_question_fallback_is_checked_when_the_question_has_logic() -> None:
    body = {**BASE, "questions": [q(logic=[], logicFallback="q2")]}

    assert create_error(body) == {
        "questions.0": f"{LOGIC}Fallback logic is defined without any logic in question 1"
    }
    assert validate_create({**BASE, "questions": [q(logicFallback="nowhere")]})


def test_update_accepts_project_overwrites() -> None:
    overwrites = {"brandColor": "#123abc", "placement": "center", "overlay": None}

    assert (
        validate_update({**stored_survey(), "projectOverwrites": overwrites})["projectOverwrites"]
        == overwrites
    )
