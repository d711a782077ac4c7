"""Our own OpenAPI document: upstream's operation ids, tags and security, our error envelope."""

from typing import Any

import yaml
from httpx import AsyncClient

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
        }
    }
    assert document["servers"] == [{"url": "/", "description": "This surveylink server"}]
    links = document["paths"][
        "/api/v2/management/surveys/{surveyId}/contact-links/segments/{segmentId}"
    ]
    operation = links["get"]
    assert document["security"] == [{"apiKeyAuth": []}]
    envelope = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for status in ("400", "401", "403", "404", "422", "429", "500"):
        assert operation["responses"][status]["content"]["application/json"]["schema"] == envelope
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["paths"]["/api/v2/health"]["get"]["security"] == []


async def test_interactive_docs_are_served(client: AsyncClient) -> None:
    response = await client.get("/api/v2/docs")

    assert response.status_code == 200
    assert "/api/v2/openapi.json" in response.text
