"""Upstream's v1 action-class API (v1 management spec §4), in v1's envelope."""

from typing import Annotated

from fastapi import APIRouter, Path

from surveylink.action_classes import service
from surveylink.action_classes.schemas import ActionClassOut, UpdatedActionClassOut
from surveylink.auth.deps import ManageKey, ReadKey, WriteKey
from surveylink.core.bodies import RawBody
from surveylink.core.db import SessionDep
from surveylink.core.envelopes import Data
from surveylink.core.routing import API_V1, V1Route
from surveylink.core.zod import Cuid2

router = APIRouter(prefix=API_V1, tags=["Management API - Action Class"], route_class=V1Route)

ACTION_CLASSES = "/management/action-classes"
ACTION_CLASS = ACTION_CLASSES + "/{actionClassId}"
ActionClassId = Annotated[Cuid2, Path(alias="actionClassId", description="The action class ID")]


@router.get(ACTION_CLASSES, operation_id="getActionClassesV1")
async def get_action_classes(key: ReadKey, session: SessionDep) -> Data[list[ActionClassOut]]:
    """All action classes of every environment of the key, oldest first."""
    rows = await service.list_action_classes(session, key)
    return Data(data=[ActionClassOut.model_validate(row) for row in rows])


@router.post(ACTION_CLASSES, operation_id="createActionClassV1")
async def create_action_class(
    key: WriteKey, body: RawBody, session: SessionDep
) -> Data[ActionClassOut]:
    """Creates an action class in the body's `environmentId` (write permission there); its name,
    and a `code` class's key, must be new in that environment."""
    created = await service.create_action_class(session, key, body)
    return Data(data=ActionClassOut.model_validate(created))


@router.get(ACTION_CLASS, operation_id="getActionClassV1")
async def get_action_class(
    key: ReadKey, session: SessionDep, action_class_id: ActionClassId
) -> Data[ActionClassOut]:
    """Gets one action class."""
    found = await service.get_action_class_for_key(session, key, action_class_id)
    return Data(data=ActionClassOut.model_validate(found))


@router.put(ACTION_CLASS, operation_id="updateActionClassV1")
async def update_action_class(
    key: WriteKey, body: RawBody, session: SessionDep, action_class_id: ActionClassId
) -> Data[UpdatedActionClassOut]:
    """Replaces an action class with a full body (`name`, `type`, `environmentId`, and `key` or
    `noCodeConfig`); write permission on its environment and on the body's."""
    updated = await service.update_action_class(session, key, action_class_id, body)
    return Data(data=UpdatedActionClassOut.model_validate(updated))


@router.delete(ACTION_CLASS, operation_id="deleteActionClassV1")
async def delete_action_class(
    key: ManageKey, session: SessionDep, action_class_id: ActionClassId
) -> Data[ActionClassOut]:
    """Deletes an action class (manage permission); answers with the deleted object."""
    deleted = await service.delete_action_class(session, key, action_class_id)
    return Data(data=ActionClassOut.model_validate(deleted))
