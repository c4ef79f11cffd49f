"""Sign-up, sign-in and profile."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.accounts.services.throttle import login_attempt_start, login_attempt_succeeded
from lifecircle.accounts.validators import looks_like_mobile, mobile_clean, normalize_mobile, username_clean
from lifecircle.core.errors import ApplicationError, validation_error
from lifecircle.core.images import image_clean
from lifecircle.core.text import plain_text

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
_DUMMY = User(username="__timing__")


def _password_check(password: str, user: User, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError("password_weak", exc.messages[0], fields={field: list(exc.messages)}) from None


def _generated_username() -> str:
    return "lc_" + secrets.token_hex(5)


def user_sign_up(*, identifier: str, password: str, nickname: str = "", language: str = "") -> User:
    """Create an account from a mobile number or a username (``identifier``) and a password.

    An identifier made of digits is read as a mobile number; anything else as a username."""
    identifier = (identifier or "").strip()
    mobile: str | None = None
    if looks_like_mobile(identifier):
        mobile = mobile_clean(identifier, field="identifier")
        username = _generated_username()
    else:
        username = username_clean(identifier, field="identifier")
    if language and language not in LANGUAGE_CODES:
        raise validation_error("language", "language_invalid", _("Choose one of the offered languages."))
    nickname = plain_text(nickname)[:40]
    user = User(username=username, mobile=mobile, nickname=nickname, language=language)
    _password_check(password, user)
    user.set_password(password)
    taken = ApplicationError(
        "identifier_taken",
        _("An account with this mobile number or username already exists."),
        status=409,
        fields={"identifier": [_("Already registered.")]},
    )
    if mobile and User.objects.filter(mobile=mobile).exists():
        raise taken
    if not mobile and User.objects.filter(username__iexact=username).exists():
        raise taken
    for _attempt in range(5):
        try:
            with transaction.atomic():
                user.save()
            return user
        except IntegrityError:
            if mobile is None or User.objects.filter(mobile=mobile).exists():
                raise taken from None
            user.username = _generated_username()  # a generated username collided: draw again
    raise taken


def user_find_by_identifier(identifier: str) -> User | None:
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    if looks_like_mobile(identifier):
        return User.objects.filter(mobile=normalize_mobile(identifier)).first()
    return User.objects.filter(username__iexact=identifier).first()


def user_authenticate(*, identifier: str, password: str, ip: str | None) -> User:
    """Check a sign-in. Refused while the account or the address has had too many recent
    failures (``login_throttled``, 429), even with the right password."""
    user = user_find_by_identifier(identifier)
    account_key = f"u:{user.pk}" if user else f"i:{(identifier or '').strip().lower()[:60]}"
    login_attempt_start(account_key=account_key, ip=ip)
    if user is None:
        _DUMMY.set_password(password)  # same work as a real check: no account enumeration by timing
        ok = False
    else:
        ok = user.check_password(password) and user.is_active
    if not ok:
        raise ApplicationError("login_invalid", _("The account or password is incorrect."), status=400)
    login_attempt_succeeded(account_key=account_key)
    return user


def password_confirm(*, user: User, password: str | None, field: str, message) -> None:
    """Re-check the login password of a signed-in user (before changing the password or the
    PIN), throttled with the sign-in attempts of that account: a stolen session or token
    cannot be used to guess it."""
    login_attempt_start(account_key=f"u:{user.pk}", ip=None)
    if not password or not user.check_password(password):
        raise validation_error(field, "password_incorrect", message)
    login_attempt_succeeded(account_key=f"u:{user.pk}")


def profile_update(*, user: User, nickname: str | None = None, language: str | None = None) -> User:
    fields = []
    if nickname is not None:
        nickname = plain_text(nickname)
        if len(nickname) > 40:
            raise validation_error(
                "nickname", "nickname_too_long", _("A nickname has at most 40 characters.")
            )
        user.nickname = nickname
        fields.append("nickname")
    if language is not None:
        if language and language not in LANGUAGE_CODES:
            raise validation_error("language", "language_invalid", _("Choose one of the offered languages."))
        user.language = language
        fields.append("language")
    if fields:
        user.save(update_fields=fields)
    return user


def avatar_set(*, user: User, data: bytes) -> User:
    """Validate the upload by decoding it, strip metadata, store it with a square thumbnail."""
    conf = settings.LIFECIRCLE
    clean = image_clean(
        data=data,
        field="avatar",
        max_bytes=conf["AVATAR_MAX_BYTES"],
        max_side=conf["AVATAR_SIZE"],
        thumb_side=conf["AVATAR_THUMB_SIZE"],
    )
    old = [f.name for f in (user.avatar, user.avatar_thumb) if f]
    user.avatar.save(
        f"{user.pk}-{secrets.token_hex(6)}.{clean.full.name.rsplit('.', 1)[1]}", clean.full, save=False
    )
    user.avatar_thumb.save(
        f"{user.pk}-{secrets.token_hex(6)}-t.{clean.thumb.name.rsplit('.', 1)[1]}", clean.thumb, save=False
    )
    user.save(update_fields=["avatar", "avatar_thumb"])
    storage = user.avatar.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in old])
    return user


def password_change(*, user: User, old_password: str, new_password: str) -> None:
    """Change the password. Every API token is revoked (other sessions end too, as their
    session hash no longer matches): whoever had them must sign in again."""
    from lifecircle.accounts.models import ApiToken

    password_confirm(
        user=user,
        password=old_password,
        field="old_password",
        message=_("Your current password is incorrect."),
    )
    _password_check(new_password, user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        from lifecircle.accounts.services.tokens import auth_revoked_publish

        auth_revoked_publish(user_id=user.pk)  # every open socket of this user closes
