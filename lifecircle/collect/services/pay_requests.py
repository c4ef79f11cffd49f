"""Pay-on-behalf (代付): a member asks a friend to pay their share of a collection.

The request is a card in the one-to-one chat between the two and a notification to the friend.
It expires ``PAY_REQUEST_EXPIRY_SECONDS`` (24 h) after it was made — reads check the clock,
nothing has to sweep it. At most one request per share is pending at a time; an expired one
does not count. Paying is ``services.payments.pay_request_pay``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.chat.models import Message
from lifecircle.chat.services import card_post, conversation_direct_open
from lifecircle.collect import selectors
from lifecircle.collect.models import Collection, PayRequest, Share
from lifecircle.collect.services.errors import (
    collection_closed,
    collection_not_found,
    nothing_to_pay,
    pay_request_not_found,
    pay_request_state_error,
    share_already_paid,
)
from lifecircle.collect.services.events import card_changed
from lifecircle.core.converters import id_in_range
from lifecircle.core.errors import ApplicationError, Conflict, validation_error
from lifecircle.notifications.models import Notification
from lifecircle.notifications.services import notification_create
from lifecircle.social import selectors as social


def _pending_exists() -> ApplicationError:
    return Conflict(
        "pay_request_pending",
        _("You already asked a friend to pay this share. Withdraw that request first."),
    )


def _payer_check(requester: User, collection: Collection, payer_id) -> User:
    not_found = validation_error("payer_id", "payer_not_found", _("No such friend."))
    if not id_in_range(payer_id):
        raise not_found
    payer = User.objects.filter(pk=payer_id, is_active=True).first()
    if payer is None or social.has_blocked(payer, requester):
        raise not_found
    if payer.pk == requester.pk:
        raise validation_error("payer_id", "pay_request_self", _("Ask a friend, not yourself."))
    if payer.pk == collection.organiser_id:
        raise validation_error(
            "payer_id", "payer_is_organiser", _("The organiser cannot pay your share for you.")
        )
    if social.has_blocked(requester, payer):
        raise validation_error("payer_id", "payer_blocked", _("You blocked this person. Unblock them first."))
    if not social.are_friends(requester, payer):
        raise validation_error("payer_id", "payer_not_friend", _("You can only ask a friend to pay for you."))
    if social.is_blocked_between(payer, collection.organiser_id):
        raise validation_error("payer_id", "payer_not_allowed", _("This friend cannot pay this collection."))
    return payer


def pay_request_create(*, requester: User, collection_id: int, payer_id: int) -> PayRequest:
    """``requester`` asks ``payer_id`` (a friend) to pay their unpaid share of an open
    collection. Posts a card into their one-to-one chat and notifies the friend."""
    collection = selectors.collection_for_participant(viewer=requester, collection_id=collection_id)
    if collection is None:
        raise collection_not_found()
    share = Share.objects.filter(collection=collection, member=requester).first()
    if share is None or requester.pk == collection.organiser_id:
        raise nothing_to_pay()
    payer = _payer_check(requester, collection, payer_id)
    if not collection.is_open:
        raise collection_closed()
    if share.is_paid:
        raise share_already_paid()
    conv = conversation_direct_open(user=requester, other_id=payer.pk)
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = Collection.objects.select_for_update().get(pk=collection.pk)
            share = Share.objects.select_for_update().get(pk=share.pk)
            if not locked.is_open:
                raise collection_closed()
            if share.is_paid:
                raise share_already_paid()
            # An expired request no longer holds the share's one pending place.
            PayRequest.objects.filter(
                share=share, status=PayRequest.Status.PENDING, expires_at__lte=now
            ).update(status=PayRequest.Status.EXPIRED)
            if PayRequest.objects.filter(share=share, status=PayRequest.Status.PENDING).exists():
                raise _pending_exists()
            request = PayRequest.objects.create(
                share=share,
                requester=requester,
                payer=payer,
                amount_fen=share.amount_fen,
                created_at=now,
                expires_at=now + dt.timedelta(seconds=settings.LIFECIRCLE["PAY_REQUEST_EXPIRY_SECONDS"]),
                conversation=conv,
            )
            card_post(
                sender=requester,
                conversation_id=conv.pk,
                kind=Message.Kind.PAY_REQUEST,
                subject_id=request.pk,
                summary={"amount_fen": request.amount_fen, "collection_id": collection.pk},
            )
            notification_create(
                user_id=payer.pk,
                kind=Notification.Kind.PAY_REQUEST,
                actor_id=requester.pk,
                amount_fen=request.amount_fen,
                subject_id=request.pk,
            )
    except IntegrityError:  # a parallel request for the same share won the one pending place
        raise _pending_exists() from None
    return request


def pay_request_cancel(*, user: User, pay_request_id: int) -> PayRequest:
    """The member withdraws their request, or the friend declines it. Withdrawing twice is
    harmless; a paid or expired request stays as it is (``pay_request_paid`` /
    ``pay_request_expired``)."""
    request = selectors.pay_request_for_party(viewer=user, pay_request_id=pay_request_id)
    if request is None:
        raise pay_request_not_found()
    with transaction.atomic():
        request = PayRequest.objects.select_for_update().get(pk=request.pk)
        state = request.state()
        if state == PayRequest.Status.CANCELLED:
            return request
        if state != PayRequest.Status.PENDING:
            raise pay_request_state_error(state)
        request.status, request.cancelled_at = PayRequest.Status.CANCELLED, timezone.now()
        request.save(update_fields=["status", "cancelled_at"])
        card_changed(conversation_id=request.conversation_id, kind="pay_request", subject_id=request.pk)
    return request
