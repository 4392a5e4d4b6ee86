"""Outermost request handling: a request id, security headers on every response, and a calm 500 page."""

from __future__ import annotations

import logging
import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("afterglow")

# Same-origin only, no plugins, no <base> rewriting, no framing (clickjacking). htmx runs with allowEval=false and
# without its inline indicator styles, so no 'unsafe-*' is needed.
CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; "
    "img-src 'self' data:"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, render_500: object, hsts: bool = False) -> None:
        self.app = app
        self.render_500 = render_500
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        cacheable = scope["path"].startswith("/static/")
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
                headers["X-Request-ID"] = request_id
                if not cacheable:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled error, request_id=%s path=%s", request_id, scope.get("path"))
            if not started:
                response = self.render_500(scope, request_id)  # type: ignore[operator]
                await response(scope, receive, send_with_headers)
