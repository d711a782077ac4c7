"""segments/filters.py: parsing, references, and the typed operators (numbers, dates) in SQL.

Upstream has no API that types attribute keys yet, so the typed rows here are written with the
ORM models directly, as the contacts service writes them.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from surveylink.attribute_keys.models import ContactAttributeKey
from surveylink.contacts.models import Contact, ContactAttribute
from surveylink.core.config import Settings
from surveylink.core.db import make_engine, make_sessionmaker, transaction
from surveylink.segments import filters
from tests.factories import ApiEnv

NOW = datetime(2026, 4, 13, 12, 0, tzinfo=UTC)


def _item(key: str, operator: str, value: object, connector: str | None = None) -> Any:
    resource = {
        "id": "f",
        "root": {"type": "attribute", "contactAttributeKey": key},
        "qualifier": {"operator": operator},
        "value": value,
    }
    return {"id": "i", "connector": connector, "resource": resource}


@pytest.mark.parametrize(
    "raw",
    [
        {"not": "a list"},
        [{"id": "i", "connector": "xor", "resource": []}],
        [{"id": "i", "connector": None, "resource": {"id": "f", "root": {"type": "planet"}}}],
    ],
)
def test_what_is_not_a_filter_tree_is_invalid(raw: Any) -> None:
    with pytest.raises(filters.InvalidFilters):
        filters.parse(raw)


def test_references_are_found_in_groups() -> None:
    nested = {
        "id": "s",
        "root": {"type": "segment", "segmentId": "abc"},
        "qualifier": {"operator": "userIsIn"},
    }
    tree = filters.parse(
        [
            {
                "id": "g",
                "connector": None,
                "resource": [{"id": "i", "connector": None, "resource": nested}],
            }
        ]
    )

    assert filters.referenced_segments(tree) == {"abc"}


def test_circular_references_constrain_nothing() -> None:
    def refer(target: str) -> list[filters.Item]:
        leaf = {
            "id": "s",
            "root": {"type": "segment", "segmentId": target},
            "qualifier": {"operator": "userIsIn"},
        }
        return filters.parse([{"id": "i", "connector": None, "resource": leaf}])

    clause = filters.compile_segment("a", refer("b"), "env", {"b": refer("a")}, NOW)

    assert str(clause) == str(Contact.environment_id == "env")


@pytest.mark.parametrize(
    ("operator", "value"),
    [
        ("lessThan", "five"),
        ("isOlderThan", "soon"),
        ("isBetween", ["2026-01-01"]),
        ("isBefore", "not a date"),
        ("teleports", "x"),
    ],
)
def test_values_that_do_not_fit_the_operator_are_invalid(operator: str, value: object) -> None:
    tree = filters.parse([_item("signup", operator, value)])

    with pytest.raises(filters.InvalidFilters):
        filters.compile_segment("a", tree, "env", {}, NOW)


async def _typed_contacts(
    settings: Settings, env: ApiEnv, rows: Sequence[tuple[str, str, Any]]
) -> list[str]:
    """Contacts with one attribute each on typed keys; returns their ids in `rows` order."""
    engine = make_engine(settings.sqlalchemy_url)
    ids = []
    async with transaction(make_sessionmaker(engine), write=True) as session:
        keys = {
            data_type: ContactAttributeKey(
                key=f"k{data_type}", data_type=data_type, environment_id=env.environment_id
            )
            for data_type in ("number", "date")
        }
        session.add_all(keys.values())
        await session.flush()
        for data_type, text, typed in rows:
            contact = Contact(environment_id=env.environment_id)
            session.add(contact)
            await session.flush()
            attribute = ContactAttribute(
                contact_id=contact.id, attribute_key_id=keys[data_type].id, value=text
            )
            if data_type == "number":
                attribute.value_number = typed
            else:
                attribute.value_date = typed
            session.add(attribute)
            ids.append(contact.id)
    await engine.dispose()
    return ids


async def _matching(settings: Settings, env: ApiEnv, raw: list[Any]) -> set[str]:
    clause = filters.compile_segment("seg", filters.parse(raw), env.environment_id, {}, NOW)
    engine = make_engine(settings.sqlalchemy_url)
    async with transaction(make_sessionmaker(engine)) as session:
        found = set((await session.scalars(select(Contact.id).where(clause))).all())
    await engine.dispose()
    return found


async def test_numbers_compare_numerically_even_when_stored_as_text(
    settings: Settings, env: ApiEnv
) -> None:
    typed, untyped, text = await _typed_contacts(
        settings, env, [("number", "9", 9.0), ("number", "10.5", None), ("number", "abc", None)]
    )

    assert await _matching(settings, env, [_item("knumber", "greaterThan", 9)]) == {untyped}
    assert await _matching(settings, env, [_item("knumber", "lessEqual", 9)]) == {typed}
    assert text not in await _matching(settings, env, [_item("knumber", "lessThan", 1000)])


async def test_date_operators(settings: Settings, env: ApiEnv) -> None:
    old, recent, as_text = await _typed_contacts(
        settings,
        env,
        [
            ("date", "2025-01-01T00:00:00.000Z", datetime(2025, 1, 1, tzinfo=UTC)),
            ("date", "2026-04-10T08:00:00.000Z", datetime(2026, 4, 10, 8, tzinfo=UTC)),
            ("date", "2026-04-12T23:00:00.000Z", None),
        ],
    )
    days = {"amount": 30, "unit": "days"}

    assert await _matching(settings, env, [_item("kdate", "isOlderThan", days)]) == {old}
    assert await _matching(settings, env, [_item("kdate", "isNewerThan", days)]) == {
        recent,
        as_text,
    }
    assert await _matching(
        settings, env, [_item("kdate", "isNewerThan", {"amount": 1, "unit": "years"})]
    ) == {recent, as_text}
    assert await _matching(settings, env, [_item("kdate", "isBefore", "2026-04-11")]) == {
        old,
        recent,
    }
    assert await _matching(settings, env, [_item("kdate", "isAfter", "2026-04-11")]) == {as_text}
    assert await _matching(
        settings, env, [_item("kdate", "isBetween", ["2026-04-01", "2026-04-11"])]
    ) == {recent}
    assert await _matching(
        settings, env, [_item("kdate", "isSameDay", "2026-04-12T15:00:00Z")]
    ) == {as_text}
    assert await _matching(settings, env, [_item("knumber", "isSameDay", "2026-04-12")]) == set()
