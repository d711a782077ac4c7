"""Action classes as upstream's v1 management API handles them (v1 management spec §4)."""

from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.action_classes import repository
from surveylink.action_classes.models import ActionClass
from surveylink.action_classes.schemas import ActionClassInput, parse_action_class_input
from surveylink.auth.permissions import AuthKey, authorize
from surveylink.core.clock import utcnow
from surveylink.core.db import violated
from surveylink.core.errors import BadRequest, Resource, Unauthorized


async def list_action_classes(session: AsyncSession, key: AuthKey) -> list[ActionClass]:
    """Every class of every environment of the key, oldest first."""
    return await repository.list_action_classes(session, key.environment_ids)


async def create_action_class(session: AsyncSession, key: AuthKey, raw: bytes) -> ActionClass:
    """Parses the body (after the key was checked, as upstream), then needs write on its
    environment; a name or key already used in the environment is a 400."""
    body = parse_action_class_input(raw, key.only_environment_id)
    if not key.allows(body.environment_id):
        raise Unauthorized()
    now = utcnow()
    action_class = ActionClass(
        name=body.name,
        description=body.description,
        type=body.type,
        key=body.key if body.type == "code" else None,
        no_code_config=body.no_code_config if body.type == "noCode" else None,
        environment_id=body.environment_id,
        created_at=now,
        updated_at=now,
    )
    await _save(session, body, lambda: repository.add_action_class(session, action_class))
    return action_class


async def get_action_class_for_key(
    session: AsyncSession, key: AuthKey, action_class_id: str
) -> ActionClass:
    """The class if the key holds its route's permission on its environment: 404, then 401."""
    return authorize(
        await repository.get_action_class(session, action_class_id),
        key,
        Resource.ACTION_CLASS,
        action_class_id,
    )


async def update_action_class(
    session: AsyncSession, key: AuthKey, action_class_id: str, raw: bytes
) -> ActionClass:
    """Overwrites the class with a full body. Unlike upstream, moving it to the body's
    `environmentId` also needs write there (upstream moves it anywhere: a cross-tenant write).
    Changing `type` keeps the other kind's field, as upstream."""
    action_class = await get_action_class_for_key(session, key, action_class_id)
    body = parse_action_class_input(raw, key.only_environment_id)
    if not key.allows(body.environment_id):
        raise Unauthorized()
    action_class.name = body.name
    action_class.type = body.type
    action_class.environment_id = body.environment_id
    if "description" in body.fields:
        action_class.description = body.description
    if body.type == "code":
        action_class.key = body.key
    elif body.no_code_config is not None:
        action_class.no_code_config = body.no_code_config
    action_class.updated_at = utcnow()
    await _save(session, body, session.flush)
    return action_class


async def delete_action_class(
    session: AsyncSession, key: AuthKey, action_class_id: str
) -> ActionClass:
    action_class = await get_action_class_for_key(session, key, action_class_id)
    await repository.delete_action_class(session, action_class)
    return action_class


async def _save(
    session: AsyncSession, body: ActionClassInput, write: Callable[[], Awaitable[None]]
) -> None:
    """Runs the write in a savepoint: the unique indexes settle duplicate names and keys."""
    try:
        async with session.begin_nested():
            await write()
    except IntegrityError as error:
        field = "name" if violated(error).endswith("name") else "key"
        value = body.name if field == "name" else body.key
        message = f"Action with {field} {value} already exists"
        raise BadRequest.on(field, message, message=message) from None
