"""Standard Webhooks v1 signatures, as upstream signs its webhooks (resources spec §4.5)."""

import base64
import hashlib
import hmac

from surveylink.webhooks.secrets import PREFIX


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """The `webhook-signature` header: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`."""
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str | None, message_id: str, timestamp: int, body: str) -> dict[str, str]:
    """Every header of one delivery; unsigned when the webhook has no secret."""
    values = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
    }
    if secret:
        values["webhook-signature"] = signature(secret, message_id, timestamp, body)
    return values
