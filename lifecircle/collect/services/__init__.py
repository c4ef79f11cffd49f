"""Every write of collections and pay-on-behalf. Re-exported so callers import from one place."""

from lifecircle.collect.services.collections import ShareSpec, collection_close, collection_create
from lifecircle.collect.services.pay_requests import pay_request_cancel, pay_request_create
from lifecircle.collect.services.payments import Payment, collection_pay, pay_request_pay
from lifecircle.collect.services.reminders import collection_reminders_send

__all__ = [
    "Payment",
    "ShareSpec",
    "collection_close",
    "collection_create",
    "collection_pay",
    "collection_reminders_send",
    "pay_request_cancel",
    "pay_request_create",
    "pay_request_pay",
]
