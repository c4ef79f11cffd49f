"""The wallet's error codes. Every one is a 4xx: nothing moved when one is raised."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lifecircle.core.errors import ApplicationError, Conflict, PermissionDenied


def insufficient_funds() -> ApplicationError:
    return ApplicationError("insufficient_funds", _("Your balance is not enough for this payment."))


def wallet_busy() -> ApplicationError:
    return Conflict("wallet_busy", _("The wallet is busy. Please try again in a moment."))


def pin_required() -> ApplicationError:
    return PermissionDenied(
        "pin_required",
        _("This payment is over your password-free limit. Enter your payment PIN to continue."),
    )
