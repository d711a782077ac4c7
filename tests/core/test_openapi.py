"""Our own OpenAPI document: upstream's operation ids, tags and security, our error envelope."""

from typing import Any

import yaml
from httpx import AsyncClient

from surveylink.core.openapi import BEARER_AUTH
from tests.reference import upstream_openapi


def _reference() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(upstream_openapi().read_text())
    return document


async def test_served_upstream_paths_keep_upstreams_ids_and_tags(client: AsyncClient) -> None:
    ours = (await client.get("/api/v2/openapi.json")).json()
    reference = _reference()

    compared = 0
    for path, operations in reference["paths"].items():
        for method, upstream in operations.items():
            operation = ours["paths"].get("/api/v2" + path, {}).get(method)
            if operation is None:
                continue
            compared += 1
            assert operation["operationId"] == upstream["operationId"], path
            assert operation["tags"] == upstream["tags"], path

    assert compared >= 5


async def test_document_describes_auth_servers_and_errors(client: AsyncClient) -> None:
    response = await client.get("/api/v2/openapi.json")

    document = response.json()
    assert response.status_code == 200
    assert document["components"]["securitySchemes"] == {
        "apiKeyAuth": {
            "type": "apiKey",
            "in": "header",
            "name": "x-api-key",
            "description": "Use your Formbricks x-api-key to authenticate.",
        },
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": BEARER_AUTH["description"],
        },
    }
    assert document["servers"] == [{"url": "/", "description": "This surveylink server"}]
    links = document["paths"][
        "/api/v2/management/surveys/{surveyId}/contact-links/segments/{segmentId}"
    ]
    operation = links["get"]
    assert document["security"] == [{"apiKeyAuth": []}, {"bearerAuth": []}]
    envelope = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for status in ("400", "401", "403", "404", "422", "429", "500"):
        assert operation["responses"][status]["content"]["application/json"]["schema"] == envelope
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["paths"]["/api/v2/health"]["get"]["security"] == []


async def test_interactive_docs_are_served(client: AsyncClient) -> None:
    response = await client.get("/api/v2/docs")

    assert response.status_code == 200
    assert "/api/v2/openapi.json" in response.text


# Upstream's v1 document (docs/api-reference/openapi.json at cc0eec3bf0): tag per v1 route.
V1_TAGS = {
    ("get", "/api/v1/management/me"): "Management API - Me",
    ("get", "/api/v1/management/responses"): "Management API - Response",
    ("post", "/api/v1/management/responses"): "Management API - Response",
    ("get", "/api/v1/management/responses/{responseId}"): "Management API - Response",
    ("put", "/api/v1/management/responses/{responseId}"): "Management API - Response",
    ("delete", "/api/v1/management/responses/{responseId}"): "Management API - Response",
    ("get", "/api/v1/webhooks"): "Management API - Webhook",
    ("post", "/api/v1/webhooks"): "Management API - Webhook",
    ("get", "/api/v1/webhooks/{webhookId}"): "Management API - Webhook",
    ("delete", "/api/v1/webhooks/{webhookId}"): "Management API - Webhook",
    ("get", "/api/v1/management/action-classes"): "Management API - Action Class",
    ("post", "/api/v1/management/action-classes"): "Management API - Action Class",
    ("get", "/api/v1/management/action-classes/{actionClassId}"): "Management API - Action Class",
    ("put", "/api/v1/management/action-classes/{actionClassId}"): "Management API - Action Class",
    ("delete", "/api/v1/management/action-classes/{actionClassId}"): (
        "Management API - Action Class"
    ),
    ("get", "/api/v1/management/surveys"): "Management API - Survey",
    ("get", "/api/v1/management/surveys/{surveyId}/singleUseIds"): "Management API - Survey",
}


async def test_v1_routes_are_listed_under_upstreams_tags_with_429(client: AsyncClient) -> None:
    document = (await client.get("/api/v2/openapi.json")).json()

    for (method, path), tag in V1_TAGS.items():
        operation = document["paths"][path][method]
        assert operation["tags"] == [tag], path
        assert set(operation["responses"]) >= {"200", "400", "401", "404", "429", "500"}, path
        assert "422" not in operation["responses"]
    tags = {tag["name"] for tag in document["tags"]}
    assert tags >= set(V1_TAGS.values())
    v1_operations = [
        operation
        for path, operations in document["paths"].items()
        if path.startswith("/api/v1/")
        for operation in operations.values()
    ]
    assert all("429" in operation["responses"] for operation in v1_operations)
