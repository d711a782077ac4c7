from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.action_classes.models import ActionClass


async def list_action_classes(
    session: AsyncSession, environment_ids: Sequence[str]
) -> list[ActionClass]:
    """Every class of these environments, oldest first (upstream's order; id breaks ties)."""
    statement = (
        select(ActionClass)
        .where(ActionClass.environment_id.in_(environment_ids))
        .order_by(ActionClass.created_at, ActionClass.id)
    )
    return list((await session.scalars(statement)).all())


async def get_action_class(session: AsyncSession, action_class_id: str) -> ActionClass | None:
    return await session.get(ActionClass, action_class_id)


async def add_action_class(session: AsyncSession, action_class: ActionClass) -> None:
    session.add(action_class)
    await session.flush()


async def delete_action_class(session: AsyncSession, action_class: ActionClass) -> None:
    await session.execute(delete(ActionClass).where(ActionClass.id == action_class.id))
    session.expunge(action_class)
