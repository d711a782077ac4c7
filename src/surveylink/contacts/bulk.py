"""`PUT /management/contacts/bulk`: upstream's upsert by email (resources spec §2.2), in a
fixed number of statements whatever the number of contacts."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.attribute_keys.models import ContactAttributeKey
from surveylink.attribute_keys.schemas import is_safe_identifier
from surveylink.auth.permissions import AuthKey
from surveylink.contacts import repository
from surveylink.contacts.schemas import (
    BulkContact,
    BulkUploadMeta,
    BulkUploadResult,
    ContactBulkUpload,
    SkippedContact,
)
from surveylink.contacts.values import DataType, detect_type, store, to_columns
from surveylink.core.clock import utcnow
from surveylink.core.errors import BadRequest, Conflict, ErrorDetail, Forbidden, Invalid
from surveylink.core.ids import cuid2
from surveylink.core.zod import is_email

MAX_CONTACTS = 250
_ATTEMPTS = 3
SUCCESS = "Contacts bulk upload successful"
PARTIAL = (
    "Contacts bulk upload partially successful. "
    "Some contacts were skipped due to conflicting userIds."
)


def upload_issues(contacts: list[BulkContact]) -> list[ErrorDetail]:
    """Upstream's refinements of `contacts`, all reported together under `contacts`."""
    issues: list[tuple[str, dict[str, Any] | None]] = []
    if len(contacts) > MAX_CONTACTS:
        issues.append((f"Maximum {MAX_CONTACTS} contacts allowed at a time.", None))
    emails: list[str] = []
    user_ids: list[str] = []
    for index, contact in enumerate(contacts):
        email = contact.value_of("email")
        if not email:
            issues.append((f"Email attribute is required for contact at index {index}", None))
        elif not is_email(email):
            issues.append((f"Invalid email format for contact at index {index}", None))
        else:
            emails.append(email)
        if user_id := contact.value_of("userId"):
            user_ids.append(user_id)
        counts = Counter(attribute.attribute_key.key for attribute in contact.attributes)
        if repeated := [key for key, count in counts.items() if count > 1]:
            issues.append(
                (
                    f"Duplicate attribute keys found for contact at index {index}. "
                    "Please ensure each attribute key is unique",
                    {"duplicateKeys": repeated, "contactIndex": index},
                )
            )
    if repeated := _repeated(emails):
        issues.append(
            (
                "Duplicate emails found in the records, please ensure each email is unique.",
                {"duplicateEmails": repeated},
            )
        )
    if repeated := _repeated(user_ids):
        issues.append(
            (
                "Duplicate userIds found in the records, please ensure each userId is unique.",
                {"duplicateUserIds": repeated},
            )
        )
    return [ErrorDetail(field="contacts", issue=issue, meta=meta) for issue, meta in issues]


def _repeated(values: list[str]) -> list[str]:
    return [value for value, count in Counter(values).items() if count > 1]


@dataclass
class _Plan:
    """What the upload will write, decided before anything is written."""

    key_names: dict[str, str] = field(default_factory=dict)  # key -> payload name (last wins)
    new_contacts: list[BulkContact] = field(default_factory=list)
    updates: list[tuple[str, BulkContact]] = field(default_factory=list)  # (contact id, changes)
    skipped: list[SkippedContact] = field(default_factory=list)


async def upload_contacts(
    session: AsyncSession, key: AuthKey, body: ContactBulkUpload
) -> BulkUploadResult:
    """Creates new contacts and updates existing ones (matched by email) in one transaction."""
    if issues := upload_issues(body.contacts):
        raise Invalid(*issues)
    environment_id = body.environment_id
    if not key.allows(environment_id):
        raise Forbidden()
    if not body.contacts:
        return BulkUploadResult(message=SUCCESS)
    for _ in range(_ATTEMPTS):
        try:
            async with session.begin_nested():
                return await _upload(session, environment_id, body.contacts)
        except IntegrityError:
            # A concurrent upload or create took an email or userId this upload meant to
            # write (the unique index of contacts/models.py). Planned again, the upload sees
            # it, as if it had come second: the email's contact is updated, the userId skipped.
            continue
    raise Conflict.on("contacts", "Contacts were changed concurrently; please upload again")


async def _upload(
    session: AsyncSession, environment_id: str, contacts: list[BulkContact]
) -> BulkUploadResult:
    """Plans the upload from what is stored now, then writes it."""
    payload_keys = list(dict.fromkeys(a.attribute_key.key for c in contacts for a in c.attributes))
    emails = [contact.value_of("email") or "" for contact in contacts]
    user_ids = [value for contact in contacts if (value := contact.value_of("userId"))]
    known = await repository.get_attribute_keys(session, environment_id, payload_keys)
    existing = await repository.get_contacts_by_email(session, environment_id, emails)
    taken_user_ids = (
        await repository.find_attribute_values(session, environment_id, "userId", user_ids)
        if user_ids
        else set()
    )

    unsafe = [name for name in payload_keys if name not in known and not is_safe_identifier(name)]
    if unsafe:
        raise BadRequest.on(
            "attributes",
            f"Invalid attribute key(s): {', '.join(unsafe)}. Keys must only contain lowercase "
            "letters, numbers, and underscores, and must start with a letter.",
        )
    types = _attribute_types(contacts, known)
    plan = _plan(contacts, existing, taken_user_ids)
    keys = await _create_keys(session, environment_id, plan, known, types)
    if keys is not known:
        # A concurrent upload may have created a key first, with its own type: ours must fit
        # it, exactly as if this upload had come second.
        types = _attribute_types(contacts, {**known, **keys})
    await _rename_keys(session, plan, keys)
    await _write(session, environment_id, plan, keys, types)
    if plan.skipped:
        return BulkUploadResult(message=PARTIAL, meta=BulkUploadMeta(skipped_contacts=plan.skipped))
    return BulkUploadResult(message=SUCCESS)


