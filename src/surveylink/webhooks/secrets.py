"""Webhook signing secrets: `whsec_` + base64 of 32 random bytes, kept sealed with AES-GCM.

The key is derived from ENCRYPTION_KEY with HKDF, so the same setting that protects link tokens
protects the secrets without ever being used for two purposes. The webhook id is the associated
data: a sealed secret copied onto another row does not open.

Key rotation: a box holds the current key and those of PREVIOUS_ENCRYPTION_KEYS. It seals with the
current key and opens with any of them. A stored value may hold several seals of the same secret,
comma-separated (`surveylink keys rotate` seals under the new and the current key, so processes on
either configuration can open it while they are restarted one by one).
"""

import base64
import os
import secrets
from collections.abc import Sequence

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


def _derive(encryption_key: str) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        encryption_key.encode()
    )
    return AESGCM(derived)


class SecretBox:
    """Seals and opens webhook secrets."""

    def __init__(self, *keys: bytes) -> None:
        self._aeads = [AESGCM(key) for key in keys]

    @classmethod
    def from_setting(cls, encryption_key: str, previous: Sequence[str] = ()) -> "SecretBox":
        box = cls()
        box._aeads = [_derive(key) for key in (encryption_key, *previous)]
        return box

    def seal(self, webhook_id: str, secret: str) -> str:
        """Sealed with the current key only."""
        return self._seal(self._aeads[0], webhook_id, secret)

    def seal_with_every_key(self, webhook_id: str, secret: str) -> str:
        """One seal per key of the box, so that any of them opens it."""
        return ",".join(self._seal(aead, webhook_id, secret) for aead in self._aeads)

    @staticmethod
    def _seal(aead: AESGCM, webhook_id: str, secret: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = aead.encrypt(nonce, secret.encode(), webhook_id.encode())
        return _VERSION + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, webhook_id: str, sealed: str | None) -> str | None:
        """The plain secret, or None when there is none or no key of this box opens it."""
        for part in (sealed or "").split(","):
            if not part.startswith(_VERSION):
                continue
            try:
                raw = base64.urlsafe_b64decode(part[len(_VERSION) :])
            except ValueError:
                continue
            for aead in self._aeads:
                try:
                    plain = aead.decrypt(
                        raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], webhook_id.encode()
                    )
                except (InvalidTag, ValueError):
                    continue
                return plain.decode()
        return None
