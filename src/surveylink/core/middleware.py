"""Cross-cutting headers, and the answer to an unexpected error, as tiny pure-ASGI middleware
(no per-request task or body copy).

They are on every request's path, so the header lists are built once and only appended.
"""

import os

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from surveylink.core import handlers

Headers = tuple[tuple[bytes, bytes], ...]

# Upstream's site-wide headers (next.config.mjs).
SITE: Headers = (
    (b"x-content-type-options", b"nosniff"),
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains; preload"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
# Every v2 answer is private, no-store; upstream adds CORS headers to its 200 answers only.
API: Headers = (*SITE, (b"cache-control", b"private, no-store"))
API_200: Headers = (
    *API,
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, POST, PUT, DELETE, OPTIONS"),
    (b"access-control-allow-headers", b"Content-Type, Authorization"),
)


def _uuid4() -> str:
    """A random UUID v4 as text: what `str(uuid.uuid4())` gives, at half its cost."""
    value = int.from_bytes(os.urandom(16), "big")
    value = (value & ~(0xF000 << 64) | (0x4000 << 64)) & ~(0xC000 << 48) | (0x8000 << 48)
    digits = f"{value:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


class HeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _uuid4()
        scope.setdefault("state", {})["request_id"] = request_id
        is_api = scope["path"].startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if is_api:
                    extra = API_200 if message["status"] == 200 else API
                else:  # pages may set their own (the survey page's stricter Referrer-Policy)
                    present = {name.lower() for name, _ in headers}
                    extra = tuple(header for header in SITE if header[0] not in present)
                message["headers"] = [*headers, (b"x-request-id", request_id.encode()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CatchUnexpected:
    """An exception no handler took becomes the path's generic 500, logged once.

    Starlette's own error middleware answers too, but then re-raises to the server, which logs
    the error a second time and drops the keep-alive connection. Here the exception ends with
    the answer. Only an exception after the response started is re-raised: nothing can be
    answered then, and the server must close the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            if started:
                raise
            response = await handlers.unexpected_response(Request(scope), error)
            await response(scope, receive, send)
