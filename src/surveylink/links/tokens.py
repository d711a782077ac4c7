"""Personal-link tokens, byte-compatible with upstream (behaviour spec §4).

Each id is sealed with AES-256-GCM (16-byte random IV, hex `iv:ciphertext:tag`), and the two
sealed ids go into an HS256 JWT. Upstream keys both from one `ENCRYPTION_KEY` string: the AES key
is its latin1 bytes when it has exactly 32 characters and its hex decoding otherwise; the HMAC key
is its UTF-8 bytes. Pure: no I/O, no settings lookups, the clock passed in.

Ours, inside upstream's format: the contact id's 16-byte IV may carry the instant a link was issued
(microseconds, 8 bytes), 4 random bytes and a 4-byte HMAC tag. Upstream reads it as any random IV,
and the JWT signature covers it, so the token stays byte-for-byte upstream's format while telling
a revocation (campaigns) apart from a link issued a microsecond later. Tokens whose IV carries no
valid mark (upstream's, or older ones) are judged by their whole-second `iat`.

Key rotation: `LinkKeys.previous` holds the keys of PREVIOUS_ENCRYPTION_KEYS. New tokens are signed
and sealed with the current key; a token verifies under whichever key signed it.
"""

import base64
import functools
import hashlib
import hmac
import math
import os
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

DAY = 86_400
IV_BYTES = 16
TAG_BYTES = 16
# Upstream does not pin the algorithm, so jsonwebtoken accepts every HMAC variant.
ACCEPTED_ALGORITHMS = ["HS256", "HS384", "HS512"]
_HEX = set(string.hexdigits)


class TokenInvalid(Exception):
    """Upstream's `invalid_token`: the page shows "Survey link invalid."."""


class TokenExpired(Exception):
    """Upstream's `token_expired`: the page shows "Your link is expired."."""


@dataclass(frozen=True)
class LinkKeys:
    aes: bytes
    hmac: bytes
    # Keys that still open older tokens (PREVIOUS_ENCRYPTION_KEYS), tried after this one.
    previous: tuple["LinkKeys", ...] = ()

    @classmethod
    def from_setting(cls, encryption_key: str, previous: Sequence[str] = ()) -> "LinkKeys":
        """Raises ValueError where upstream's AES would throw "Invalid key length"."""
        if len(encryption_key) == 32:
            aes = bytes(ord(char) & 0xFF for char in encryption_key)
        else:
            aes = _lenient_hex(encryption_key)
        if len(aes) != 32:
            raise ValueError("ENCRYPTION_KEY must be 32 characters or 64 hex digits")
        try:
            older = tuple(cls.from_setting(key) for key in previous)
        except ValueError:
            raise ValueError(
                "each of PREVIOUS_ENCRYPTION_KEYS must be 32 characters or 64 hex digits"
            ) from None
        return cls(aes=aes, hmac=encryption_key.encode(), previous=older)

    @property
    def ring(self) -> tuple["LinkKeys", ...]:
        """Every key a token may be verified with, the current one first."""
        return (self, *self.previous)


@dataclass(frozen=True)
class LinkClaims:
    contact_id: str
    survey_id: str


@dataclass(frozen=True)
class VerifiedLink:
    """A token that verified: its ids, when it was issued, and the key that signed it."""

    claims: LinkClaims
    iat: int | None
    issued_us: int | None  # from the IV mark; None for upstream's tokens
    keys: LinkKeys

    def issued_after(self, revoked_us: int | None) -> bool:
        """Whether this link was issued after a revocation at `revoked_us` (or there is none).

        A marked token knows its microsecond; an unmarked one only its whole second, so it
        counts as issued after the revocation only from the next second on.
        """
        if revoked_us is None:
            return True
        if self.issued_us is not None:
            return self.issued_us > revoked_us
        return self.iat is not None and self.iat > revoked_us // 1_000_000


