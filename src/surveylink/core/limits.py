"""`RequestLimits`: what every request must fit before any route sees it, as pure ASGI.

- A body is at most MAX_BODY_BYTES (upstream's newer 2 MiB). A declared `Content-Length` over
  it is answered 413 before the route runs and without reading a byte of the body; a body
  without one (chunked) is counted as the route reads it, and the read that crosses the limit
  fails, so no route ever holds more than the limit. The 413 goes out in the envelope of the
  path's API version, whatever the route was doing when its read failed.
- A NUL character in the path or a query parameter is refused as that parameter's validation
  error: no column can hold it (PostgreSQL refuses it in text and JSON), and no link or id
  contains one.
"""

from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from surveylink.core import handlers

MAX_BODY_BYTES = 2 * 1024 * 1024


class BodyTooLarge(Exception):
    """Raised into the route by the read that crosses the limit."""


class RequestLimits:
    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if field := _nul_field(path, scope["query_string"]):
            await handlers.nul_in_url(path, field)(scope, receive, send)
            return
        if _is_upload(scope):
            # Files posted on the survey page: respondent/uploads.py bounds them by the file
            # questions' own limits while it reads them.
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await handlers.too_large(path, self.limit)(scope, receive, send)
            return
        await _Counted(self.app, self.limit)(scope, receive, send)


class _Counted:
    """One request whose body is counted as it is read."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit
        self.received = 0
        self.refused = False  # the body crossed the limit
        self.started = False  # a response went out (ours or the route's)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted_receive() -> Message:
            if self.refused:
                raise BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > self.limit:
                    self.refused = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            if self.refused and not self.started:
                return  # whatever the route answers to its failed read, the 413 replaces it
            if message["type"] == "http.response.start":
                self.started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not self.refused or self.started:
                raise
        if self.refused and not self.started:
            self.started = True
            await handlers.too_large(scope["path"], self.limit)(scope, receive, send)


def _is_upload(scope: Scope) -> bool:
    if scope["method"] != "POST" or not scope["path"].startswith("/c/"):
        return False
    content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
    return content_type.startswith(b"multipart/form-data")


def _nul_field(path: str, query: bytes) -> str | None:
    """Where a NUL is: `path`, or the name of the query parameter that holds one."""
    if "\x00" in path:
        return "path"
    if b"%00" not in query and b"\x00" not in query:
        return None  # the common case, decided without parsing
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return name.replace("\x00", "") or "query"
    return None


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length", "")
    # Digits only, and few: a longer number is over any limit anyway.
    if not value.isascii() or not value.isdigit():
        return None
    return int(value) if len(value) <= 18 else 2**63
