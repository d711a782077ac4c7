"""The issuing mark in a token's IV, and verification under previous keys (pure)."""

import json
from typing import Any

import jwt
import pytest

from surveylink.links import tokens
from surveylink.links.service import build_link
from tests.links.test_tokens import VECTORS_FILE

VECTORS: dict[str, Any] = json.loads(VECTORS_FILE.read_text())
OLD = "5f9a0c1e2d3b4a5968778695a4b3c2d1e0f11223344556677889900aabbccdde"
NEW = "9c1e2d3b4a5968778695a4b3c2d1e0f11223344556677889900aabbccddeeff0"
CLAIMS = tokens.LinkClaims(
    contact_id="clcontact0000000000000000", survey_id="clsurvey00000000000000000"
)


def _contact_payload(token: str) -> str:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return str(claims["contactId"])


def test_a_marked_iv_carries_the_issuing_microsecond() -> None:
    keys = tokens.LinkKeys.from_setting(OLD)

    token = tokens.sign(CLAIMS, keys, now=1_760_000_000, issued_us=1_760_000_000_123_456)

    assert tokens.read_mark(_contact_payload(token), keys.hmac) == 1_760_000_000_123_456
    assert tokens.read_mark(_contact_payload(token), NEW.encode()) is None
    assert tokens.verify(token, keys, now=1_760_000_001) == CLAIMS


def test_upstreams_random_ivs_carry_no_mark() -> None:
    for case in VECTORS["cases"]:
        keys = tokens.LinkKeys.from_setting(case["encryptionKey"])
        for name in ("tokenNoExpiry", "tokenExpires7d", "tokenRandomIv"):
            assert tokens.read_mark(_contact_payload(case[name]), keys.hmac) is None


def test_links_are_marked_with_the_instant_they_are_built() -> None:
    keys = tokens.LinkKeys.from_setting(OLD)

    link = build_link(CLAIMS.contact_id, CLAIMS.survey_id, None, None, keys, "http://x")
    token = link.surveyUrl.rsplit("/", 1)[1]
    verified = tokens.verify_link(token, keys, now=2_000_000_000)

    assert verified.issued_us is not None
    assert verified.iat == verified.issued_us // 1_000_000


def test_a_previous_key_still_verifies_and_opens_its_token() -> None:
    old_token = tokens.sign(CLAIMS, tokens.LinkKeys.from_setting(OLD), now=1_760_000_000)
    rotated = tokens.LinkKeys.from_setting(NEW, [OLD])

    verified = tokens.verify_link(old_token, rotated, now=1_760_000_001)

    assert verified.claims == CLAIMS
    assert verified.keys.hmac == OLD.encode()
    assert verified.iat == 1_760_000_000
    with pytest.raises(tokens.TokenInvalid):
        tokens.verify(old_token, tokens.LinkKeys.from_setting(NEW), now=1_760_000_001)


def test_an_expired_token_under_a_previous_key_is_expired_not_invalid() -> None:
    old_token = tokens.sign(
        CLAIMS, tokens.LinkKeys.from_setting(OLD), now=1_760_000_000, expiration_days=1
    )

    with pytest.raises(tokens.TokenExpired):
        tokens.verify(old_token, tokens.LinkKeys.from_setting(NEW, [OLD]), now=1_770_000_000)


@pytest.mark.parametrize(
    ("issued_us", "iat", "revoked_us", "admitted"),
    [
        (5_000_000, 5, None, True),
        (5_000_001, 5, 5_000_000, True),  # a microsecond after the revocation
        (5_000_000, 5, 5_000_000, False),
        (4_999_999, 4, 5_000_000, False),
        (None, 5, 5_999_999, False),  # unmarked: issued some time in second 5
        (None, 6, 5_999_999, True),
        (None, None, 5_000_000, False),
    ],
)
def test_issued_after_a_revocation(
    issued_us: int | None, iat: int | None, revoked_us: int | None, admitted: bool
) -> None:
    link = tokens.VerifiedLink(CLAIMS, iat, issued_us, tokens.LinkKeys.from_setting(OLD))

    assert link.issued_after(revoked_us) is admitted
