"""Cross-cutting headers as a tiny pure-ASGI middleware (no per-request task or body copy)."""

import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Upstream's site-wide headers (next.config.mjs).
SITE_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains; preload"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
NO_STORE = (b"cache-control", b"private, no-store")
# Upstream sends CORS headers on its 200 API answers only.
CORS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, POST, PUT, DELETE, OPTIONS"),
    (b"access-control-allow-headers", b"Content-Type, Authorization"),
]


class HeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id
        is_api = scope["path"].startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                present = {name.lower() for name, _ in headers}
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(header for header in SITE_HEADERS if header[0] not in present)
                if is_api:
                    if NO_STORE[0] not in present:
                        headers.append(NO_STORE)
                    if message["status"] == 200:
                        headers.extend(CORS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
