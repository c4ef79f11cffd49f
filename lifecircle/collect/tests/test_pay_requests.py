"""Pay-on-behalf: a member asks a friend to pay their share; the friend pays with the PIN."""

import datetime as dt

import pytest
from django.utils import timezone

from lifecircle.chat.models import Conversation, Message
from lifecircle.collect import selectors, services
from lifecircle.collect.models import PayRequest, Share
from lifecircle.collect.tests.conftest import reconciles
from lifecircle.core.testing.asserts import raises_code
from lifecircle.core.testing.factories import PIN, make_user, wallet_balance_of
from lifecircle.notifications.models import Notification
from lifecircle.social import services as social
from lifecircle.wallet.models import EntryKind, JournalEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinner_bill(dinner):
    d = dinner
    c = services.collection_create(
        organiser=d.amy,
        title="Dinner",
        split="even",
        total_fen=100_00,
        member_ids=[d.amy.pk, d.ben.pk, d.cat.pk],
        conversation_id=d.conv.pk,
    )
    return d, c


def test_a_friend_pays_a_members_share_with_the_pin(dinner_bill):
    d, c = dinner_bill
    r = services.pay_request_create(requester=d.ben, collection_id=c.pk, payer_id=d.dan.pk)
    assert (r.requester, r.payer, r.amount_fen, r.state()) == (d.ben, d.dan, 3333, "pending")
    assert r.expires_at - r.created_at == dt.timedelta(hours=24)
    # A card in Ben and Dan's one-to-one chat, and a notification to Dan.
    conv = Conversation.objects.get(pk=r.conversation_id)
    assert conv.kind == "direct" and conv.direct_key == f"{min(d.ben.pk, d.dan.pk)}:{max(d.ben.pk, d.dan.pk)}"
    assert Message.objects.get(conversation=conv, kind=Message.Kind.PAY_REQUEST).payload["id"] == r.pk
    assert Notification.objects.filter(
        user=d.dan, kind=Notification.Kind.PAY_REQUEST, subject_id=r.pk
    ).exists()

    p = services.pay_request_pay(payer=d.dan, pay_request_id=r.pk, pin=PIN, idempotency_key="dan-1")
    share = Share.objects.get(collection=c, member=d.ben)
    assert share.is_paid and share.paid_by == d.dan and share.entry == p.entry
    assert p.entry.kind == EntryKind.COLLECTION and p.entry.details["on_behalf_of"] == d.ben.pk
    # Money from the friend to the organiser; the member's wallet is untouched.
    assert wallet_balance_of(d.dan) == 100_00 - 3333
    assert wallet_balance_of(d.amy) == 3333
    assert wallet_balance_of(d.ben) == 100_00
    r.refresh_from_db()
    assert r.state() == "paid" and r.entry == p.entry
    assert Notification.objects.filter(
        user=d.ben, kind=Notification.Kind.PAY_REQUEST_PAID, actor=d.dan
    ).exists()
    assert Notification.objects.filter(
        user=d.amy, kind=Notification.Kind.COLLECTION_PAID, actor=d.dan
    ).exists()
    view = selectors.collection_view(viewer=d.amy, collection=c)
    ben_line = next(line for line in view.lines if line.share.member_id == d.ben.pk)
    assert ben_line.paid_by_name.primary == "dan_c"
    assert reconciles()


def test_paid_once(dinner_bill):
    d, c = dinner_bill
    r = services.pay_request_create(requester=d.ben, collection_id=c.pk, payer_id=d.dan.pk)
    first = services.pay_request_pay(payer=d.dan, pay_request_id=r.pk, pin=PIN, idempotency_key="k")
    again = services.pay_request_pay(payer=d.dan, pay_request_id=r.pk, pin=PIN, idempotency_key="k")
    assert again.entry.pk == first.entry.pk and again.replayed
    raises_code(
        "pay_request_paid",
        services.pay_request_pay,
        payer=d.dan,
        pay_request_id=r.pk,
        pin=PIN,
        idempotency_key="k2",
    )
    assert JournalEntry.objects.filter(kind=EntryKind.COLLECTION).count() == 1
    assert wallet_balance_of(d.dan) == 100_00 - 3333
    # And Ben cannot pay the share himself any more, nor ask again.
    raises_code(
        "share_already_paid",
        services.collection_pay,
        payer=d.ben,
        collection_id=c.pk,
        idempotency_key="b",
        pin=PIN,
    )
    raises_code(
        "share_already_paid",
        services.pay_request_create,
        requester=d.ben,
        collection_id=c.pk,
        payer_id=d.dan.pk,
    )


def test_expiry_needs_no_sweeper(dinner_bill):
    d, c = dinner_bill
    r = services.pay_request_create(requester=d.ben, collection_id=c.pk, payer_id=d.dan.pk)
    # Move the clock: the request was made 24 h ago. Nothing swept it.
    PayRequest.objects.filter(pk=r.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=24, seconds=1),
        expires_at=timezone.now() - dt.timedelta(seconds=1),
    )
    r.refresh_from_db()
    assert r.status == "pending" and r.state() == "expired"
    assert selectors.pay_request_for_party(viewer=d.dan, pay_request_id=r.pk) is not None
    card = selectors.pay_request_cards_for(viewer=d.dan, ids=[r.pk])[r.pk]
    assert card.state == "expired" and not card.can_pay
    raises_code(
        "pay_request_expired",
        services.pay_request_pay,
        payer=d.dan,
        pay_request_id=r.pk,
        pin=PIN,
        idempotency_key="k",
    )
    raises_code("pay_request_expired", services.pay_request_cancel, user=d.ben, pay_request_id=r.pk)
    assert wallet_balance_of(d.dan) == 100_00 and not Share.objects.get(collection=c, member=d.ben).is_paid
    # An expired request does not hold the share: Ben can ask again.
    again = services.pay_request_create(requester=d.ben, collection_id=c.pk, payer_id=d.dan.pk)
    r.refresh_from_db()
    assert again.state() == "pending" and r.state() == "expired"


