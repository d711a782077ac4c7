"""Short links (`/s/{code}`) and QR codes for personal links.

A short link is a random code stored with the personal link it stands for, that link's expiry
and its (survey, contact) pair. Opening it sends the browser to that personal link, so every
check `/c/` makes applies to it as well: signature, expiry, revocation, already answered.
"""

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from surveylink.auth.permissions import AuthKey
from surveylink.core.clock import utcnow
from surveylink.core.db import transaction
from surveylink.core.reader import Reader
from surveylink.core.retention import PruneTarget
from surveylink.links import service as links
from surveylink.links.schemas import PersonalLink
from surveylink.links.service import LinkContext
from surveylink.shortlinks import qr, repository

# 9 random bytes: 12 URL-safe characters (72 bits); `/s/` + code is 15 characters.
CODE_BYTES = 9
MAX_CODE_LENGTH = 32
ATTEMPTS = 3  # fresh codes after a collision (one in ~10**16 per code at a billion links)

# Links expired longer ago than the retention: `/s/{code}` then says "invalid" (404) instead of
# "expired" (410). Links that never expire are kept.
PRUNE_SHORT_LINKS = PruneTarget(
    "short links",
    repository.find_prunable_short_links,
    repository.delete_short_links,
    repository.count_prunable_short_links,
)


@dataclass(frozen=True)
class Issued:
    """A personal link as issued: whose, and its path after the base URL."""

    contact_id: str
    target: str  # "/c/{token}[?suId=…]"


def short_url(base_url: str, code: str) -> str:
    return f"{base_url}/s/{code}"


async def store_short_links(
    sessions: async_sessionmaker[AsyncSession],
    survey_id: str,
    links: Sequence[Issued],
    expires_at: datetime | None,
) -> list[str]:
    """A new code for each link, written in one statement in its own transaction (a link
    handed out must resolve even when the request that made it only reads); returns the codes
    in order."""
    now = utcnow()
    for attempt in range(ATTEMPTS):
        codes = [secrets.token_urlsafe(CODE_BYTES) for _ in links]
        rows = [
            {
                "code": code,
                "survey_id": survey_id,
                "contact_id": link.contact_id,
                "target": link.target,
                "expires_at": expires_at,
                "created_at": now,
            }
            for code, link in zip(codes, links, strict=True)
        ]
        try:
            async with transaction(sessions, write=True) as session:
                await repository.insert_short_links(session, rows)
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
            continue
        return codes
    raise AssertionError("unreachable")


async def shorten(
    sessions: async_sessionmaker[AsyncSession],
    base_url: str,
    survey_id: str,
    links: Sequence[tuple[str, PersonalLink]],
) -> list[PersonalLink]:
    """The same personal links (of `(contact id, link)`, issued together, so expiring together)
    behind short URLs, with the same `expiresAt`."""
    if not links:
        return []
    expiry = links[0][1].expiresAt
    expires_at = None if expiry is None else datetime.fromisoformat(expiry.replace("Z", "+00:00"))
    issued = [Issued(contact, link.surveyUrl.removeprefix(base_url)) for contact, link in links]
    codes = await store_short_links(sessions, survey_id, issued, expires_at)
    return [PersonalLink(surveyUrl=short_url(base_url, code), expiresAt=expiry) for code in codes]


@dataclass(frozen=True)
class Refused:
    """The respondent page to show instead of following a short link."""

    state: Literal["invalid", "expired"]
    status: int


async def resolve(reader: Reader, code: str) -> str | Refused:
    """Where `/s/{code}` sends the browser (a path), or why not: an unknown code is an invalid
    link (404), and once the link's expiry has passed it is expired (410), as `/c/` says."""
    if not code or len(code) > MAX_CODE_LENGTH:
        return Refused("invalid", 404)
    found = await repository.get_short_link(reader, code)
    if found is None:
        return Refused("invalid", 404)
    target, expires_at = found
    if expires_at is not None and time.time() >= expires_at.timestamp():
        return Refused("expired", 410)
    return target


async def qr_code(
    context: LinkContext,
    sessions: async_sessionmaker[AsyncSession],
    key: AuthKey,
    survey_id: str,
    contact_id: str,
    expiration_days: int | None,
    short: bool,
    image_format: qr.QrFormat,
) -> bytes:
    """The personal link (short if asked) as a QR code, after the link endpoint's checks."""
    link = await links.personal_link(context, key, survey_id, contact_id, expiration_days)
    if short:
        [link] = await shorten(sessions, context.base_url, survey_id, [(contact_id, link)])
    return qr.render(link.surveyUrl, image_format)
