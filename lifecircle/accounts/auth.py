"""How API and WebSocket requests prove who they are: a bearer token, or the browser's
session cookie (with CSRF for unsafe methods, which Ninja's SessionAuth checks)."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from lifecircle.accounts.services.tokens import api_token_authenticate
from lifecircle.core.i18n import activate_for_user


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is None:
            return None
        request.user = user
        activate_for_user(request, user)
        return user


class SessionUserAuth(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user and user.is_authenticated else None


api_auth = [BearerTokenAuth(), SessionUserAuth()]
