"""Upstream's own logic test cases (packages/surveys/src/lib/logic.test.ts at cc0eec3bf0) run
against our evaluator: their surveys, answers, variables, conditions and expected outcomes, as
data. Upstream's code was run on the same table and agrees with every expected outcome."""

from typing import Any

import pytest

from surveylink.respondent.logic import evaluate_logic, perform_actions
from surveylink.surveys.document import ConditionGroup, LogicRule, load

SURVEY_1: dict[str, Any] = {
    "id": "survey1",
    "name": "Test Survey",
    "questions": [],
    "blocks": [
        {
            "id": "block1",
            "name": "Block 1",
            "elements": [
                {
                    "id": "q1",
                    "type": "openText",
                    "headline": {"default": "Question 1"},
                    "subheader": {"default": "Enter some text"},
                    "required": True,
                    "inputType": "text",
                    "charLimit": {"enabled": False},
                },
                {
                    "id": "q2",
                    "type": "openText",
                    "headline": {"default": "Question 2"},
                    "subheader": {"default": "Enter a number"},
                    "required": True,
                    "inputType": "number",
                    "charLimit": {"enabled": False},
                },
                {
                    "id": "q3",
                    "type": "multipleChoiceSingle",
                    "headline": {"default": "Question 3"},
                    "subheader": {"default": "Select one option"},
                    "required": True,
                    "choices": [
                        {"id": "opt1", "label": {"default": "Option 1", "es": "Opción 1"}},
                        {"id": "opt2", "label": {"default": "Option 2", "es": "Opción 2"}},
                        {"id": "other", "label": {"default": "Other", "es": "Otro"}},
                    ],
                },
                {
                    "id": "q4",
                    "type": "multipleChoiceMulti",
                    "headline": {"default": "Question 4"},
                    "subheader": {"default": "Select multiple options"},
                    "required": True,
                    "choices": [
                        {"id": "opt1", "label": {"default": "Option 1", "es": "Opción 1"}},
                        {"id": "opt2", "label": {"default": "Option 2", "es": "Opción 2"}},
                        {"id": "opt3", "label": {"default": "Option 3", "es": "Opción 3"}},
                    ],
                },
                {
                    "id": "q5",
                    "type": "date",
                    "headline": {"default": "Question 5"},
                    "subheader": {"default": "Select a date"},
                    "required": True,
                    "format": "d-M-y",
                },
                {
                    "id": "q6",
                    "type": "fileUpload",
                    "headline": {"default": "Question 6"},
                    "subheader": {"default": "Upload a file"},
                    "required": True,
                    "allowMultipleFiles": True,
                },
                {
                    "id": "q7",
                    "type": "pictureSelection",
                    "headline": {"default": "Question 7"},
                    "subheader": {"default": "Select pictures"},
                    "required": True,
                    "allowMulti": True,
                    "choices": [
                        {"id": "pic1", "imageUrl": "url1"},
                        {"id": "pic2", "imageUrl": "url2"},
                    ],
                },
                {
                    "id": "q8",
                    "type": "matrix",
                    "headline": {"default": "Question 8"},
                    "subheader": {"default": "Matrix question"},
                    "required": True,
                    "rows": [
                        {"id": "row1", "label": {"default": "Row 1", "es": "Fila 1"}},
                        {"id": "row2", "label": {"default": "Row 2", "es": "Fila 2"}},
                    ],
                    "columns": [
                        {"id": "col1", "label": {"default": "Column 1", "es": "Columna 1"}},
                        {"id": "col2", "label": {"default": "Column 2", "es": "Columna 2"}},
                    ],
                    "shuffleOption": "none",
                },
            ],
        }
    ],
    "variables": [
        {"id": "var1", "name": "Variable 1", "type": "text", "value": "string value"},
        {"id": "var2", "name": "Variable 2", "type": "number", "value": 50},
        {"id": "var3", "name": "Variable 3", "type": "text", "value": "another string"},
    ],
    "hiddenFields": {"enabled": True, "fieldIds": ["fieldId1"]},
    "autoClose": None,
    "type": "link",
    "delay": 0,
    "displayLimit": 0,
    "displayOption": "displayMultiple",
    "displayPercentage": 0,
    "recaptcha": {"enabled": False, "threshold": 0.5},
    "isBackButtonHidden": False,
    "isAutoProgressingEnabled": False,
    "segment": None,
    "welcomeCard": {"enabled": True, "showResponseCount": True, "timeToFinish": True},
    "triggers": [],
    "styling": None,
    "status": "inProgress",
    "showLanguageSwitch": False,
    "languages": [],
    "endings": [],
    "projectOverwrites": None,
    "recontactDays": None,
}
DATA_1: dict[str, Any] = {
    "q1": "test answer",
    "q2": 42,
    "q3": "Option 1",
    "q4": ["Option 1", "Option 2"],
    "q5": "2023-01-01",
    "q7": ["pic1", "pic2"],
    "q8": {"Row 1": "Column 1", "Row 2": "Column 2"},
    "fieldId1": "hidden value",
}
VARIABLES_1: dict[str, Any] = {"var1": "string value", "var2": 123, "var3": "another string"}
DATA_2: dict[str, Any] = {"q1": "test answer", "q2": "42", "q3": "opt1"}
VARIABLES_2: dict[str, Any] = {"var1": "string value", "var2": 50, "var3": ""}
DATA_3: dict[str, Any] = {
    "q1": "test answer",
    "q2": "42",
    "q3": "Option 1",
    "q4": ["Option 1", "Option 2"],
    "q5": "2023-01-01",
    "q6": "file-url.pdf",
    "q7": ["pic1", "pic2"],
    "q8": {"Row 1": "Column 1", "Row 2": "Column 2"},
    "fieldId1": "hidden value",
    "emptyField": "",
    "skippedUpload": "skipped",
}
VARIABLES_3: dict[str, Any] = {"var1": "string value", "var2": 123, "var3": "2023-05-05"}
SURVEY_2: dict[str, Any] = {
    "id": "survey1",
    "name": "Test Survey",
    "questions": [],
    "blocks": [
        {
            "id": "block1",
            "name": "Block 1",
            "elements": [
                {
                    "id": "q1",
                    "type": "openText",
                    "headline": {"default": "Question 1"},
                    "subheader": {"default": "Enter some text"},
                    "required": True,
                    "inputType": "text",
                    "charLimit": {"enabled": False},
                },
                {
                    "id": "q2",
                    "type": "openText",
                    "headline": {"default": "Question 2"},
                    "subheader": {"default": "Enter a number"},
                    "required": True,
                    "inputType": "number",
                    "charLimit": {"enabled": False},
                },
                {
                    "id": "q3",
                    "type": "multipleChoiceSingle",
                    "headline": {"default": "Question 3"},
                    "subheader": {"default": "Select one option"},
                    "required": True,
                    "choices": [
                        {"id": "opt1", "label": {"default": "Option 1", "es": "Opción 1"}},
                        {"id": "opt2", "label": {"default": "Option 2", "es": "Opción 2"}},
                        {"id": "other", "label": {"default": "Other", "es": "Otro"}},
                    ],
                },
                {
                    "id": "q4",
                    "type": "multipleChoiceMulti",
                    "headline": {"default": "Question 4"},
                    "subheader": {"default": "Select multiple options"},
                    "required": True,
                    "choices": [
                        {"id": "opt1", "label": {"default": "Option 1", "es": "Opción 1"}},
                        {"id": "opt2", "label": {"default": "Option 2", "es": "Opción 2"}},
                        {"id": "opt3", "label": {"default": "Option 3", "es": "Opción 3"}},
                    ],
                },
                {
                    "id": "q5",
                    "type": "date",
                    "headline": {"default": "Question 5"},
                    "subheader": {"default": "Select a date"},
                    "required": True,
                    "format": "d-M-y",
                },
                {
                    "id": "q6",
                    "type": "fileUpload",
                    "headline": {"default": "Question 6"},
                    "subheader": {"default": "Upload a file"},
                    "required": True,
                    "allowMultipleFiles": True,
                },
                {
                    "id": "q7",
                    "type": "pictureSelection",
                    "headline": {"default": "Question 7"},
                    "subheader": {"default": "Select pictures"},
                    "required": True,
                    "allowMulti": True,
                    "choices": [
                        {"id": "pic1", "imageUrl": "url1"},
                        {"id": "pic2", "imageUrl": "url2"},
                    ],
                },
                {
                    "id": "q8",
                    "type": "matrix",
                    "headline": {"default": "Question 8"},
                    "subheader": {"default": "Matrix question"},
                    "required": True,
                    "rows": [
                        {"id": "row1", "label": {"default": "Row 1", "es": "Fila 1"}},
                        {"id": "row2", "label": {"default": "Row 2", "es": "Fila 2"}},
                    ],
                    "columns": [
                        {"id": "col1", "label": {"default": "Column 1", "es": "Columna 1"}},
                        {"id": "col2", "label": {"default": "Column 2", "es": "Columna 2"}},
                    ],
                    "shuffleOption": "none",
                },
            ],
        },
        {
            "id": "ctaBlock",
            "name": "CTA Block",
            "elements": [
                {
                    "id": "ctaQuestion",
                    "type": "cta",
                    "headline": {"default": "CTA Question"},
                    "subheader": {"default": "Click the button"},
                    "required": False,
                    "buttonExternal": True,
                    "buttonUrl": "https://example.com",
                    "ctaButtonLabel": {"default": "Click Me"},
                }
            ],
        },
    ],
    "variables": [
        {"id": "var1", "name": "Variable 1", "type": "text", "value": "string value"},
        {"id": "var2", "name": "Variable 2", "type": "number", "value": 50},
        {"id": "var3", "name": "Variable 3", "type": "text", "value": "another string"},
    ],
    "hiddenFields": {"enabled": True, "fieldIds": ["fieldId1"]},
    "autoClose": None,
    "type": "link",
    "delay": 0,
    "displayLimit": 0,
    "displayOption": "displayMultiple",
    "displayPercentage": 0,
    "recaptcha": {"enabled": False, "threshold": 0.5},
    "isBackButtonHidden": False,
    "isAutoProgressingEnabled": False,
    "segment": None,
    "welcomeCard": {"enabled": True, "showResponseCount": True, "timeToFinish": True},
    "triggers": [],
    "styling": None,
    "status": "inProgress",
    "showLanguageSwitch": False,
    "languages": [],
    "endings": [],
    "projectOverwrites": None,
    "recontactDays": None,
}
DATA_4: dict[str, Any] = {"ctaQuestion": "clicked"}
DATA_5: dict[str, Any] = {"ctaQuestion": "skipped"}
DATA_6: dict[str, Any] = {}
DATA_7: dict[str, Any] = {"q8": {"Row 1": "Column 1", "Row 2": ""}}
DATA_8: dict[str, Any] = {"q8": {"row1": "col1", "row2": "col2"}}
DATA_9: dict[str, Any] = {
    "q1": "test answer",
    "q2": "42",
    "q3": "opt1",
    "q4": ["Option 1", "Option 2"],
    "q5": "2023-01-01",
    "q6": "file-url.pdf",
    "q7": ["pic1", "pic2"],
    "q8": {"Row 1": "Column 1", "Row 2": "Column 2"},
    "fieldId1": "hidden value",
    "emptyField": "",
    "dateField": "2023-05-01",
}
VARIABLES_4: dict[str, Any] = {
    "var1": "string value",
    "var2": 50,
    "var3": "",
    "numVar": 123,
    "dateVar": "2023-06-01",
}
DATA_10: dict[str, Any] = {"q8": {"Row 1": ""}}
SURVEY_3: dict[str, Any] = {
    "id": "survey1",
    "name": "Test Survey",
    "questions": [],
    "blocks": [
        {
            "id": "block1",
            "name": "Block 1",
            "elements": [
                {
                    "id": "q1",
                    "type": "openText",
                    "headline": {"default": "Question 1"},
                    "subheader": {"default": "Enter some text"},
                    "required": True,
                    "inputType": "text",
                    "charLimit": {"enabled": False},
                },
                {
                    "id": "q2",
                    "type": "openText",
                    "headline": {"default": "Question 2"},
                    "subheader": {"default": "Enter a number"},
                    "required": True,
                    "inputType": "number",
                    "charLimit": {"enabled": False},
                },
                {
                    "id": "q3",
                    "type": "multipleChoiceSingle",
                    "headline": {"default": "Question 3"},
                    "subheader": {"default": "Select one option"},
                    "required": True,
                    "choices": [
                        {"id": "opt1", "label": {"default": "Option 1", "es": "Opción 1"}},
                        {"id": "opt2", "label": {"default": "Option 2", "es": "Opción 2"}},
                        {"id": "other", "label": {"default": "Other", "es": "Otro"}},
                    ],
                },
                {
                    "id": "q4",
                    "type": "multipleChoiceMulti",
                    "headline": {"default": "Question 4"},
                    "subheader": {"default": "Select multiple options"},
                    "required": True,
                    "choices": [
                        {"id": "opt1", "label": {"default": "Option 1", "es": "Opción 1"}},
                        {"id": "opt2", "label": {"default": "Option 2", "es": "Opción 2"}},
                        {"id": "opt3", "label": {"default": "Option 3", "es": "Opción 3"}},
                    ],
                },
                {
                    "id": "q5",
                    "type": "date",
                    "headline": {"default": "Question 5"},
                    "subheader": {"default": "Select a date"},
                    "required": True,
                    "format": "d-M-y",
                },
                {
                    "id": "q6",
                    "type": "fileUpload",
                    "headline": {"default": "Question 6"},
                    "subheader": {"default": "Upload a file"},
                    "required": True,
                    "allowMultipleFiles": True,
                },
                {
                    "id": "q7",
                    "type": "pictureSelection",
                    "headline": {"default": "Question 7"},
                    "subheader": {"default": "Select pictures"},
                    "required": True,
                    "allowMulti": True,
                    "choices": [
                        {"id": "pic1", "imageUrl": "url1"},
                        {"id": "pic2", "imageUrl": "url2"},
                    ],
                },
                {
                    "id": "q8",
                    "type": "matrix",
                    "headline": {"default": "Question 8"},
                    "subheader": {"default": "Matrix question"},
                    "required": True,
                    "rows": [
                        {"id": "row1", "label": {"default": "Row 1", "es": "Fila 1"}},
                        {"id": "row2", "label": {"default": "Row 2", "es": "Fila 2"}},
                    ],
                    "columns": [
                        {"id": "col1", "label": {"default": "Column 1", "es": "Columna 1"}},
                        {"id": "col2", "label": {"default": "Column 2", "es": "Columna 2"}},
                    ],
                    "shuffleOption": "none",
                },
            ],
        },
        {
            "id": "dateBlock",
            "name": "Date Block",
            "elements": [
                {
                    "id": "dateQ1",
                    "type": "date",
                    "headline": {"default": "Date Question 1"},
                    "required": True,
                    "format": "d-M-y",
                },
                {
                    "id": "dateQ2",
                    "type": "date",
                    "headline": {"default": "Date Question 2"},
                    "required": True,
                    "format": "d-M-y",
                },
            ],
        },
    ],
    "variables": [
        {"id": "var1", "name": "Variable 1", "type": "text", "value": "string value"},
        {"id": "var2", "name": "Variable 2", "type": "number", "value": 50},
        {"id": "var3", "name": "Variable 3", "type": "text", "value": "another string"},
    ],
    "hiddenFields": {"enabled": True, "fieldIds": ["fieldId1"]},
    "autoClose": None,
    "type": "link",
    "delay": 0,
    "displayLimit": 0,
    "displayOption": "displayMultiple",
    "displayPercentage": 0,
    "recaptcha": {"enabled": False, "threshold": 0.5},
    "isBackButtonHidden": False,
    "isAutoProgressingEnabled": False,
    "segment": None,
    "welcomeCard": {"enabled": True, "showResponseCount": True, "timeToFinish": True},
    "triggers": [],
    "styling": None,
    "status": "inProgress",
    "showLanguageSwitch": False,
    "languages": [],
    "endings": [],
    "projectOverwrites": None,
    "recontactDays": None,
}
DATA_11: dict[str, Any] = {"dateQ1": "2023-01-01", "dateQ2": "2023-02-01"}
SURVEY_4: dict[str, Any] = {
    "id": "survey1",
    "name": "Test Survey",
    "questions": [],
    "blocks": [
        {
            "id": "block1",
            "name": "Block 1",
            "elements": [
                {
                    "id": "q1",
                    "type": "openText",
                    "headline": {"default": "Question 1"},
                    "subheader": {"default": "Enter some text"},
                    "required": True,
                    "inputType": "text",
                    "charLimit": {"enabled": False},
                },
                {
                    "id": "q2",
                    "type": "openText",
                    "headline": {"default": "Question 2"},
                    "subheader": {"default": "Enter a number"},
                    "required": True,
                    "inputType": "number",
                    "charLimit": {"enabled": False},
                },
                {
                    "id": "q3",
                    "type": "multipleChoiceSingle",
                    "headline": {"default": "Question 3"},
                    "subheader": {"default": "Select one option"},
                    "required": True,
                    "choices": [
                        {"id": "opt1", "label": {"default": "Option 1", "es": "Opción 1"}},
                        {"id": "opt2", "label": {"default": "Option 2", "es": "Opción 2"}},
                        {"id": "other", "label": {"default": "Other", "es": "Otro"}},
                    ],
                },
                {
                    "id": "q4",
                    "type": "multipleChoiceMulti",
                    "headline": {"default": "Question 4"},
                    "subheader": {"default": "Select multiple options"},
                    "required": True,
                    "choices": [
                        {"id": "opt1", "label": {"default": "Option 1", "es": "Opción 1"}},
                        {"id": "opt2", "label": {"default": "Option 2", "es": "Opción 2"}},
                        {"id": "opt3", "label": {"default": "Option 3", "es": "Opción 3"}},
                    ],
                },
                {
                    "id": "q5",
                    "type": "date",
                    "headline": {"default": "Question 5"},
                    "subheader": {"default": "Select a date"},
                    "required": True,
                    "format": "d-M-y",
                },
                {
                    "id": "q6",
                    "type": "fileUpload",
                    "headline": {"default": "Question 6"},
                    "subheader": {"default": "Upload a file"},
                    "required": True,
                    "allowMultipleFiles": True,
                },
                {
                    "id": "q7",
                    "type": "pictureSelection",
                    "headline": {"default": "Question 7"},
                    "subheader": {"default": "Select pictures"},
                    "required": True,
                    "allowMulti": True,
                    "choices": [
                        {"id": "pic1", "imageUrl": "url1"},
                        {"id": "pic2", "imageUrl": "url2"},
                    ],
                },
                {
                    "id": "q8",
                    "type": "matrix",
                    "headline": {"default": "Question 8"},
                    "subheader": {"default": "Matrix question"},
                    "required": True,
                    "rows": [
                        {"id": "row1", "label": {"default": "Row 1", "es": "Fila 1"}},
                        {"id": "row2", "label": {"default": "Row 2", "es": "Fila 2"}},
                    ],
                    "columns": [
                        {"id": "col1", "label": {"default": "Column 1", "es": "Columna 1"}},
                        {"id": "col2", "label": {"default": "Column 2", "es": "Columna 2"}},
                    ],
                    "shuffleOption": "none",
                },
            ],
        },
        {
            "id": "multiBlock",
            "name": "Multi Choice Block",
            "elements": [
                {
                    "id": "multiQ",
                    "type": "multipleChoiceMulti",
                    "headline": {"default": "Multiple Choice"},
                    "required": True,
                    "choices": [
                        {"id": "opt1", "label": {"default": "Option 1"}},
                        {"id": "opt2", "label": {"default": "Option 2"}},
                    ],
                }
            ],
        },
    ],
    "variables": [
        {"id": "var1", "name": "Variable 1", "type": "text", "value": "string value"},
        {"id": "var2", "name": "Variable 2", "type": "number", "value": 50},
        {"id": "var3", "name": "Variable 3", "type": "text", "value": "another string"},
    ],
    "hiddenFields": {"enabled": True, "fieldIds": ["fieldId1"]},
    "autoClose": None,
    "type": "link",
    "delay": 0,
    "displayLimit": 0,
    "displayOption": "displayMultiple",
    "displayPercentage": 0,
    "recaptcha": {"enabled": False, "threshold": 0.5},
    "isBackButtonHidden": False,
    "isAutoProgressingEnabled": False,
    "segment": None,
    "welcomeCard": {"enabled": True, "showResponseCount": True, "timeToFinish": True},
    "triggers": [],
    "styling": None,
    "status": "inProgress",
    "showLanguageSwitch": False,
    "languages": [],
    "endings": [],
    "projectOverwrites": None,
    "recontactDays": None,
}
DATA_12: dict[str, Any] = {"singleValue": "option1", "multiValue": ["option1", "option2"]}
DATA_13: dict[str, Any] = {"multiQ": ["option1"]}
DATA_14: dict[str, Any] = {
    "q1": "",
    "q2": "42",
    "q3": "opt1",
    "q4": ["Option 1", "Option 2"],
    "q5": "2023-01-01",
    "q6": "file-url.pdf",
    "q7": ["pic1", "pic2"],
    "q8": {"Row 1": "Column 1", "Row 2": "Column 2"},
    "fieldId1": "hidden value",
    "emptyField": "",
    "dateField": "2023-05-01",
}
SURVEY_5: dict[str, Any] = {
    "id": "survey1",
    "name": "Test Survey",
    "questions": [],
    "blocks": [
        {
            "id": "block1",
            "name": "Block 1",
            "elements": [
                {
                    "id": "q1",
                    "type": "openText",
                    "headline": {"default": "Question 1"},
                    "subheader": {"default": "Enter some text"},
                    "required": True,
                    "inputType": "text",
                    "charLimit": {"enabled": False},
                },
                {
                    "id": "q2",
                    "type": "openText",
                    "headline": {"default": "Question 2"},
                    "subheader": {"default": "Enter a number"},
                    "required": True,
                    "inputType": "number",
                    "charLimit": {"enabled": False},
                },
                {
                    "id": "q3",
                    "type": "multipleChoiceSingle",
                    "headline": {"default": "Question 3"},
                    "subheader": {"default": "Select one option"},
                    "required": True,
                    "choices": [
                        {"id": "opt1", "label": {"default": "Option 1", "es": "Opción 1"}},
                        {"id": "opt2", "label": {"default": "Option 2", "es": "Opción 2"}},
                        {"id": "other", "label": {"default": "Other", "es": "Otro"}},
                    ],
                },
                {
                    "id": "q4",
                    "type": "multipleChoiceMulti",
                    "headline": {"default": "Question 4"},
                    "subheader": {"default": "Select multiple options"},
                    "required": True,
                    "choices": [
                        {"id": "opt1", "label": {"default": "Option 1", "es": "Opción 1"}},
                        {"id": "opt2", "label": {"default": "Option 2", "es": "Opción 2"}},
                        {"id": "opt3", "label": {"default": "Option 3", "es": "Opción 3"}},
                    ],
                },
                {
                    "id": "q5",
                    "type": "date",
                    "headline": {"default": "Question 5"},
                    "subheader": {"default": "Select a date"},
                    "required": True,
                    "format": "d-M-y",
                },
                {
                    "id": "q6",
                    "type": "fileUpload",
                    "headline": {"default": "Question 6"},
                    "subheader": {"default": "Upload a file"},
                    "required": True,
                    "allowMultipleFiles": True,
                },
                {
                    "id": "q7",
                    "type": "pictureSelection",
                    "headline": {"default": "Question 7"},
                    "subheader": {"default": "Select pictures"},
                    "required": True,
                    "allowMulti": True,
                    "choices": [
                        {"id": "pic1", "imageUrl": "url1"},
                        {"id": "pic2", "imageUrl": "url2"},
                    ],
                },
                {
                    "id": "q8",
                    "type": "matrix",
                    "headline": {"default": "Question 8"},
                    "subheader": {"default": "Matrix question"},
                    "required": True,
                    "rows": [
                        {"id": "row1", "label": {"default": "Row 1", "es": "Fila 1"}},
                        {"id": "row2", "label": {"default": "Row 2", "es": "Fila 2"}},
                    ],
                    "columns": [
                        {"id": "col1", "label": {"default": "Column 1", "es": "Columna 1"}},
                        {"id": "col2", "label": {"default": "Column 2", "es": "Columna 2"}},
                    ],
                    "shuffleOption": "none",
                },
            ],
        },
        {
            "id": "specialBlock",
            "name": "Special Block",
            "elements": [
                {
                    "id": "multiChoiceWithOther",
                    "type": "multipleChoiceSingle",
                    "headline": {"default": "Multiple Choice With Other"},
                    "required": True,
                    "choices": [
                        {"id": "opt1", "label": {"default": "Option 1"}},
                        {"id": "opt2", "label": {"default": "Option 2"}},
                        {"id": "other", "label": {"default": "Other"}},
                    ],
                }
            ],
        },
    ],
    "variables": [
        {"id": "var1", "name": "Variable 1", "type": "text", "value": "string value"},
        {"id": "var2", "name": "Variable 2", "type": "number", "value": 50},
        {"id": "var3", "name": "Variable 3", "type": "text", "value": "another string"},
    ],
    "hiddenFields": {"enabled": True, "fieldIds": ["fieldId1"]},
    "autoClose": None,
    "type": "link",
    "delay": 0,
    "displayLimit": 0,
    "displayOption": "displayMultiple",
    "displayPercentage": 0,
    "recaptcha": {"enabled": False, "threshold": 0.5},
    "isBackButtonHidden": False,
    "isAutoProgressingEnabled": False,
    "segment": None,
    "welcomeCard": {"enabled": True, "showResponseCount": True, "timeToFinish": True},
    "triggers": [],
    "styling": None,
    "status": "inProgress",
    "showLanguageSwitch": False,
    "languages": [],
    "endings": [],
    "projectOverwrites": None,
    "recontactDays": None,
}
DATA_15: dict[str, Any] = {"multiChoiceWithOther": "Custom Option"}
DATA_16: dict[str, Any] = {"multiChoiceWithOther": ["Option 1"]}

