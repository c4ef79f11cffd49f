"""Who is on the other end of a WebSocket.

Two ways in, as for the API:
- ``Authorization: Bearer <token>`` (native and script clients);
- the browser's session cookie — accepted only when the ``Origin`` header names one of
  ``ALLOWED_HOSTS``, so another site cannot open a socket with a visitor's cookie
  (cross-site WebSocket hijacking).
Anyone else is anonymous, and the consumer refuses them.
"""

from __future__ import annotations

from urllib.parse import urlparse

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import validate_host

from lifecircle.accounts.services.tokens import api_token_lookup


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def origin_allowed(origin: str | None, *, host: str | None = None, scheme: str = "ws") -> bool:
    """The page that opened the socket is our own: its origin has the request's scheme and
    ``Host`` (host *and* port), and the host is allowed — or it is a trusted origin."""
    if not origin:
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    parsed = urlparse(origin)
    hostname = parsed.hostname
    if hostname is None or not host:
        return False
    if ":" in hostname:  # IPv6 literal
        hostname = f"[{hostname}]"
    expected_scheme = "https" if scheme == "wss" else "http"
    return (
        parsed.scheme == expected_scheme
        and parsed.netloc.lower() == host.lower()
        and validate_host(hostname, settings.ALLOWED_HOSTS)
    )


class _TokenOrOriginCheckedSession:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        authorization = _header(scope, b"authorization") or ""
        if authorization.lower().startswith("bearer "):
            token = await database_sync_to_async(api_token_lookup)(authorization[7:].strip())
            scope = {
                **scope,
                "user": token.user if token else AnonymousUser(),
                "auth_method": "token",
                "token_id": token.pk if token else None,
            }
        else:
            user = scope.get("user")
            if user is not None and hasattr(user, "_wrapped"):
                # resolve channels' lazy user now, in a thread, not later in the event loop
                await database_sync_to_async(lambda: user.is_authenticated)()
            if not origin_allowed(
                _header(scope, b"origin"), host=_header(scope, b"host"), scheme=scope.get("scheme", "ws")
            ):
                scope = {**scope, "user": AnonymousUser()}
            scope = {**scope, "auth_method": "session"}
        return await self.inner(scope, receive, send)


def WebSocketAuthMiddlewareStack(inner):
    return AuthMiddlewareStack(_TokenOrOriginCheckedSession(inner))
