"""API key material: `fbk_` + 32 random bytes (base64url), and the hash we keep of it."""

import hashlib
import re
import secrets

PREFIX = "fbk_"
_SECRET = re.compile(r"[A-Za-z0-9_-]+")


def generate() -> tuple[str, str]:
    """A new key and its lookup hash. The key is shown once; only the hash is stored."""
    secret = secrets.token_urlsafe(32)
    return PREFIX + secret, digest(secret)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_of(header: str) -> str | None:
    """The secret of a v2 key header value, or None when it is not one (upstream: 401)."""
    if not header.startswith(PREFIX):
        return None
    secret = header[len(PREFIX) :]
    return secret if _SECRET.fullmatch(secret) else None
