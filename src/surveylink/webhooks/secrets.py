"""Webhook signing secrets: `whsec_` + base64 of 32 random bytes, kept sealed with AES-GCM.

The key is derived from ENCRYPTION_KEY with HKDF, so the same setting that protects link tokens
protects the secrets without ever being used for two purposes. The webhook id is the associated
data: a sealed secret copied onto another row does not open.
"""

import base64
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "whsec_"
_INFO = b"surveylink webhook secrets v1"
_VERSION = "v1."
_NONCE_BYTES = 12


def new_secret() -> str:
    """A fresh secret in upstream's format."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class SecretBox:
    """Seals and opens webhook secrets."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    @classmethod
    def from_setting(cls, encryption_key: str) -> "SecretBox":
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            encryption_key.encode()
        )
        return cls(derived)

    def seal(self, webhook_id: str, secret: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, secret.encode(), webhook_id.encode())
        return _VERSION + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, webhook_id: str, sealed: str | None) -> str | None:
        """The plain secret, or None when there is none or it does not open with this key."""
        if not sealed or not sealed.startswith(_VERSION):
            return None
        raw = base64.urlsafe_b64decode(sealed[len(_VERSION) :])
        try:
            plain = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], webhook_id.encode())
        except InvalidTag:
            return None
        return plain.decode()