def _lenient_hex(text: str) -> bytes:
    """Node's `Buffer.from(text, "hex")`: stops at the first bad pair, drops an odd nibble."""
    out = bytearray()
    for index in range(0, len(text) - 1, 2):
        pair = text[index : index + 2]
        if not set(pair) <= _HEX:
            break
        out.append(int(pair, 16))
    return bytes(out)


def encrypt_id(value: str, key: bytes, iv: bytes | None = None) -> str:
    iv = iv if iv is not None else os.urandom(IV_BYTES)
    sealed = AESGCM(key).encrypt(iv, value.encode(), None)
    ciphertext, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    return f"{iv.hex()}:{ciphertext.hex()}:{tag.hex()}"


def decrypt_id(payload: str, key: bytes) -> str:
    """GCM `iv:ct:tag`, or the legacy two-part AES-256-CBC `iv:ct` upstream issued before 2025."""
    parts = payload.split(":")
    try:
        if len(parts) == 2:
            return _decrypt_cbc(bytes.fromhex(parts[0]), bytes.fromhex(parts[1]), key)
        iv, ciphertext, tag = (bytes.fromhex(part) for part in parts[:3])
        if len(tag) != TAG_BYTES or not iv:
            raise TokenInvalid("bad tag or iv")
        return AESGCM(key).decrypt(iv, ciphertext + tag, None).decode()
    except (ValueError, TypeError, ArithmeticError) as error:
        raise TokenInvalid(str(error)) from None
    except Exception as error:  # cryptography's InvalidTag and friends
        raise TokenInvalid(type(error).__name__) from None


def _decrypt_cbc(iv: bytes, ciphertext: bytes, key: bytes) -> str:
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(padded) + unpadder.finalize()).decode()


def mark_iv(issued_us: int, hmac_key: bytes, nonce: bytes | None = None) -> bytes:
    """A 16-byte IV that carries the issuing microsecond: `us(8) | random(4) | tag(4)`."""
    head = issued_us.to_bytes(8, "big") + (nonce if nonce is not None else os.urandom(4))
    return head + hmac.digest(hmac_key, _MARK + head, "sha256")[:4]


def read_mark(sealed_id: str, hmac_key: bytes) -> int | None:
    """The issuing microsecond a marked IV carries, or None for any other IV."""
    iv_hex = sealed_id.split(":", 1)[0]
    if len(iv_hex) != 2 * IV_BYTES:
        return None
    try:
        iv = bytes.fromhex(iv_hex)
    except ValueError:
        return None
    head, tag = iv[:12], iv[12:]
    expected = hmac.digest(hmac_key, _MARK + head, "sha256")[:4]
    return int.from_bytes(head[:8], "big") if hmac.compare_digest(tag, expected) else None


_MARK = b"surveylink issued-at v1|"


def sign(
    claims: LinkClaims,
    keys: LinkKeys,
    *,
    now: int,
    expiration_days: float | None = None,
    ivs: tuple[bytes, bytes] | None = None,
    issued_us: int | None = None,
) -> str:
    """The JWT upstream issues at second `now`: claims in upstream's order, `exp` if expiring.

    With `issued_us`, the contact id's IV carries that instant (see the module docstring)."""
    signer = BatchSigner(keys, now=now, expiration_days=expiration_days)
    return signer.sign(claims, ivs, issued_us=issued_us)


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


_HEADER = _b64url(b'{"alg":"HS256","typ":"JWT"}')


@functools.lru_cache(maxsize=8)
def _primitives(aes_key: bytes, hmac_key: bytes) -> tuple[AESGCM, "hmac.HMAC"]:
    """The AES-GCM context and the keyed HMAC of a key pair, made once: on the one-link path
    building them cost as much as signing. Both are only copied or used, never changed."""
    return AESGCM(aes_key), hmac.new(hmac_key, digestmod=hashlib.sha256)


