"""/api/v2/health, /me, /roles (behaviour spec §6) and the non-API GET /health."""

from pathlib import Path

from httpx import ASGITransport, AsyncClient

from surveylink.app import create_app
from surveylink.core.config import Settings
from surveylink.core.context import app_context
from tests.factories import ApiEnv

UNAUTHORIZED = {"error": {"code": 401, "message": "Unauthorized"}}


async def test_health_reports_both_dependencies_without_a_key(client: AsyncClient) -> None:
    response = await client.get("/api/v2/health")

    assert response.status_code == 200
    assert response.json() == {"data": {"main_database": True, "cache_database": False}}
    assert response.headers["Access-Control-Allow-Origin"] == "*"


async def test_health_sees_redis_when_configured(settings: Settings, redis_url: str) -> None:
    app = create_app(settings.model_copy(update={"redis_url": redis_url}))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as http:
        response = await http.get("/api/v2/health")
    await app_context(app).close()

    assert response.json() == {"data": {"main_database": True, "cache_database": True}}


async def test_health_is_503_when_the_database_is_unreachable(
    settings: Settings, tmp_path: Path
) -> None:
    unreachable = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'nothing.db'}"
    app = create_app(settings.model_copy(update={"database_url": unreachable}))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as http:
        response = await http.get("/api/v2/health")
    await app_context(app).engine.dispose()

    assert response.status_code == 503
    assert response.json() == {
        "error": {
            "code": 503,
            "message": "Service Unavailable",
            "details": [{"field": "main_database", "issue": "Database is unreachable"}],
        }
    }


async def test_liveness_outside_the_api_is_ok(client: AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_me_describes_the_key(client: AsyncClient, env: ApiEnv) -> None:
    workspace = env.workspace

    response = await client.get("/api/v2/me", headers=env.headers)

    assert response.status_code == 200
    grants = [(workspace.production, "production"), (workspace.development, "development")]
    assert response.json() == {
        "data": {
            "environmentPermissions": [
                {
                    "environmentId": environment.id,
                    "environmentType": kind,
                    "permissions": "manage",
                    "projectId": workspace.project.id,
                    "projectName": "Website",
                }
                for environment, kind in grants
            ],
            "organizationId": workspace.organization.id,
            "organizationAccess": {"accessControl": {"read": True, "write": True}},
        }
    }


async def test_me_needs_organization_read_access(client: AsyncClient, env: ApiEnv) -> None:
    key = await env.make_key([(env.environment_id, "manage")], read=False, write=False)

    response = await client.get("/api/v2/me", headers={"x-api-key": key})

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_me_accepts_write_only_organization_access(client: AsyncClient, env: ApiEnv) -> None:
    key = await env.make_key([], read=False, write=True)

    response = await client.get("/api/v2/me", headers={"x-api-key": key})

    assert response.status_code == 200
    assert response.json()["data"]["environmentPermissions"] == []


async def test_me_without_a_key_is_401(client: AsyncClient) -> None:
    response = await client.get("/api/v2/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_roles_lists_self_hosted_roles(client: AsyncClient, env: ApiEnv) -> None:
    key = await env.make_key([], read=False, write=False)  # any valid key will do

    response = await client.get("/api/v2/roles", headers={"x-api-key": key})

    assert response.status_code == 200
    assert response.json() == {"data": ["owner", "manager", "member"]}


async def test_roles_without_a_key_is_401(client: AsyncClient) -> None:
    response = await client.get("/api/v2/roles", headers={"x-api-key": "fbk_nope"})

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
