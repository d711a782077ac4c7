"""The campaign routes in our OpenAPI document, with what a caller must know."""

from typing import Any

from httpx import AsyncClient

SURVEY = "/api/v2/management/surveys/{surveyId}"


async def test_campaign_operations_are_documented(client: AsyncClient) -> None:
    document: dict[str, Any] = (await client.get("/api/v2/openapi.json")).json()
    paths, schemas = document["paths"], document["components"]["schemas"]

    invitations = paths[SURVEY + "/invitations"]["post"]
    reminders = paths[SURVEY + "/reminders"]["post"]
    status = paths[SURVEY + "/contact-links/status"]["get"]
    revoke = paths[SURVEY + "/contact-links/contacts/{contactId}"]["delete"]

    assert [op["operationId"] for op in (invitations, reminders, status, revoke)] == [
        "sendSurveyInvitations",
        "sendSurveyReminders",
        "getContactLinkStatus",
        "revokeContactLinks",
    ]
    assert invitations["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/InvitationCreate"
    }
    assert reminders["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReminderCreate"
    }
    invitation = schemas["InvitationCreate"]["properties"]
    assert "{{ link }}" in invitation["subject"]["description"]
    assert "{{ attributes.<key> }}" in invitation["html"]["description"]
    assert "HTML-escaped" in invitation["html"]["description"]
    assert invitation["contactIds"]["maxItems"] == 1000
    reminder = schemas["ReminderCreate"]["properties"]
    assert reminder["minGapHours"]["description"].startswith("Hours (0 to 8760")
    assert reminder["maxReminders"]["maximum"] == 20
    state = next(p for p in status["parameters"] if p["name"] == "state")
    assert "`notFinished`: no finished response" in state["description"]
    assert "revokes every personal link" in revoke["description"].lower().replace("\n", " ")
    for operation in (invitations, reminders, status, revoke):
        assert operation["tags"] == ["Management API - Surveys - Contact Links"]
        assert "surveylink extension" in operation["description"]
