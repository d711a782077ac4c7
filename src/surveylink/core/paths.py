"""Upstream's routing in front of the handlers (v1 management spec §6), as one pure-ASGI step.

Upstream's Next.js server answers before any route handler: a path with repeated slashes or a
backslash is redirected to its single-slash form, a trailing slash is redirected away, three
legacy v1 paths are redirected under `/management`, and two old v1 resource names are served by
the new ones. Integrations depend on all of it (tap-formbricks requests `/api/v1//management/…`,
the n8n node `/api/v1/me`). One rule answers per request, as upstream's hops do: `/api/v1/me/`
is redirected twice.

Redirects are 308 with a relative `Location` (upstream's; never built from the `Host` header), the
query string kept; the client repeats the same method, body and headers, its key included.
"""

import re
from collections.abc import Iterable
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

_SLASHES = re.compile(rb"/{2,}")
# (old prefix, new prefix): 308 redirects. Upstream redirects the three exact paths only; their
# sub-paths follow too here (docs/compatibility.md).
_REDIRECTS = tuple(
    (f"/api/v1/{name}".encode(), f"/api/v1/management/{name}".encode())
    for name in ("surveys", "responses", "me")
)
# (old prefix, new prefix): served in place, the client never sees the new path.
_REWRITES = (
    ("/api/v1/management/people", "/api/v1/management/contacts"),
    ("/api/v1/management/attribute-classes", "/api/v1/management/contact-attribute-keys"),
)


class UpstreamPaths:
    """Upstream's redirects and rewrites. `routes` are the app's: a route declared with a trailing
    slash (the seed route, upstream's contract path) keeps answering it directly."""

    def __init__(self, app: ASGIApp, routes: Iterable[BaseRoute]) -> None:
        self.app = app
        paths = {context.path_format for context in iter_route_contexts(list(routes))}
        self._slash_routes = tuple(
            compile_path(path)[0] for path in paths if path and path != "/" and path.endswith("/")
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw: bytes = scope.get("raw_path") or scope["path"].encode()
            # On every request's path: plain byte tests pick out what a rule may apply to.
            if (
                b"//" in raw
                or b"\\" in raw
                or (raw.endswith(b"/") and len(raw) > 1)
                or raw.startswith(b"/api/v1/")
            ):
                target = self._redirect_target(raw, scope["path"])
                if target is not None:
                    await _redirect(target, scope["query_string"], send)
                    return
                if raw.startswith(b"/api/v1/management/"):
                    scope = _rewritten(scope)
        await self.app(scope, receive, send)

    def _redirect_target(self, raw: bytes, path: str) -> bytes | None:
        if b"//" in raw or b"\\" in raw:
            return _SLASHES.sub(b"/", raw.replace(b"\\", b"/"))
        if len(raw) > 1 and raw.endswith(b"/"):
            if any(regex.match(path) for regex in self._slash_routes):
                return None
            return raw.rstrip(b"/") or b"/"
        if raw.startswith(b"/api/v1/") and not raw.startswith(b"/api/v1/management/"):
            for old, new in _REDIRECTS:
                if raw == old or raw.startswith(old + b"/"):
                    return new + raw[len(old) :]
        return None


def _rewritten(scope: Scope) -> Scope:
    path: str = scope["path"]
    for old, new in _REWRITES:
        if path == old or path.startswith(old + "/"):
            changed: dict[str, Any] = {**scope, "path": new + path[len(old) :]}
            raw = scope.get("raw_path")
            if raw is not None:
                changed["raw_path"] = new.encode() + raw[len(old) :]
            return changed
    return scope


async def _redirect(target: bytes, query: bytes, send: Send) -> None:
    location = target + b"?" + query if query else target
    await send(
        {
            "type": "http.response.start",
            "status": 308,
            "headers": [
                (b"location", location),
                (b"refresh", b"0;url=" + location),
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(location)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": location})
