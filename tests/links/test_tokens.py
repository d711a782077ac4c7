"""The token module against the known-answer vectors made with Node's crypto and jsonwebtoken."""

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from surveylink.links import tokens

# Ours: made with Node crypto and jsonwebtoken 9.0.3 (vectors/README.md: how, what each checks).
VECTORS_FILE = Path(__file__).parent / "vectors" / "link-token-vectors.json"
VECTORS: dict[str, Any] = json.loads(VECTORS_FILE.read_text())
CASES = VECTORS["cases"]
IAT = VECTORS["iat"]
CLAIMS = tokens.LinkClaims(contact_id=VECTORS["contactId"], survey_id=VECTORS["surveyId"])


def _keys(case: dict[str, Any]) -> tokens.LinkKeys:
    return tokens.LinkKeys.from_setting(case["encryptionKey"])


def _ivs(case: dict[str, Any]) -> tuple[bytes, bytes]:
    return bytes.fromhex(case["fixedIvContactIdHex"]), bytes.fromhex(case["fixedIvSurveyIdHex"])


@pytest.fixture(params=CASES, ids=[case["keyName"] for case in CASES])
def case(request: pytest.FixtureRequest) -> dict[str, Any]:
    value: dict[str, Any] = request.param
    return value


def test_ids_encrypt_to_the_vector_bytes(case: dict[str, Any]) -> None:
    contact_iv, survey_iv = _ivs(case)

    contact = tokens.encrypt_id(VECTORS["contactId"], _keys(case).aes, contact_iv)
    survey = tokens.encrypt_id(VECTORS["surveyId"], _keys(case).aes, survey_iv)

    assert contact == case["encryptedContactId"]
    assert survey == case["encryptedSurveyId"]


def test_token_without_expiry_matches_the_vector(case: dict[str, Any]) -> None:
    token = tokens.sign(CLAIMS, _keys(case), now=IAT, ivs=_ivs(case))

    assert token == case["tokenNoExpiry"]


def test_token_expiring_in_7_days_matches_the_vector(case: dict[str, Any]) -> None:
    token = tokens.sign(CLAIMS, _keys(case), now=IAT, expiration_days=7, ivs=_ivs(case))

    assert token == case["tokenExpires7d"]


@pytest.mark.parametrize(("days", "name"), [(None, "tokenNoExpiry"), (7, "tokenExpires7d")])
def test_batch_signer_matches_the_vectors(
    case: dict[str, Any], days: int | None, name: str
) -> None:
    signer = tokens.BatchSigner(_keys(case), now=IAT, expiration_days=days)

    assert signer.sign(CLAIMS, ivs=_ivs(case)) == case[name]


def test_batch_signer_gives_each_token_fresh_ivs(case: dict[str, Any]) -> None:
    signer = tokens.BatchSigner(_keys(case), now=IAT, expiration_days=1.5)

    first, second = signer.sign(CLAIMS), signer.sign(CLAIMS)

    assert first != second
    for token in (first, second):
        assert tokens.verify(token, _keys(case), now=IAT) == CLAIMS
        payload = jwt.decode(token, options={"verify_signature": False})
        assert payload["exp"] == IAT + 129_600


@pytest.mark.parametrize("name", ["tokenNoExpiry", "tokenExpires7d", "tokenRandomIv"])
def test_valid_vectors_verify_to_the_ids(case: dict[str, Any], name: str) -> None:
    assert tokens.verify(case[name], _keys(case), now=IAT) == CLAIMS


def test_expired_vector_is_expired_not_invalid(case: dict[str, Any]) -> None:
    with pytest.raises(tokens.TokenExpired):
        tokens.verify(case["tokenExpired"], _keys(case), now=IAT)


@pytest.mark.parametrize(
    "name", ["tokenSignedWithOtherKey", "tokenTamperedPayload", "tokenAlgNone"]
)
def test_forged_vectors_are_invalid(case: dict[str, Any], name: str) -> None:
    with pytest.raises(tokens.TokenInvalid):
        tokens.verify(case[name], _keys(case), now=IAT)


