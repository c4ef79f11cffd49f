"""The payment PIN: 6 digits, argon2-hashed, locked for ``PIN_LOCK_SECONDS`` after
``PIN_MAX_FAILURES`` wrong tries in a row."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lifecircle.accounts.models import PaymentPin, User
from lifecircle.accounts.validators import id_birth_date, pin_clean
from lifecircle.core.crypto import decrypt_text
from lifecircle.core.errors import ApplicationError, PermissionDenied


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher(**settings.PIN_ARGON2)


def _pins_to_avoid(user: User) -> tuple[str, ...]:
    """The owner's birth date (YYMMDD, MMDDYY, DDMMYY) and the last 6 of their ID number."""
    identity = getattr(user, "identity", None)
    if identity is None:
        return ()
    number = decrypt_text(identity.id_number_encrypted)
    born = id_birth_date(number)
    return (
        born.strftime("%y%m%d"),
        born.strftime("%m%d%y"),
        born.strftime("%d%m%y"),
        number[-6:],
    )


def pin_is_set(*, user: User) -> bool:
    return PaymentPin.objects.filter(user=user).exists()


def pin_set(*, user: User, pin: str, password: str | None = None) -> None:
    """Set the first PIN, or change it (changing needs the login password; it also lifts a
    lock, which is how someone who forgot their PIN gets back in)."""
    from lifecircle.accounts.services.users import password_confirm

    if PaymentPin.objects.filter(user=user).exists():
        password_confirm(
            user=user,
            password=password,
            field="password",
            message=_("Enter your login password to change the PIN."),
        )
    pin = pin_clean(pin, avoid=_pins_to_avoid(user))
    pin_hash = _hasher().hash(pin)
    with transaction.atomic():
        PaymentPin.objects.update_or_create(
            user=user, defaults={"pin_hash": pin_hash, "failed_attempts": 0, "locked_until": None}
        )


def _locked_error(until: dt.datetime) -> PermissionDenied:
    local = timezone.localtime(until)
    return PermissionDenied(
        "pin_locked",
        _("Payments are locked after too many wrong PINs. Try again after %(time)s.")
        % {"time": formats.date_format(local, "DATETIME_FORMAT")},
        extra={"unlocks_at": until.isoformat()},
    )


def pin_verify(*, user: User, pin: str) -> None:
    """Raise unless ``pin`` is the user's PIN and payments are not locked.

    Call it *before* opening the transaction that moves money: it commits its own count of
    wrong tries, which a rollback of the caller's transaction would otherwise undo. The PIN
    row is locked while checking so parallel wrong tries are all counted."""
    conf = settings.LIFECIRCLE
    error: ApplicationError | None = None
    with transaction.atomic():
        row = PaymentPin.objects.select_for_update().filter(user=user).first()
        if row is None:
            raise ApplicationError("pin_not_set", _("Set a payment PIN first."), status=400)
        now = timezone.now()
        if row.locked_until and row.locked_until > now:
            raise _locked_error(row.locked_until)
        try:
            ok = bool(pin) and _hasher().verify(row.pin_hash, pin)
        except (VerificationError, InvalidHashError):
            ok = False
        if ok:
            if row.failed_attempts or row.locked_until:
                row.failed_attempts, row.locked_until = 0, None
                row.save(update_fields=["failed_attempts", "locked_until", "updated_at"])
            if _hasher().check_needs_rehash(row.pin_hash):
                row.pin_hash = _hasher().hash(pin)
                row.save(update_fields=["pin_hash", "updated_at"])
            return
        row.failed_attempts += 1
        remaining = conf["PIN_MAX_FAILURES"] - row.failed_attempts
        if remaining <= 0:
            row.failed_attempts = 0
            row.locked_until = now + dt.timedelta(seconds=conf["PIN_LOCK_SECONDS"])
            error = _locked_error(row.locked_until)
        else:
            error = ApplicationError(
                "pin_incorrect",
                ngettext(
                    "Wrong payment PIN. %(n)d try left before payments are locked.",
                    "Wrong payment PIN. %(n)d tries left before payments are locked.",
                    remaining,
                )
                % {"n": remaining},
                extra={"remaining_attempts": remaining},
            )
        row.save(update_fields=["failed_attempts", "locked_until", "updated_at"])
    raise error