def _attribute_types(
    contacts: list[BulkContact], known: dict[str, ContactAttributeKey]
) -> dict[str, DataType]:
    """Existing keys keep their type (a value that does not fit is a 400); a new key takes the
    type of its first non-blank value, or `string` if any of its values does not fit."""
    values: dict[str, list[str]] = {}
    for contact in contacts:
        for attribute in contact.attributes:
            bucket = values.setdefault(attribute.attribute_key.key, [])
            if attribute.value.strip():
                bucket.append(attribute.value)
    types: dict[str, DataType] = {}
    errors: list[ErrorDetail] = []
    for name, samples in values.items():
        existing = known.get(name)
        data_type: DataType = (
            _data_type(existing.data_type)
            if existing
            else (detect_type(samples[0]) if samples else "string")
        )
        invalid = [v for v in samples if to_columns(v, data_type) is None]
        if invalid and existing:
            more = f" (and {len(invalid) - 3} more)" if len(invalid) > 3 else ""
            errors.append(
                ErrorDetail(
                    field="attributes",
                    issue=f'Attribute "{name}" is typed as "{data_type}" but received invalid '
                    f"values: {', '.join(invalid[:3])}{more}",
                )
            )
        types[name] = "string" if invalid else data_type
    if errors:
        raise BadRequest(*errors)
    return types


def _data_type(stored: str) -> DataType:
    return "number" if stored == "number" else "date" if stored == "date" else "string"


def _plan(
    contacts: list[BulkContact],
    existing: dict[str, tuple[str, dict[str, str]]],
    taken_user_ids: set[str],
) -> _Plan:
    plan = _Plan()
    for index, contact in enumerate(contacts):
        match = existing.get(contact.value_of("email") or "")
        if match is None:
            changes = contact
        else:
            stored = match[1]
            changed = [a for a in contact.attributes if stored.get(a.attribute_key.key) != a.value]
            changes = BulkContact(attributes=changed)
        user_id = changes.value_of("userId")
        if user_id is not None and user_id in taken_user_ids:
            plan.skipped.append(SkippedContact(index=index, user_id=user_id))
            continue
        for attribute in contact.attributes:
            plan.key_names[attribute.attribute_key.key] = attribute.attribute_key.name
        if match is None:
            plan.new_contacts.append(contact)
        elif changes.attributes:
            plan.updates.append((match[0], changes))
    return plan


async def _create_keys(
    session: AsyncSession,
    environment_id: str,
    plan: _Plan,
    known: dict[str, ContactAttributeKey],
    types: dict[str, DataType],
) -> dict[str, ContactAttributeKey]:
    """Creates the keys the upload needs that did not exist, and returns every key it needs.

    A concurrent upload may create the same keys first: the insert then skips them, and the
    ids are read back in one query, never taken from the rows this upload meant to insert.
    """
    now = utcnow()
    new_keys = [
        {
            "id": cuid2(),
            "created_at": now,
            "updated_at": now,
            "key": name,
            "name": label,
            "data_type": types[name],
            "type": "custom",
            "is_unique": False,
            "environment_id": environment_id,
        }
        for name, label in plan.key_names.items()
        if name not in known
    ]
    if not new_keys:
        return known
    await repository.insert_attribute_keys(session, new_keys)
    return await repository.get_attribute_keys(session, environment_id, plan.key_names)


async def _rename_keys(
    session: AsyncSession, plan: _Plan, keys: dict[str, ContactAttributeKey]
) -> None:
    renamed = {
        keys[name].id: label for name, label in plan.key_names.items() if keys[name].name != label
    }
    await repository.rename_attribute_keys(session, renamed)


async def _write(
    session: AsyncSession,
    environment_id: str,
    plan: _Plan,
    keys: dict[str, ContactAttributeKey],
    types: dict[str, DataType],
) -> None:
    now = utcnow()
    key_ids = {name: row.id for name, row in keys.items()}
    targets = [(cuid2(), contact) for contact in plan.new_contacts]
    await repository.insert_contacts(
        session,
        [
            {
                "id": contact_id,
                "created_at": now,
                "updated_at": now,
                "environment_id": environment_id,
            }
            for contact_id, _ in targets
        ],
    )
    rows = []
    for contact_id, contact in [*targets, *plan.updates]:
        for attribute in contact.attributes:
            name = attribute.attribute_key.key
            columns = store(attribute.value, types[name])
            rows.append(
                {
                    "id": cuid2(),
                    "created_at": now,
                    "updated_at": now,
                    "contact_id": contact_id,
                    "attribute_key_id": key_ids[name],
                    "value": columns.value,
                    "value_number": columns.value_number,
                    "value_date": columns.value_date,
                    "is_unique": keys[name].is_unique,
                }
            )
    await repository.upsert_attributes(session, rows)
