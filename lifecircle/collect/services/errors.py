"""The error codes of collections and pay requests. Every one is a 4xx: nothing changed."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lifecircle.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied


def collection_not_found() -> ApplicationError:
    return NotFound("collection_not_found", _("No such collection."))


def collection_closed() -> ApplicationError:
    return Conflict("collection_closed", _("This collection is closed."))


def share_already_paid() -> ApplicationError:
    return Conflict("share_already_paid", _("This share is already paid."))


def nothing_to_pay() -> ApplicationError:
    return PermissionDenied("nothing_to_pay", _("You have no share to pay in this collection."))


def not_across_a_block() -> ApplicationError:
    return PermissionDenied("blocked", _("You cannot pay someone who blocked you or whom you blocked."))


def pay_request_not_found() -> ApplicationError:
    return NotFound("pay_request_not_found", _("No such request."))


def pay_request_state_error(state: str) -> ApplicationError:
    """The request cannot be paid (or withdrawn) any more: why, by its state."""
    if state == "paid":
        return Conflict("pay_request_paid", _("This request is already paid."))
    if state == "expired":
        return Conflict("pay_request_expired", _("This request has expired."))
    return Conflict("pay_request_cancelled", _("This request was withdrawn."))


def pin_needed() -> ApplicationError:
    """Paying for a friend always needs the PIN; asking for it costs no wrong try."""
    message = _("Enter your payment PIN to pay for a friend.")
    return PermissionDenied("pin_required", message, fields={"pin": [message]})