def test_expiry_is_at_exp_exactly(case: dict[str, Any]) -> None:
    token = tokens.sign(CLAIMS, _keys(case), now=IAT, expiration_days=1)

    assert tokens.verify(token, _keys(case), now=IAT + 86_399) == CLAIMS
    with pytest.raises(tokens.TokenExpired):
        tokens.verify(token, _keys(case), now=IAT + 86_400)


def _resign(case: dict[str, Any], payload: dict[str, Any], algorithm: str = "HS256") -> str:
    return jwt.encode(payload, case["encryptionKey"].encode(), algorithm=algorithm)


def _payload(case: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "contactId": case["encryptedContactId"],
        "surveyId": case["encryptedSurveyId"],
        "iat": IAT,
        **extra,
    }


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # the test's signer
@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_other_hmac_algorithms_are_accepted_as_upstream(
    case: dict[str, Any], algorithm: str
) -> None:
    token = _resign(case, _payload(case), algorithm)

    assert tokens.verify(token, _keys(case), now=IAT) == CLAIMS


def test_expired_token_with_bad_signature_is_invalid(case: dict[str, Any]) -> None:
    header, payload, _ = case["tokenExpired"].split(".")
    forged = f"{header}.{payload}.{base64.urlsafe_b64encode(b'x' * 32).decode().rstrip('=')}"

    with pytest.raises(tokens.TokenInvalid):
        tokens.verify(forged, _keys(case), now=IAT)


def test_future_nbf_is_invalid(case: dict[str, Any]) -> None:
    token = _resign(case, _payload(case, nbf=IAT + 60))

    with pytest.raises(tokens.TokenInvalid):
        tokens.verify(token, _keys(case), now=IAT)


def test_raw_unencrypted_ids_are_invalid(case: dict[str, Any]) -> None:
    token = _resign(case, {"contactId": CLAIMS.contact_id, "surveyId": CLAIMS.survey_id})

    with pytest.raises(tokens.TokenInvalid):
        tokens.verify(token, _keys(case), now=IAT)


def test_legacy_cbc_claims_decrypt(case: dict[str, Any]) -> None:
    def cbc(text: str) -> str:
        iv = bytes(range(16))
        padder = padding.PKCS7(128).padder()
        padded = padder.update(text.encode()) + padder.finalize()
        encryptor = Cipher(algorithms.AES(_keys(case).aes), modes.CBC(iv)).encryptor()
        return f"{iv.hex()}:{(encryptor.update(padded) + encryptor.finalize()).hex()}"

    token = _resign(case, {"contactId": cbc(CLAIMS.contact_id), "surveyId": cbc(CLAIMS.survey_id)})

    assert tokens.verify(token, _keys(case), now=IAT) == CLAIMS


def test_non_numeric_exp_is_invalid(case: dict[str, Any]) -> None:
    token = _resign(case, _payload(case, exp="soon"))

    with pytest.raises(tokens.TokenInvalid):
        tokens.verify(token, _keys(case), now=IAT)


def test_hmac_key_is_the_utf8_key_string(case: dict[str, Any]) -> None:
    header, payload, signature = case["tokenNoExpiry"].split(".")
    digest = hmac.new(
        case["encryptionKey"].encode(), f"{header}.{payload}".encode(), hashlib.sha256
    ).digest()

    assert base64.urlsafe_b64encode(digest).decode().rstrip("=") == signature


@pytest.mark.parametrize("key", ["short", "z" * 64, "ab" * 31])
def test_keys_that_do_not_give_32_aes_bytes_are_refused(key: str) -> None:
    with pytest.raises(ValueError, match="ENCRYPTION_KEY"):
        tokens.LinkKeys.from_setting(key)


def test_a_key_whose_lenient_hex_gives_32_bytes_works_as_in_node() -> None:
    # Node stops at the first bad pair: 64 hex digits then junk still decode to 32 bytes.
    keys = tokens.LinkKeys.from_setting("ab" * 32 + "zz")

    assert keys.aes == bytes.fromhex("ab" * 32)
