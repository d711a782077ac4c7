"""Test data made through the API where upstream has a route, else through our services."""

import copy
from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient

from surveylink.auth import service as auth_service
from surveylink.core.config import Settings
from surveylink.core.db import make_engine, make_sessionmaker, transaction
from surveylink.environments import service as environments
from surveylink.environments.service import Workspace
from surveylink.segments import service as segments

QUESTION_ID = "jpvm9b73u06xdrhzi11k2h76"
# The body upstream's own API end-to-end tests send (v1 surveys spec §5).
E2E_SURVEY: dict[str, Any] = {
    "type": "link",
    "name": "My new Survey from API",
    "questions": [
        {
            "id": QUESTION_ID,
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


@dataclass
class ApiEnv:
    client: AsyncClient
    settings: Settings
    workspace: Workspace
    api_key: str

    @property
    def environment_id(self) -> str:
        return self.workspace.production.id

    @property
    def headers(self) -> dict[str, str]:
        return {"x-api-key": self.api_key}

    async def create_survey(self, **fields: Any) -> dict[str, Any]:
        body = {**copy.deepcopy(E2E_SURVEY), "environmentId": self.environment_id, **fields}
        response = await self.client.post(
            "/api/v1/management/surveys", json=body, headers=self.headers
        )
        assert response.status_code == 200, response.text
        survey: dict[str, Any] = response.json()["data"]
        return survey

    async def create_contact(
        self, email: str, environment_id: str | None = None, **attributes: str
    ) -> dict[str, Any]:
        body = {
            "environmentId": environment_id or self.environment_id,
            "attributes": {"email": email, **attributes},
        }
        response = await self.client.post(
            "/api/v2/management/contacts", json=body, headers=self.headers
        )
        assert response.status_code == 201, response.text
        contact: dict[str, Any] = response.json()["data"]
        return contact

    async def create_attribute_key(self, key: str, data_type: str = "string") -> None:
        body = {
            "key": key,
            "name": None,
            "description": None,
            "environmentId": self.environment_id,
            "dataType": data_type,
        }
        response = await self.client.post(
            "/api/v2/management/contact-attribute-keys", json=body, headers=self.headers
        )
        assert response.status_code == 201, response.text

    async def create_response(
        self, survey_id: str, contact_id: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"surveyId": survey_id, "finished": False, "data": {}}
        if contact_id is not None:
            body["contactId"] = contact_id
        response = await self.client.post(
            "/api/v2/management/responses", json={**body, **fields}, headers=self.headers
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()["data"]
        return created

    async def create_webhook(self, url: str, **fields: Any) -> dict[str, Any]:
        body = {
            "name": "CRM sync",
            "url": url,
            "source": "user",
            "environmentId": self.environment_id,
            "triggers": ["responseCreated", "responseUpdated", "responseFinished"],
            "surveyIds": [],
            **fields,
        }
        response = await self.client.post(
            "/api/v2/management/webhooks", json=body, headers=self.headers
        )
        assert response.status_code == 201, response.text
        webhook: dict[str, Any] = response.json()["data"]
        return webhook

    async def make_key(
        self, grants: list[tuple[str, str]], organization_id: str | None = None, **access: bool
    ) -> str:
        """Another key (of this organization unless told), with (environment, permission) grants."""
        engine = make_engine(self.settings.sqlalchemy_url)
        async with transaction(make_sessionmaker(engine), write=True) as session:
            _, key = await auth_service.create_api_key(
                session,
                organization_id or self.workspace.organization.id,
                grants,
                organization_access={"accessControl": access} if access else None,
            )
        await engine.dispose()
        return key

    async def create_segment(
        self, title: str, filters: list[Any], environment_id: str | None = None
    ) -> str:
        """A segment made as the CLI makes one (upstream has no segment API); returns its id."""
        engine = make_engine(self.settings.sqlalchemy_url)
        async with transaction(make_sessionmaker(engine), write=True) as session:
            segment = await segments.create_segment(
                session, environment_id or self.environment_id, title, filters
            )
        await engine.dispose()
        return segment.id

    async def other_workspace(self) -> Workspace:
        engine = make_engine(self.settings.sqlalchemy_url)
        async with transaction(make_sessionmaker(engine), write=True) as session:
            workspace = await environments.create_workspace(session, "Other", "Elsewhere")
        await engine.dispose()
        return workspace