class BatchSigner:
    """Signs tokens issued at one instant: `sign` for one, exports for many.

    One AES-GCM object and one HMAC key schedule serve every token (building them is most of
    the cost of one), and the payload is written directly: its values are hex, digits and
    colons, so the text is exactly what `json.dumps` writes. Signed here rather than with
    PyJWT's encode, which re-parses the key on every call; the bytes are the same, checked
    against the vectors. Each id still gets a fresh IV.
    """

    def __init__(self, keys: LinkKeys, *, now: int, expiration_days: float | None = None) -> None:
        self._aes, self._mac = _primitives(keys.aes, keys.hmac)
        self._hmac_key = keys.hmac
        tail = f',"iat":{now}'
        if expiration_days:
            tail += f',"exp":{expiry(now, expiration_days)}'
        self._tail = tail + "}"

    def _seal(self, value: str, iv: bytes | None) -> str:
        iv = iv if iv is not None else os.urandom(IV_BYTES)
        sealed = self._aes.encrypt(iv, value.encode(), None)
        return f"{iv.hex()}:{sealed[:-TAG_BYTES].hex()}:{sealed[-TAG_BYTES:].hex()}"

    def sign(
        self,
        claims: LinkClaims,
        ivs: tuple[bytes, bytes] | None = None,
        *,
        issued_us: int | None = None,
    ) -> str:
        contact_iv, survey_iv = ivs or (None, None)
        if contact_iv is None and issued_us is not None:
            contact_iv = mark_iv(issued_us, self._hmac_key)
        payload = (
            f'{{"contactId":"{self._seal(claims.contact_id, contact_iv)}",'
            f'"surveyId":"{self._seal(claims.survey_id, survey_iv)}"{self._tail}'
        )
        signing_input = _HEADER + b"." + _b64url(payload.encode())
        mac = self._mac.copy()
        mac.update(signing_input)
        return (signing_input + b"." + _b64url(mac.digest())).decode()


def expiry(now: int, expiration_days: float) -> int:
    """`exp` of a token issued at `now`; fractional days (segment links) end on a whole second."""
    return now + int(expiration_days * DAY)


def verify(token: str, keys: LinkKeys, *, now: int) -> LinkClaims:
    """The ids in a token, checked in jsonwebtoken's order: signature first, then time claims."""
    return verify_link(token, keys, now=now).claims


def verify_link(token: str, keys: LinkKeys, *, now: int) -> VerifiedLink:
    """`verify`, under the current key or any previous one, with what the token says of its
    issuing."""
    payload, signer = _decode(token, keys)
    _check_time(payload, now)
    contact, survey = payload.get("contactId"), payload.get("surveyId")
    if not (isinstance(contact, str) and contact and isinstance(survey, str) and survey):
        raise TokenInvalid("missing claims")
    claims = LinkClaims(decrypt_id(contact, signer.aes), decrypt_id(survey, signer.aes))
    iat = payload.get("iat")
    whole_iat = None
    if isinstance(iat, int | float) and not isinstance(iat, bool) and math.isfinite(iat):
        whole_iat = int(iat)
    return VerifiedLink(claims, whole_iat, read_mark(contact, signer.hmac), signer)


def _decode(token: str, keys: LinkKeys) -> tuple[dict[str, Any], LinkKeys]:
    """The payload and the key whose signature it carries."""
    ring = keys.ring
    for index, candidate in enumerate(ring):
        try:
            payload = jwt.decode(
                token,
                candidate.hmac,
                algorithms=ACCEPTED_ALGORITHMS,
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )
        except jwt.InvalidSignatureError as error:
            if index < len(ring) - 1:
                continue
            raise TokenInvalid(str(error)) from None
        except jwt.PyJWTError as error:
            raise TokenInvalid(str(error)) from None
        if not isinstance(payload, dict):
            raise TokenInvalid("payload is not an object")
        return payload, candidate
    raise AssertionError("unreachable: the ring holds the current key")


def _check_time(payload: dict[str, Any], now: int) -> None:
    nbf, exp = payload.get("nbf"), payload.get("exp")
    if nbf is not None and (not _is_number(nbf) or nbf > now):
        raise TokenInvalid("jwt not active")
    if exp is not None:
        if not _is_number(exp):
            raise TokenInvalid("invalid exp value")
        if now >= exp:
            raise TokenExpired("jwt expired")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