def test_withdrawn_requests_cannot_be_paid(dinner_bill):
    d, c = dinner_bill
    r = services.pay_request_create(requester=d.ben, collection_id=c.pk, payer_id=d.dan.pk)
    raises_code(
        "pay_request_pending",
        services.pay_request_create,
        requester=d.ben,
        collection_id=c.pk,
        payer_id=d.dan.pk,
    )
    services.pay_request_cancel(user=d.ben, pay_request_id=r.pk)
    services.pay_request_cancel(user=d.ben, pay_request_id=r.pk)  # harmless twice
    raises_code(
        "pay_request_cancelled",
        services.pay_request_pay,
        payer=d.dan,
        pay_request_id=r.pk,
        pin=PIN,
        idempotency_key="k",
    )
    # The friend may decline a new one the same way.
    r2 = services.pay_request_create(requester=d.ben, collection_id=c.pk, payer_id=d.dan.pk)
    services.pay_request_cancel(user=d.dan, pay_request_id=r2.pk)
    assert PayRequest.objects.get(pk=r2.pk).state() == "cancelled"
    assert wallet_balance_of(d.dan) == 100_00


def test_closing_or_paying_oneself_withdraws_pending_requests(dinner_bill):
    d, c = dinner_bill
    social.friendship_make(a=d.cat, b=d.dan)
    r_ben = services.pay_request_create(requester=d.ben, collection_id=c.pk, payer_id=d.dan.pk)
    r_cat = services.pay_request_create(requester=d.cat, collection_id=c.pk, payer_id=d.dan.pk)
    services.collection_pay(payer=d.ben, collection_id=c.pk, idempotency_key="b", pin=PIN)
    assert PayRequest.objects.get(pk=r_ben.pk).state() == "cancelled"
    services.collection_close(organiser=d.amy, collection_id=c.pk)
    assert PayRequest.objects.get(pk=r_cat.pk).state() == "cancelled"
    raises_code(
        "pay_request_cancelled",
        services.pay_request_pay,
        payer=d.dan,
        pay_request_id=r_cat.pk,
        pin=PIN,
        idempotency_key="k",
    )
    assert wallet_balance_of(d.dan) == 100_00


def test_refusals_when_asking(dinner_bill):
    d, c = dinner_bill
    stranger = make_user("stranger_p", pin=PIN)
    for code, payer_id in [
        ("payer_not_friend", stranger.pk),  # not Ben's friend
        ("pay_request_self", d.ben.pk),
        ("payer_is_organiser", d.amy.pk),
        ("payer_not_found", 10**15),
        ("payer_not_found", 0),
    ]:
        raises_code(code, services.pay_request_create, requester=d.ben, collection_id=c.pk, payer_id=payer_id)
    raises_code(
        "nothing_to_pay", services.pay_request_create, requester=d.amy, collection_id=c.pk, payer_id=d.ben.pk
    )
    raises_code(
        "collection_not_found",
        services.pay_request_create,
        requester=d.dan,
        collection_id=c.pk,
        payer_id=d.ben.pk,
    )
    social.block_create(user=d.dan, target_id=d.ben.pk)
    raises_code(
        "payer_not_found", services.pay_request_create, requester=d.ben, collection_id=c.pk, payer_id=d.dan.pk
    )
    assert PayRequest.objects.count() == 0
    assert not Message.objects.filter(kind=Message.Kind.PAY_REQUEST).exists()


def test_a_friend_who_is_blocked_by_the_organiser_cannot_be_asked(dinner_bill):
    d, c = dinner_bill
    social.block_create(user=d.amy, target_id=d.dan.pk)
    raises_code(
        "payer_not_allowed",
        services.pay_request_create,
        requester=d.ben,
        collection_id=c.pk,
        payer_id=d.dan.pk,
    )


def test_only_the_friend_asked_pays_and_always_with_the_pin(dinner_bill):
    d, c = dinner_bill
    r = services.pay_request_create(requester=d.ben, collection_id=c.pk, payer_id=d.dan.pk)
    raises_code(
        "pay_request_not_for_you",
        services.pay_request_pay,
        payer=d.ben,
        pay_request_id=r.pk,
        pin=PIN,
        idempotency_key="k",
    )
    raises_code(
        "pay_request_not_found",
        services.pay_request_pay,
        payer=d.cat,
        pay_request_id=r.pk,
        pin=PIN,
        idempotency_key="k",
    )
    raises_code("pay_request_not_found", services.pay_request_cancel, user=d.cat, pay_request_id=r.pk)
    # No PIN: asked for, without counting a wrong try.
    raises_code(
        "pin_required",
        services.pay_request_pay,
        payer=d.dan,
        pay_request_id=r.pk,
        pin="",
        idempotency_key="k",
    )
    from lifecircle.accounts.models import PaymentPin

    assert PaymentPin.objects.get(user=d.dan).failed_attempts == 0
    raises_code(
        "pin_incorrect",
        services.pay_request_pay,
        payer=d.dan,
        pay_request_id=r.pk,
        pin="000000",
        idempotency_key="k",
    )
    assert wallet_balance_of(d.dan) == 100_00 and PayRequest.objects.get(pk=r.pk).state() == "pending"
