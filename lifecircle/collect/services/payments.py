"""Paying a share: by the member in one tap, or by a friend on their behalf with the PIN.

Both post one ledger entry of kind ``collection`` (payer −amount, organiser +amount) through
``entry_post``; its ``before`` callback locks the collection, the share (and the request) and
checks they can still be paid, its ``after`` callback marks the share paid and completes the
idempotency claim — all in the money transaction, so a share is paid exactly once and never
without its entry, whatever runs in parallel.

A member's own payment is password-free within the wallet's limits (the same day counter as
tips, ``wallet.services.micropayments``) and needs the PIN past them (``pin_required``); paying
for a friend always needs the PIN. The PIN is checked before the money transaction (it
commits its own count of wrong tries).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.accounts.services import pin_verify
from lifecircle.collect import selectors
from lifecircle.collect.models import Collection, PayRequest, Share
from lifecircle.collect.services.errors import (
    collection_closed,
    collection_not_found,
    not_across_a_block,
    nothing_to_pay,
    pay_request_not_found,
    pay_request_state_error,
    pin_needed,
    share_already_paid,
)
from lifecircle.collect.services.events import card_changed
from lifecircle.core.errors import PermissionDenied
from lifecircle.notifications.models import Notification
from lifecircle.notifications.services import notification_create
from lifecircle.social.selectors import is_blocked_between
from lifecircle.wallet.models import EntryKind, JournalEntry
from lifecircle.wallet.services import Leg, entry_post, wallet_account_for
from lifecircle.wallet.services.idempotency import idempotent

# The password-free rule is the wallet's, not a copy: the same per-day counter and limits.
from lifecircle.wallet.services.micropayments import micropayment_limit_take


@dataclass
class Payment:
    share: Share
    entry: JournalEntry

    @property
    def replayed(self) -> bool:
        return bool(getattr(self.entry, "replayed", False))


def _lock(collection_id: int, share_id: int) -> tuple[Collection, Share]:
    """Inside the money transaction, in the one lock order: collection, then share."""
    collection = Collection.objects.select_for_update().get(pk=collection_id)
    share = Share.objects.select_for_update().get(pk=share_id)
    return collection, share


def _mark_paid(share: Share, *, payer: User, entry: JournalEntry, now) -> None:
    Share.objects.filter(pk=share.pk).update(paid_at=now, paid_by=payer, entry=entry)


def _share_entry_post(*, payer, organiser, collection, share, amount_fen: int, details: dict, before, after):
    """The ledger entry paying one share: payer → organiser, kind ``collection``; ``before`` /
    ``after`` lock and record the share inside the same transaction."""
    return entry_post(
        kind=EntryKind.COLLECTION,
        legs=[Leg(wallet_account_for(payer), -amount_fen), Leg(wallet_account_for(organiser), amount_fen)],
        initiated_by=payer,
        note=collection.title,
        details={
            "purpose": "collection",
            "collection_id": collection.pk,
            "share_id": share.pk,
            "from_user": payer.pk,
            "to_user": organiser.pk,
            **details,
        },
        before=before,
        after=after,
    )


def collection_pay(
    *, payer: User, collection_id: int, idempotency_key: str | None, pin: str | None = None
) -> Payment:
    """The member pays their own share to the organiser. Idempotent per (payer, key): the
    same key again returns the first payment; another key once paid is ``share_already_paid``.
    Refused when the collection is closed (``collection_closed``) or across a block."""
    collection = selectors.collection_for_participant(viewer=payer, collection_id=collection_id)
    if collection is None:
        raise collection_not_found()
    share = Share.objects.filter(collection=collection, member=payer).first()
    if share is None or payer.pk == collection.organiser_id:
        raise nothing_to_pay()
    organiser = collection.organiser

    def run(claim):
        with_pin = bool(pin)
        if with_pin:
            pin_verify(user=payer, pin=pin)

        def before():
            locked, s = _lock(collection.pk, share.pk)
            if not locked.is_open:
                raise collection_closed()
            if s.is_paid:
                raise share_already_paid()
            if is_blocked_between(payer, organiser):
                raise not_across_a_block()
            if not with_pin:
                micropayment_limit_take(payer, s.amount_fen)

        def after(entry):
            claim.complete(entry)
            now = timezone.now()
            _mark_paid(share, payer=payer, entry=entry, now=now)
            # The member paid it themself: any friend they asked need not pay any more.
            moot = list(PayRequest.objects.filter(share=share, status=PayRequest.Status.PENDING))
            PayRequest.objects.filter(pk__in=[r.pk for r in moot]).update(
                status=PayRequest.Status.CANCELLED, cancelled_at=now
            )
            notification_create(
                user_id=organiser.pk,
                kind=Notification.Kind.COLLECTION_PAID,
                actor_id=payer.pk,
                amount_fen=share.amount_fen,
                subject_id=collection.pk,
            )
            card_changed(
                conversation_id=collection.conversation_id, kind="collection", subject_id=collection.pk
            )
            for r in moot:
                card_changed(conversation_id=r.conversation_id, kind="pay_request", subject_id=r.pk)

        return _share_entry_post(
            payer=payer,
            organiser=organiser,
            collection=collection,
            share=share,
            amount_fen=share.amount_fen,
            details={"password_free": not with_pin},
            before=before,
            after=after,
        )

    entry = idempotent(
        user=payer,
        operation="collection_pay",
        key=idempotency_key,
        params={"share_id": share.pk, "amount_fen": share.amount_fen},
        run=run,
    )
    share.refresh_from_db()
    return Payment(share=share, entry=entry)


def pay_request_pay(
    *, payer: User, pay_request_id: int, pin: str | None, idempotency_key: str | None
) -> Payment:
    """The friend who was asked pays the member's share to the organiser, with the PIN. The
    share is marked paid by the friend on behalf of the member. Refused when the request is
    paid (``pay_request_paid``), withdrawn (``pay_request_cancelled``), past its time
    (``pay_request_expired`` — the clock decides, no sweeper needed), when the share was paid
    meanwhile or the collection closed. Idempotent per (payer, key)."""
    request = selectors.pay_request_for_party(viewer=payer, pay_request_id=pay_request_id)
    if request is None:
        raise pay_request_not_found()
    if request.payer_id != payer.pk:
        raise PermissionDenied("pay_request_not_for_you", _("This request asks someone else to pay."))
    if not pin:
        raise pin_needed()
    share = request.share
    collection = share.collection
    organiser = collection.organiser

    def run(claim):
        pin_verify(user=payer, pin=pin)

        def before():
            locked, s = _lock(collection.pk, share.pk)
            r = PayRequest.objects.select_for_update().get(pk=request.pk)
            state = r.state()
            if state != PayRequest.Status.PENDING:
                raise pay_request_state_error(state)
            if not locked.is_open:
                raise collection_closed()
            if s.is_paid:
                raise share_already_paid()
            if is_blocked_between(payer, organiser):
                raise not_across_a_block()

        def after(entry):
            claim.complete(entry)
            now = timezone.now()
            _mark_paid(share, payer=payer, entry=entry, now=now)
            PayRequest.objects.filter(pk=request.pk).update(
                status=PayRequest.Status.PAID, paid_at=now, entry=entry
            )
            notification_create(
                user_id=request.requester_id,
                kind=Notification.Kind.PAY_REQUEST_PAID,
                actor_id=payer.pk,
                amount_fen=request.amount_fen,
                subject_id=request.pk,
            )
            notification_create(
                user_id=organiser.pk,
                kind=Notification.Kind.COLLECTION_PAID,
                actor_id=payer.pk,
                amount_fen=request.amount_fen,
                subject_id=collection.pk,
            )
            card_changed(
                conversation_id=collection.conversation_id, kind="collection", subject_id=collection.pk
            )
            card_changed(conversation_id=request.conversation_id, kind="pay_request", subject_id=request.pk)

        return _share_entry_post(
            payer=payer,
            organiser=organiser,
            collection=collection,
            share=share,
            amount_fen=request.amount_fen,
            details={
                "pay_request_id": request.pk,
                "on_behalf_of": request.requester_id,
                "password_free": False,
            },
            before=before,
            after=after,
        )

    entry = idempotent(
        user=payer,
        operation="pay_request_pay",
        key=idempotency_key,
        params={"pay_request_id": request.pk, "amount_fen": request.amount_fen},
        run=run,
    )
    share.refresh_from_db()
    return Payment(share=share, entry=entry)
