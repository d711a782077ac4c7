import time
from datetime import UTC, datetime
from typing import Any

from surveylink.auth.permissions import AuthKey, Permission
from surveylink.core.clock import iso
from surveylink.core.errors import BadRequest, NotFound, Unauthorized
from surveylink.core.ids import cuid2
from surveylink.links import repository, tokens
from surveylink.links.deps import LinkContext
from surveylink.links.schemas import PersonalLink


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
        raise NotFound.on("survey", "not found")
    if not key.allows(target.environment_id, Permission.READ):
        raise Unauthorized()
    if target.survey_type != "link":
        raise BadRequest.on("surveyId", "Not a link survey")
    if target.contact_environment_id != target.environment_id:
        raise NotFound.on("contact", "not found")
    if target.responded:
        raise BadRequest.on("contactId", "Already responded")
    return build_link(
        contact_id,
        survey_id,
        target.single_use,
        expiration_days,
        context.keys,
        context.base_url,
    )


def build_link(
    contact_id: str,
    survey_id: str,
    single_use: dict[str, Any] | None,
    expiration_days: float | None,
    keys: tokens.LinkKeys,
    base_url: str,
    now: int | None = None,
) -> PersonalLink:
    """`{base}/c/{jwt}[?suId=…]`; `expiresAt` and the JWT's `exp` are the same instant."""
    issued = int(time.time()) if now is None else now
    claims = tokens.LinkClaims(contact_id=contact_id, survey_id=survey_id)
    token = tokens.sign(claims, keys, now=issued, expiration_days=expiration_days)
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
        path = f"/c/{self._signer.sign(claims)}"
        if self._single_use:
            single_use_id = cuid2()
            if self._encrypt_single_use:
                single_use_id = tokens.encrypt_id(single_use_id, self._keys.aes)
            path += f"?suId={single_use_id}"
        return path
