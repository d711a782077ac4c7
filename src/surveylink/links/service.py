import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.auth.permissions import AuthKey
from surveylink.campaigns.issuance import IssuanceLog
from surveylink.core.clock import iso
from surveylink.core.errors import BadRequest, NotFound, Resource, Unauthorized
from surveylink.core.ids import cuid2
from surveylink.core.reader import Reader
from surveylink.core.zod import js_number
from surveylink.links import repository, tokens
from surveylink.links.schemas import PersonalLink
from surveylink.surveys import service as surveys


@dataclass(frozen=True)
class LinkContext:
    """What issuing a link needs, made once at start-up."""

    reader: Reader
    keys: tokens.LinkKeys
    base_url: str
    issuance: IssuanceLog | None = None  # notes each link for the campaign status


async def personal_link(
    context: LinkContext,
    key: AuthKey,
    survey_id: str,
    contact_id: str,
    expiration_days: int | None,
) -> PersonalLink:
    """A signed link for one contact, after upstream's checks in upstream's order (§3.1)."""
    target = await repository.get_link_target(context.reader, survey_id, contact_id)
    if target is None:
        raise NotFound(Resource.SURVEY, survey_id)
    if not key.allows(target.environment_id):
        raise Unauthorized()
    if target.survey_type != "link":
        raise BadRequest.on("surveyId", "Not a link survey")
    if target.contact_environment_id != target.environment_id:
        raise NotFound(Resource.CONTACT, contact_id)
    if target.responded:
        raise BadRequest.on("contactId", "Already responded")
    link = build_link(
        contact_id,
        survey_id,
        target.single_use,
        expiration_days,
        context.keys,
        context.base_url,
    )
    if context.issuance is not None:
        context.issuance.record(survey_id, contact_id, time.time())
    return link


def build_link(
    contact_id: str,
    survey_id: str,
    single_use: dict[str, Any] | None,
    expiration_days: float | None,
    keys: tokens.LinkKeys,
    base_url: str,
    now: int | None = None,
) -> PersonalLink:
    """`{base}/c/{jwt}[?suId=…]`; `expiresAt` and the JWT's `exp` are the same instant.

    The token carries the microsecond it was issued (tokens.mark_iv), which revocation needs."""
    clock_us = time.time_ns() // 1000
    issued = clock_us // 1_000_000 if now is None else now
    claims = tokens.LinkClaims(contact_id=contact_id, survey_id=survey_id)
    token = tokens.sign(
        claims, keys, now=issued, expiration_days=expiration_days, issued_us=clock_us
    )
    url = f"{base_url}/c/{token}"
    if single_use and single_use.get("enabled"):
        single_use_id = cuid2()
        if single_use.get("isEncrypted"):
            single_use_id = tokens.encrypt_id(single_use_id, keys.aes)
        url += f"?suId={single_use_id}"  # unencoded, as upstream: colons are legal in a query
    expires_at = None
    if expiration_days:
        expires_at = iso(datetime.fromtimestamp(tokens.expiry(issued, expiration_days), UTC))
    return PersonalLink(surveyUrl=url, expiresAt=expires_at)


SINGLE_USE_DEFAULT = 10
SINGLE_USE_MAX = 5000


async def single_use_links(
    session: AsyncSession,
    key: AuthKey,
    survey_id: str,
    limit_text: str | None,
    keys: tokens.LinkKeys,
    base_url: str,
) -> list[str]:
    """`limit` (default 10, at most 5000) one-time links `{base}/s/{surveyId}?suId=…` of a link
    survey with single use on, each id encrypted when the survey asks (v1 surveys spec §2.6)."""
    survey = await surveys.get_survey_for_key(session, key, survey_id)
    if survey.type != "link":
        raise BadRequest(message="Single use links are only available for link surveys")
    single_use = survey.document.get("singleUse") or {}
    if not single_use.get("enabled"):
        raise BadRequest(message="Single use links are not enabled for this survey")
    limit = js_number(limit_text) if limit_text else SINGLE_USE_DEFAULT
    if limit < 1:
        raise BadRequest(message="Limit cannot be less than 1")
    if limit > SINGLE_USE_MAX:
        raise BadRequest(message=f"Limit cannot be more than {SINGLE_USE_MAX}")
    count = 0 if math.isnan(limit) else math.ceil(limit)  # JavaScript's `i < limit` loop
    ids = [cuid2() for _ in range(count)]
    if single_use.get("isEncrypted"):
        ids = [tokens.encrypt_id(single_use_id, keys.aes) for single_use_id in ids]
    return [f"{base_url}/s/{survey.id}?suId={single_use_id}" for single_use_id in ids]


class LinkMaker:
    """`build_link` for many contacts of one survey at one instant (exports): the same links,
    signed by one `BatchSigner`; every link expires at the same `expires_at`."""

    def __init__(
        self,
        survey_id: str,
        single_use: dict[str, Any] | None,
        expiration_days: float | None,
        keys: tokens.LinkKeys,
        now: int,
    ) -> None:
        self._survey_id = survey_id
        self._keys = keys
        self._signer = tokens.BatchSigner(keys, now=now, expiration_days=expiration_days)
        single_use = single_use or {}
        self._single_use = bool(single_use.get("enabled"))
        self._encrypt_single_use = bool(single_use.get("isEncrypted"))
        self.expires_at: datetime | None = None
        if expiration_days:
            self.expires_at = datetime.fromtimestamp(tokens.expiry(now, expiration_days), UTC)

    def path(self, contact_id: str) -> str:
        """`/c/{jwt}[?suId=…]`, as `build_link` writes it after the base URL."""
        claims = tokens.LinkClaims(contact_id=contact_id, survey_id=self._survey_id)
        # Marked with the instant it is issued, so revocation covers exported links too.
        token = self._signer.sign(claims, issued_us=time.time_ns() // 1000)
        path = f"/c/{token}"
        if self._single_use:
            single_use_id = cuid2()
            if self._encrypt_single_use:
                single_use_id = tokens.encrypt_id(single_use_id, self._keys.aes)
            path += f"?suId={single_use_id}"
        return path
