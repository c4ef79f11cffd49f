"""API bearer tokens: ``lc_<prefix>_<secret>``, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import ApiToken, User
from lifecircle.core.errors import ApplicationError, NotFound, validation_error
from lifecircle.core.text import plain_text


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    name = plain_text(name)
    if not name or len(name) > 60:
        raise validation_error("name", "token_name_invalid", _("Give the token a name of 1–60 characters."))
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if active >= settings.LIFECIRCLE["API_TOKENS_PER_USER"]:
        raise ApplicationError("token_limit", _("You have too many active tokens; revoke one first."))
    prefix = secrets.token_hex(4)
    raw = f"lc_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, token_hash=_hash(raw))
    return token, raw


def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound("token_not_found", _("No such token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        auth_revoked_publish(user_id=user.pk, token_ids=[token.pk])
    return token


def auth_revoked_publish(
    *, user_id: int, token_ids: list[int] | None = None, session_key: str | None = None
) -> None:
    """Tell the user's open sockets that some credentials ended: sockets opened with one of
    ``token_ids``, or with ``session_key``, or — with neither — all of them close."""
    from lifecircle.realtime import groups
    from lifecircle.realtime.events import publish_on_commit

    publish_on_commit(
        {"type": "auth.revoked", "token_ids": token_ids, "session_key": session_key},
        to=[groups.user(user_id)],
    )


def api_token_authenticate(raw: str) -> User | None:
    """The active user a raw token belongs to, or None."""
    token = api_token_lookup(raw)
    return token.user if token else None


def api_token_lookup(raw: str) -> ApiToken | None:
    """The active token (with its user) for a raw token, or None."""
    if not raw or not raw.startswith("lc_"):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # at most one write a minute
    return token