# (upstream test name, survey, data, variables, condition group, language, expected)
EVALUATE: list[
    tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any], str, bool]
] = [
    (
        "evaluateLogic / evaluates a simple condition group with AND connector",
        SURVEY_1,
        DATA_1,
        VARIABLES_1,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "q1"},
                    "rightOperand": {"type": "static", "value": "test answer"},
                },
                {
                    "id": "condition2",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "q2"},
                    "rightOperand": {"type": "static", "value": 42},
                },
            ],
        },
        "default",
        True,
    ),
    (
        "evaluateLogic / evaluates a simple condition group with OR connector",
        SURVEY_1,
        DATA_1,
        VARIABLES_1,
        {
            "id": "group1",
            "connector": "or",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "q1"},
                    "rightOperand": {"type": "static", "value": "wrong answer"},
                },
                {
                    "id": "condition2",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "q2"},
                    "rightOperand": {"type": "static", "value": 42},
                },
            ],
        },
        "default",
        True,
    ),
    (
        "evaluateLogic / evaluates a nested condition group",
        SURVEY_1,
        DATA_1,
        VARIABLES_1,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "q1"},
                    "rightOperand": {"type": "static", "value": "test answer"},
                },
                {
                    "id": "group2",
                    "connector": "or",
                    "conditions": [
                        {
                            "id": "condition2",
                            "operator": "equals",
                            "leftOperand": {"type": "element", "value": "q2"},
                            "rightOperand": {"type": "static", "value": "wrong"},
                        },
                        {
                            "id": "condition3",
                            "operator": "equals",
                            "leftOperand": {"type": "variable", "value": "var1"},
                            "rightOperand": {"type": "static", "value": "string value"},
                        },
                    ],
                },
            ],
        },
        "default",
        True,
    ),
    (
        "evaluateLogic / evaluates false when any condition fails in AND group",
        SURVEY_1,
        DATA_1,
        VARIABLES_1,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "q1"},
                    "rightOperand": {"type": "static", "value": "test answer"},
                },
                {
                    "id": "condition2",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "q2"},
                    "rightOperand": {"type": "static", "value": "wrong value"},
                },
            ],
        },
        "default",
        False,
    ),
    (
        "evaluateLogic / evaluates false when all conditions fail in OR group",
        SURVEY_1,
        DATA_1,
        VARIABLES_1,
        {
            "id": "group1",
            "connector": "or",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "q1"},
                    "rightOperand": {"type": "static", "value": "wrong answer"},
                },
                {
                    "id": "condition2",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "q2"},
                    "rightOperand": {"type": "static", "value": "wrong value"},
                },
            ],
        },
        "default",
        False,
    ),
    (
        "evaluateLogic / evaluates conditions with variable as left operand",
        SURVEY_1,
        DATA_1,
        VARIABLES_1,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "equals",
                    "leftOperand": {"type": "variable", "value": "var1"},
                    "rightOperand": {"type": "static", "value": "string value"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "evaluateLogic / evaluates conditions with hidden field as left operand",
        SURVEY_1,
        DATA_1,
        VARIABLES_1,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "equals",
                    "leftOperand": {"type": "hiddenField", "value": "fieldId1"},
                    "rightOperand": {"type": "static", "value": "hidden value"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates string comparison operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "contains",
                    "leftOperand": {"type": "element", "value": "q1"},
                    "rightOperand": {"type": "static", "value": "test"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates string comparison operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group2",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition2",
                    "operator": "doesNotContain",
                    "leftOperand": {"type": "element", "value": "q1"},
                    "rightOperand": {"type": "static", "value": "invalid"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates string comparison operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group3",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition3",
                    "operator": "startsWith",
                    "leftOperand": {"type": "element", "value": "q1"},
                    "rightOperand": {"type": "static", "value": "test"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates string comparison operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group4",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition4",
                    "operator": "doesNotStartWith",
                    "leftOperand": {"type": "element", "value": "q1"},
                    "rightOperand": {"type": "static", "value": "invalid"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates string comparison operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group5",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition5",
                    "operator": "endsWith",
                    "leftOperand": {"type": "element", "value": "q1"},
                    "rightOperand": {"type": "static", "value": "answer"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates string comparison operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group6",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition6",
                    "operator": "doesNotEndWith",
                    "leftOperand": {"type": "element", "value": "q1"},
                    "rightOperand": {"type": "static", "value": "invalid"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates number comparison operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "isGreaterThan",
                    "leftOperand": {"type": "element", "value": "q2"},
                    "rightOperand": {"type": "static", "value": "30"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates number comparison operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group2",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition2",
                    "operator": "isLessThan",
                    "leftOperand": {"type": "element", "value": "q2"},
                    "rightOperand": {"type": "static", "value": "50"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates number comparison operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group3",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition3",
                    "operator": "isGreaterThanOrEqual",
                    "leftOperand": {"type": "element", "value": "q2"},
                    "rightOperand": {"type": "static", "value": "42"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates number comparison operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group4",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition4",
                    "operator": "isLessThanOrEqual",
                    "leftOperand": {"type": "element", "value": "q2"},
                    "rightOperand": {"type": "static", "value": "42"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates date comparison operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "isAfter",
                    "leftOperand": {"type": "element", "value": "q5"},
                    "rightOperand": {"type": "static", "value": "2022-12-31"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates date comparison operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group2",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition2",
                    "operator": "isBefore",
                    "leftOperand": {"type": "element", "value": "q5"},
                    "rightOperand": {"type": "static", "value": "2023-01-02"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates date comparison operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group3",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition3",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "q5"},
                    "rightOperand": {"type": "static", "value": "2023-01-01"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates array inclusion operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "includesAllOf",
                    "leftOperand": {"type": "element", "value": "q4"},
                    "rightOperand": {"type": "static", "value": ["opt1", "opt2"]},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates array inclusion operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group2",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition2",
                    "operator": "includesOneOf",
                    "leftOperand": {"type": "element", "value": "q4"},
                    "rightOperand": {"type": "static", "value": ["opt1", "Invalid Option"]},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates array inclusion operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group3",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition3",
                    "operator": "doesNotIncludeAllOf",
                    "leftOperand": {"type": "element", "value": "q4"},
                    "rightOperand": {"type": "static", "value": ["Invalid 1", "Invalid 2"]},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates array inclusion operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group4",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition4",
                    "operator": "doesNotIncludeOneOf",
                    "leftOperand": {"type": "element", "value": "q4"},
                    "rightOperand": {"type": "static", "value": ["opt3", "Invalid Option"]},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates special state operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "isSubmitted",
                    "leftOperand": {"type": "element", "value": "q1"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates special state operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group2",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition2",
                    "operator": "isSkipped",
                    "leftOperand": {"type": "element", "value": "emptyField"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates special state operators",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group3",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition3",
                    "operator": "isBooked",
                    "leftOperand": {"type": "element", "value": "q1"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates isClicked and isNotClicked operators for CTA elements",
        SURVEY_2,
        DATA_4,
        VARIABLES_3,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "isClicked",
                    "leftOperand": {"type": "element", "value": "ctaQuestion"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates isClicked and isNotClicked operators for CTA elements",
        SURVEY_2,
        DATA_5,
        VARIABLES_3,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "isClicked",
                    "leftOperand": {"type": "element", "value": "ctaQuestion"},
                }
            ],
        },
        "default",
        False,
    ),
    (
        "Condition Evaluations / evaluates isClicked and isNotClicked operators for CTA elements",
        SURVEY_2,
        DATA_4,
        VARIABLES_3,
        {
            "id": "group2",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition2",
                    "operator": "isNotClicked",
                    "leftOperand": {"type": "element", "value": "ctaQuestion"},
                }
            ],
        },
        "default",
        False,
    ),
    (
        "Condition Evaluations / evaluates isClicked and isNotClicked operators for CTA elements",
        SURVEY_2,
        DATA_5,
        VARIABLES_3,
        {
            "id": "group2",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition2",
                    "operator": "isNotClicked",
                    "leftOperand": {"type": "element", "value": "ctaQuestion"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates isClicked and isNotClicked operators for CTA elements",
        SURVEY_2,
        DATA_6,
        VARIABLES_3,
        {
            "id": "group2",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition2",
                    "operator": "isNotClicked",
                    "leftOperand": {"type": "element", "value": "ctaQuestion"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates matrix questions",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "q8", "meta": {"row": "0"}},
                    "rightOperand": {"type": "static", "value": "0"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates file upload questions",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "isSubmitted",
                    "leftOperand": {"type": "element", "value": "q6"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates file upload questions",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group2",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition2",
                    "operator": "isSkipped",
                    "leftOperand": {"type": "element", "value": "skippedUpload"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates partially submitted matrix question",
        SURVEY_1,
        DATA_7,
        VARIABLES_3,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "isPartiallySubmitted",
                    "leftOperand": {"type": "element", "value": "q8"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / evaluates partially submitted matrix question",
        SURVEY_1,
        DATA_8,
        VARIABLES_3,
        {
            "id": "group2",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition2",
                    "operator": "isCompletelySubmitted",
                    "leftOperand": {"type": "element", "value": "q8"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Condition Evaluations / handles invalid or error conditions gracefully",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "invalidOperator",
                    "leftOperand": {"type": "element", "value": "q1"},
                    "rightOperand": {"type": "static", "value": "test"},
                }
            ],
        },
        "default",
        False,
    ),
    (
        "Condition Evaluations / handles invalid or error conditions gracefully",
        SURVEY_1,
        DATA_3,
        VARIABLES_3,
        {
            "id": "group2",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition2",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "nonExistentId"},
                    "rightOperand": {"type": "static", "value": "test"},
                }
            ],
        },
        "default",
        False,
    ),
    (
        "Edge Cases / evaluates matrix question with invalid row id",
        SURVEY_1,
        DATA_9,
        VARIABLES_4,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "equals",
                    "leftOperand": {
                        "type": "element",
                        "value": "q8",
                        "meta": {"row": "invalid-row"},
                    },
                    "rightOperand": {"type": "static", "value": "0"},
                }
            ],
        },
        "default",
        False,
    ),
    (
        "Edge Cases / evaluates invalid row index for matrix question",
        SURVEY_1,
        DATA_9,
        VARIABLES_4,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "q8", "meta": {"row": "99"}},
                    "rightOperand": {"type": "static", "value": "1"},
                }
            ],
        },
        "default",
        False,
    ),
    (
        "Edge Cases / evaluates matrix question with empty row value",
        SURVEY_1,
        DATA_10,
        VARIABLES_4,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "isEmpty",
                    "leftOperand": {"type": "element", "value": "q8", "meta": {"row": "0"}},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Edge Cases / evaluates doesNotEqual with picture selection",
        SURVEY_1,
        DATA_9,
        VARIABLES_4,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "doesNotEqual",
                    "leftOperand": {"type": "element", "value": "q7"},
                    "rightOperand": {"type": "static", "value": "option2"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Edge Cases / evaluates date conditions between questions",
        SURVEY_3,
        DATA_11,
        VARIABLES_4,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "dateQ1"},
                    "rightOperand": {"type": "element", "value": "dateQ2"},
                }
            ],
        },
        "default",
        False,
    ),
    (
        "Edge Cases / evaluates date conditions between questions",
        SURVEY_3,
        DATA_11,
        VARIABLES_4,
        {
            "id": "group2",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "doesNotEqual",
                    "leftOperand": {"type": "element", "value": "dateQ1"},
                    "rightOperand": {"type": "element", "value": "dateQ2"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Edge Cases / evaluates multiple choice conditions for equals/doesNotEqual",
        SURVEY_4,
        DATA_12,
        VARIABLES_4,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "multiValue"},
                    "rightOperand": {"type": "static", "value": "option1"},
                }
            ],
        },
        "default",
        False,
    ),
    (
        "Edge Cases / evaluates multiple choice conditions for equals/doesNotEqual",
        SURVEY_4,
        DATA_13,
        VARIABLES_4,
        {
            "id": "group2",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "q1"},
                    "rightOperand": {"type": "element", "value": "multiQ"},
                }
            ],
        },
        "default",
        False,
    ),
    (
        "Edge Cases / evaluates isEmpty and isNotEmpty operators",
        SURVEY_1,
        DATA_14,
        VARIABLES_4,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "isEmpty",
                    "leftOperand": {"type": "element", "value": "q1"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Edge Cases / evaluates isEmpty and isNotEmpty operators",
        SURVEY_1,
        DATA_9,
        VARIABLES_4,
        {
            "id": "group2",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition2",
                    "operator": "isNotEmpty",
                    "leftOperand": {"type": "element", "value": "q1"},
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Edge Cases / evaluates isAnyOf operator",
        SURVEY_1,
        DATA_9,
        VARIABLES_4,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "isAnyOf",
                    "leftOperand": {"type": "element", "value": "q1"},
                    "rightOperand": {
                        "type": "static",
                        "value": ["wrong answer", "test answer", "another answer"],
                    },
                }
            ],
        },
        "default",
        True,
    ),
    (
        "Edge Cases / evaluates isAnyOf operator",
        SURVEY_1,
        DATA_9,
        VARIABLES_4,
        {
            "id": "group2",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition2",
                    "operator": "isAnyOf",
                    "leftOperand": {"type": "element", "value": "q1"},
                    "rightOperand": {"type": "static", "value": "test answer"},
                }
            ],
        },
        "default",
        False,
    ),
    (
        "Edge Cases / getLeftOperandValue with edge cases",
        SURVEY_5,
        DATA_15,
        VARIABLES_4,
        {
            "id": "group1",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition1",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "multiChoiceWithOther"},
                    "rightOperand": {"type": "static", "value": "Custom Option"},
                }
            ],
        },
        "default",
        False,
    ),
    (
        "Edge Cases / getLeftOperandValue with edge cases",
        SURVEY_5,
        DATA_16,
        VARIABLES_4,
        {
            "id": "group2",
            "connector": "and",
            "conditions": [
                {
                    "id": "condition2",
                    "operator": "equals",
                    "leftOperand": {"type": "element", "value": "multiChoiceWithOther"},
                    "rightOperand": {"type": "static", "value": "opt1"},
                }
            ],
        },
        "default",
        True,
    ),
]
# (upstream test name, survey, data, variables, actions, what is read of the outcome, expected)
ACTIONS: list[
    tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], list[Any], list[str], Any]
] = [
    (
        "performActions / performs jump action",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [{"id": "var1", "objective": "jumpToBlock", "target": "q5"}],
        ["jumpTarget"],
        "q5",
    ),
    (
        "performActions / performs jump action",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [{"id": "var1", "objective": "jumpToBlock", "target": "q5"}],
        ["requiredQuestionIds"],
        [],
    ),
    (
        "performActions / performs jump action",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [{"id": "var1", "objective": "jumpToBlock", "target": "q5"}],
        ["calculations"],
        {"var1": "string value", "var2": 50, "var3": ""},
    ),
    (
        "performActions / performs require answer action",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [{"id": "var1", "objective": "requireAnswer", "target": "q4"}],
        ["jumpTarget"],
        None,
    ),
    (
        "performActions / performs require answer action",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [{"id": "var1", "objective": "requireAnswer", "target": "q4"}],
        ["requiredQuestionIds"],
        ["q4"],
    ),
    (
        "performActions / performs require answer action",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [{"id": "var1", "objective": "requireAnswer", "target": "q4"}],
        ["calculations"],
        {"var1": "string value", "var2": 50, "var3": ""},
    ),
    (
        "performActions / performs calculate action - add",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [
            {
                "id": "var2",
                "objective": "calculate",
                "variableId": "var2",
                "operator": "add",
                "value": {"type": "static", "value": 10},
            }
        ],
        ["calculations", "var2"],
        60,
    ),
    (
        "performActions / performs calculate action - subtract",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [
            {
                "id": "var2",
                "objective": "calculate",
                "variableId": "var2",
                "operator": "subtract",
                "value": {"type": "static", "value": 10},
            }
        ],
        ["calculations", "var2"],
        40,
    ),
    (
        "performActions / performs calculate action - multiply",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [
            {
                "id": "var2",
                "objective": "calculate",
                "variableId": "var2",
                "operator": "multiply",
                "value": {"type": "static", "value": 2},
            }
        ],
        ["calculations", "var2"],
        100,
    ),
    (
        "performActions / performs calculate action - divide",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [
            {
                "id": "var2",
                "objective": "calculate",
                "variableId": "var2",
                "operator": "divide",
                "value": {"type": "static", "value": 2},
            }
        ],
        ["calculations", "var2"],
        25,
    ),
    (
        "performActions / handles divide by zero",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [
            {
                "id": "var2",
                "objective": "calculate",
                "variableId": "var2",
                "operator": "divide",
                "value": {"type": "static", "value": 0},
            }
        ],
        ["calculations", "var2"],
        50,
    ),
    (
        "performActions / performs calculate action - assign",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [
            {
                "id": "var2",
                "objective": "calculate",
                "variableId": "var2",
                "operator": "assign",
                "value": {"type": "static", "value": 200},
            }
        ],
        ["calculations", "var2"],
        200,
    ),
    (
        "performActions / performs calculate action - concat",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [
            {
                "id": "var1",
                "objective": "calculate",
                "variableId": "var1",
                "operator": "concat",
                "value": {"type": "static", "value": " appended"},
            }
        ],
        ["calculations", "var1"],
        "string value appended",
    ),
    (
        "performActions / performs calculate action with question value",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [
            {
                "id": "var2",
                "objective": "calculate",
                "variableId": "var2",
                "operator": "add",
                "value": {"type": "element", "value": "q2"},
            }
        ],
        ["calculations", "var2"],
        92,
    ),
    (
        "performActions / performs calculate action with variable value",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [
            {
                "id": "var2",
                "objective": "calculate",
                "variableId": "var2",
                "operator": "add",
                "value": {"type": "variable", "value": "var2"},
            }
        ],
        ["calculations", "var2"],
        100,
    ),
    (
        "performActions / performs multiple actions in order",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [
            {
                "id": "var2",
                "objective": "calculate",
                "variableId": "var2",
                "operator": "add",
                "value": {"type": "static", "value": 10},
            },
            {"id": "var2", "objective": "requireAnswer", "target": "q4"},
            {"id": "var2", "objective": "jumpToBlock", "target": "q5"},
        ],
        ["jumpTarget"],
        "q5",
    ),
    (
        "performActions / performs multiple actions in order",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [
            {
                "id": "var2",
                "objective": "calculate",
                "variableId": "var2",
                "operator": "add",
                "value": {"type": "static", "value": 10},
            },
            {"id": "var2", "objective": "requireAnswer", "target": "q4"},
            {"id": "var2", "objective": "jumpToBlock", "target": "q5"},
        ],
        ["requiredQuestionIds"],
        ["q4"],
    ),
    (
        "performActions / performs multiple actions in order",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [
            {
                "id": "var2",
                "objective": "calculate",
                "variableId": "var2",
                "operator": "add",
                "value": {"type": "static", "value": 10},
            },
            {"id": "var2", "objective": "requireAnswer", "target": "q4"},
            {"id": "var2", "objective": "jumpToBlock", "target": "q5"},
        ],
        ["calculations", "var2"],
        60,
    ),
    (
        "performActions / takes first jump target when multiple jump actions exist",
        SURVEY_1,
        DATA_2,
        VARIABLES_2,
        [
            {"id": "var2", "objective": "jumpToBlock", "target": "q2"},
            {"id": "var2", "objective": "jumpToBlock", "target": "q3"},
        ],
        ["jumpTarget"],
        "q2",
    ),
]


