"""Every member's link of a segment, for mailers: CSV or NDJSON, streamed in constant memory.

The members are read by keyset (the next batch of ids after the last one), each batch in its
own short transaction, so an export of any size holds one batch at a time and never keeps a
transaction open between batches. Links are signed by one `LinkMaker` at one instant: they all
expire together. Short links, when asked for, are stored a batch at a time, each batch in its
own write transaction (a long export never holds the write lock for long).
"""

import csv
import io
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from surveylink.auth.permissions import AuthKey
from surveylink.core.clock import iso
from surveylink.core.db import transaction
from surveylink.core.errors import BadRequest
from surveylink.links.service import LinkMaker
from surveylink.links.tokens import LinkKeys
from surveylink.segments import repository, service
from surveylink.shortlinks import service as shortlinks

ExportFormat = Literal["csv", "ndjson"]
MEDIA_TYPES: dict[str, str] = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}
BATCH = 1000
COLUMNS = ("contactId", "surveyUrl", "expiresAt")


@dataclass(frozen=True)
class ExportPlan:
    """What to export, decided (and checked) before the first byte is sent."""

    survey_id: str
    segment_id: str
    single_use: dict[str, object] | None
    where: ColumnElement[bool]
    attributes: list[tuple[str, str]]  # (key id, key name), in the order asked for
    expiration_days: float | None
    short: bool


async def plan_export(
    session: AsyncSession,
    key: AuthKey | None,
    survey_id: str,
    segment_id: str,
    attribute_names: list[str],
    expiration_days: float | None,
    short: bool,
) -> ExportPlan:
    """The segment-links endpoint's checks in its order; then every attribute asked for must
    be a key of the environment (400: a typo would otherwise give an empty column)."""
    survey, where = await service.link_target(session, key, survey_id, segment_id)
    names = list(dict.fromkeys(name for name in attribute_names if name))
    clashes = [name for name in names if name in COLUMNS]
    if clashes:
        raise BadRequest.on("attributes", f"Not an attribute column: {', '.join(clashes)}")
    existing = await repository.get_attribute_key_ids(session, survey.environment_id, names)
    unknown = [name for name in names if name not in existing]
    if unknown:
        raise BadRequest.on("attributes", f"Unknown attribute keys: {', '.join(unknown)}")
    return ExportPlan(
        survey_id=survey_id,
        segment_id=segment_id,
        single_use=survey.single_use,
        where=where,
        attributes=[(existing[name], name) for name in names],
        expiration_days=expiration_days,
        short=short,
    )


async def count_members(session: AsyncSession, plan: ExportPlan) -> int:
    return await repository.count_contacts(session, plan.where)


async def export_chunks(
    sessions: async_sessionmaker[AsyncSession],
    plan: ExportPlan,
    keys: LinkKeys,
    base_url: str,
    export_format: ExportFormat,
) -> AsyncIterator[tuple[int, str]]:
    """`(links in it, text)` chunks: a header (CSV), then one chunk per batch of members."""
    maker = LinkMaker(plan.survey_id, plan.single_use, plan.expiration_days, keys, int(time.time()))
    expires_at = "" if maker.expires_at is None else iso(maker.expires_at)
    names = [name for _, name in plan.attributes]
    if export_format == "csv":
        yield 0, _csv_line(["contactId", *names, "surveyUrl", "expiresAt"])
    after = ""
    while True:
        async with transaction(sessions) as session:
            batch = await repository.get_export_batch(
                session, plan.where, after, BATCH, [key_id for key_id, _ in plan.attributes]
            )
        if not batch:
            return
        after = batch[-1][0]
        paths = [maker.path(contact_id) for contact_id, _ in batch]
        if plan.short:
            issued = [
                shortlinks.Issued(contact_id, path)
                for (contact_id, _), path in zip(batch, paths, strict=True)
            ]
            codes = await shortlinks.store_short_links(
                sessions, plan.survey_id, issued, maker.expires_at
            )
            paths = [f"/s/{code}" for code in codes]
        if export_format == "csv":
            text = _csv_rows(batch, plan, paths, base_url, expires_at)
        else:
            text = _ndjson_rows(batch, plan, paths, base_url, expires_at or None)
        yield len(batch), text


def _csv_line(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(values)
    return out.getvalue()


def _csv_rows(
    batch: list[tuple[str, dict[str, str]]],
    plan: ExportPlan,
    paths: list[str],
    base_url: str,
    expires_at: str,
) -> str:
    """RFC 4180 rows (quotes where needed, CRLF line ends).

    The csv module scans every character of every cell, which for ~400-character URLs is most
    of an export's time. Only attribute values can hold a comma, quote or line break, so only
    they go through it; ids, tokens and timestamps never need quoting, nor does the URL unless
    PUBLIC_URL itself does (then every cell goes through the csv module).
    """
    if _needs_quoting(base_url):
        return _csv_rows_quoting_everything(batch, plan, paths, base_url, expires_at)
    key_ids = [key_id for key_id, _ in plan.attributes]
    tail = f",{expires_at}\r\n"
    if not key_ids:
        return "".join(
            f"{contact_id},{base_url}{path}{tail}"
            for (contact_id, _), path in zip(batch, paths, strict=True)
        )
    cells: list[str] = []
    writer = csv.writer(_Lines(cells), lineterminator="")
    writer.writerows([values.get(key_id, "") for key_id in key_ids] for _, values in batch)
    return "".join(
        f"{contact_id},{attributes},{base_url}{path}{tail}"
        for (contact_id, _), attributes, path in zip(batch, cells, paths, strict=True)
    )


class _Lines:
    """A file for csv.writer that keeps each row's text apart."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append


def _needs_quoting(text: str) -> bool:
    return any(char in text for char in ',"\r\n')


def _csv_rows_quoting_everything(
    batch: list[tuple[str, dict[str, str]]],
    plan: ExportPlan,
    paths: list[str],
    base_url: str,
    expires_at: str,
) -> str:
    out = io.StringIO()
    key_ids = [key_id for key_id, _ in plan.attributes]
    csv.writer(out).writerows(
        [contact_id, *(values.get(key_id, "") for key_id in key_ids), base_url + path, expires_at]
        for (contact_id, values), path in zip(batch, paths, strict=True)
    )
    return out.getvalue()


def _ndjson_rows(
    batch: list[tuple[str, dict[str, str]]],
    plan: ExportPlan,
    paths: list[str],
    base_url: str,
    expires_at: str | None,
) -> str:
    lines = []
    for (contact_id, values), path in zip(batch, paths, strict=True):
        row: dict[str, object] = {"contactId": contact_id}
        if plan.attributes:
            row["attributes"] = {
                name: values[key_id] for key_id, name in plan.attributes if key_id in values
            }
        row["surveyUrl"] = base_url + path
        row["expiresAt"] = expires_at
        lines.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
    lines.append("")
    return "\n".join(lines)


def negotiate(requested: ExportFormat | None, accept: str) -> ExportFormat:
    """`?format=` wins; else NDJSON when the Accept header names it; else CSV."""
    if requested is not None:
        return requested
    media_types = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return "ndjson" if "application/x-ndjson" in media_types else "csv"
