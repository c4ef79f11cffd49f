"""Real-name verification (GB 11643 resident ID + legal name)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import RealNameIdentity, User
from lifecircle.accounts.validators import legal_name_clean, resident_id_clean
from lifecircle.core.crypto import encrypt_text, fingerprint
from lifecircle.core.errors import Conflict


def identity_verify(*, user: User, legal_name: str, id_number: str) -> RealNameIdentity:
    """Record a verified identity. The ID number is encrypted at rest, fingerprinted so one
    ID number verifies one account, and never logged or returned: only its last 4 digits.

    A production deployment would put a check against the national identity service behind
    this; the rules checked here (check digit, birth date, region) are those every such
    service applies first."""
    name = legal_name_clean(legal_name)
    number = resident_id_clean(id_number)
    if RealNameIdentity.objects.filter(user=user).exists():
        raise Conflict("identity_already_verified", _("Your real name is already verified."))
    print_ = fingerprint(number, purpose="resident-id")
    if RealNameIdentity.objects.filter(id_fingerprint=print_).exists():
        raise Conflict("identity_in_use", _("This ID number already verifies another account."))
    try:
        with transaction.atomic():
            identity = RealNameIdentity.objects.create(
                user=user,
                legal_name=name,
                id_number_encrypted=encrypt_text(number),
                id_fingerprint=print_,
                id_last4=number[-4:],
            )
    except IntegrityError:
        raise Conflict("identity_in_use", _("This ID number already verifies another account.")) from None
    user.identity = identity
    return identity
