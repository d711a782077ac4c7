from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.attribute_keys import service as attribute_keys
from surveylink.environments import repository
from surveylink.environments.models import Environment, Organization, Project


@dataclass(frozen=True)
class Workspace:
    organization: Organization
    project: Project
    production: Environment
    development: Environment


async def create_workspace(
    session: AsyncSession, organization_name: str, project_name: str
) -> Workspace:
    """An organization with one project and its production and development environments."""
    organization = Organization(name=organization_name)
    session.add(organization)
    await session.flush()
    project = Project(name=project_name, organization_id=organization.id)
    session.add(project)
    await session.flush()
    production = Environment(type="production", project_id=project.id)
    development = Environment(type="development", project_id=project.id)
    session.add_all([production, development])
    await session.flush()
    for environment in (production, development):
        await attribute_keys.create_default_keys(session, environment.id)
    return Workspace(organization, project, production, development)


async def check_environments(
    session: AsyncSession, organization_id: str, environment_ids: Sequence[str]
) -> list[str]:
    """The ids among `environment_ids` that are not environments of the organization."""
    owners = await repository.get_organization_ids(session, environment_ids)
    return [env for env in environment_ids if owners.get(env) != organization_id]