@pytest.mark.parametrize(
    ("survey", "data", "variables", "conditions", "language", "expected"),
    [case[1:] for case in EVALUATE],
    ids=[f"{index}-{case[0]}" for index, case in enumerate(EVALUATE)],
)
def test_upstream_condition_case(
    survey: dict[str, Any],
    data: dict[str, Any],
    variables: dict[str, Any],
    conditions: dict[str, Any],
    language: str,
    expected: bool,
) -> None:
    group = ConditionGroup.model_validate(conditions)

    result = evaluate_logic(load(survey), data, variables, group, language)

    assert result is expected


@pytest.mark.parametrize(
    ("survey", "data", "variables", "actions", "read", "expected"),
    [case[1:] for case in ACTIONS],
    ids=[f"{index}-{case[0]}" for index, case in enumerate(ACTIONS)],
)
def test_upstream_action_case(
    survey: dict[str, Any],
    data: dict[str, Any],
    variables: dict[str, Any],
    actions: list[Any],
    read: list[str],
    expected: Any,
) -> None:
    rule = LogicRule.model_validate(
        {"conditions": {"connector": "and", "conditions": []}, "actions": actions}
    )

    outcome = perform_actions(load(survey), rule.actions, data, variables)

    found: Any = {
        "jumpTarget": outcome.jump_target,
        "requiredQuestionIds": outcome.required_ids,
        "calculations": outcome.calculations,
    }
    for key in read:
        found = found.get(key) if isinstance(found, dict) else None
    assert found == expected
