"""Starting, paying and closing collections, through the services."""

import pytest

from lifecircle.chat.models import Message
from lifecircle.collect import selectors, services
from lifecircle.collect.models import Collection, Share
from lifecircle.collect.tests.conftest import reconciles
from lifecircle.core.testing.asserts import raises_code
from lifecircle.core.testing.factories import PIN, fund_wallet, make_user, wallet_balance_of
from lifecircle.notifications.models import Notification
from lifecircle.social import services as social
from lifecircle.wallet.models import EntryKind, JournalEntry

pytestmark = pytest.mark.django_db


def even(d, total, members, **kw):
    return services.collection_create(
        organiser=d.amy,
        title=kw.pop("title", "Dinner"),
        split="even",
        total_fen=total,
        member_ids=[m.pk for m in members],
        conversation_id=kw.pop("conversation_id", d.conv.pk),
        **kw,
    )


def amounts(collection):
    return list(Share.objects.filter(collection=collection).values_list("member__username", "amount_fen"))


def test_even_split_of_a_hundred_yuan_among_three_with_the_organiser_first(dinner):
    d = dinner
    c = even(d, 100_00, [d.amy, d.ben, d.cat])
    # The organiser is first in the stated order, so she carries the odd fen she never pays.
    assert amounts(c) == [("amy_c", 3334), ("ben_c", 3333), ("cat_c", 3333)]
    assert c.total_fen == 100_00 == sum(a for _u, a in amounts(c))
    own = Share.objects.get(collection=c, member=d.amy)
    assert own.is_paid and own.paid_by == d.amy and own.entry is None  # settled, no money moved
    assert JournalEntry.objects.filter(kind=EntryKind.COLLECTION).count() == 0
    # A card in the group chat, and a request to each member who pays (not to the organiser).
    card = Message.objects.get(conversation=d.conv, kind=Message.Kind.COLLECTION)
    assert card.payload["id"] == c.pk
    asked = Notification.objects.filter(kind=Notification.Kind.COLLECTION_REQUEST, subject_id=c.pk)
    assert sorted(asked.values_list("user__username", "amount_fen")) == [("ben_c", 3333), ("cat_c", 3333)]


def test_the_stated_order_decides_who_carries_the_odd_fen(dinner):
    d = dinner
    c = even(d, 100_00, [d.cat, d.ben])  # organiser not included: Cat, then Ben
    assert amounts(c) == [("cat_c", 5000), ("ben_c", 5000)]
    c = even(d, 1001, [d.cat, d.ben, d.amy])
    assert amounts(c) == [("cat_c", 334), ("ben_c", 334), ("amy_c", 333)]


def test_per_member_amounts(dinner):
    d = dinner
    c = services.collection_create(
        organiser=d.amy,
        title="Tickets",
        split="custom",
        shares=[services.ShareSpec(d.ben.pk, 4500), services.ShareSpec(d.cat.pk, 1250)],
        conversation_id=d.conv.pk,
    )
    assert amounts(c) == [("ben_c", 4500), ("cat_c", 1250)]
    assert c.total_fen == 5750
    view = selectors.collection_view(viewer=d.amy, collection=c)
    assert (view.due_fen, view.received_fen, view.outstanding_fen, view.paid_count, view.count) == (
        5750,
        0,
        5750,
        0,
        2,
    )


def test_among_chosen_friends_without_a_chat(dinner):
    d = dinner
    c = services.collection_create(
        organiser=d.amy, title="Gift", split="even", total_fen=300, member_ids=[d.ben.pk, d.cat.pk]
    )
    assert c.conversation_id is None and amounts(c) == [("ben_c", 150), ("cat_c", 150)]
    assert not Message.objects.filter(kind=Message.Kind.COLLECTION).exists()
    # Dan is Ben's friend, not Amy's: without a chat only friends can be asked.
    raises_code(
        "member_not_friend",
        services.collection_create,
        organiser=d.amy,
        title="Gift",
        split="even",
        total_fen=300,
        member_ids=[d.dan.pk],
    )


def _nothing_created():
    return (
        Collection.objects.count(),
        Share.objects.count(),
        Notification.objects.filter(kind=Notification.Kind.COLLECTION_REQUEST).count(),
    )


@pytest.mark.parametrize(
    ("total", "code"),
    [
        (0, "amount_not_positive"),
        (-5, "amount_not_positive"),
        (10**12, "amount_too_large"),
        (2, "total_too_small"),
    ],
)
def test_bad_totals_are_refused_and_nothing_is_created(dinner, total, code):
    before = _nothing_created()
    raises_code(code, even, d=dinner, total=total, members=[dinner.ben, dinner.cat, dinner.amy])
    assert _nothing_created() == before


def test_bad_amounts_and_members_are_refused_and_nothing_is_created(dinner):
    d = dinner
    stranger = make_user("stranger_c")
    before = _nothing_created()
    for code, kwargs in [
        ("amount_not_positive", {"shares": [services.ShareSpec(d.ben.pk, 0)]}),
        ("amount_invalid", {"shares": [services.ShareSpec(d.ben.pk, 1.5)]}),
        ("amount_too_large", {"shares": [services.ShareSpec(d.ben.pk, 10**12)]}),
        (
            "amount_too_large",
            {"shares": [services.ShareSpec(d.ben.pk, 10**11), services.ShareSpec(d.cat.pk, 10**11)]},
        ),
        ("member_not_in_chat", {"shares": [services.ShareSpec(d.dan.pk, 100)]}),  # not in the group
        ("member_not_in_chat", {"shares": [services.ShareSpec(stranger.pk, 100)]}),
        ("member_not_found", {"shares": [services.ShareSpec(10**15, 100)]}),
        (
            "member_duplicate",
            {"shares": [services.ShareSpec(d.ben.pk, 100), services.ShareSpec(d.ben.pk, 1)]},
        ),
        ("members_required", {"shares": []}),
        ("members_required", {"shares": [services.ShareSpec(d.amy.pk, 100)]}),  # only herself
    ]:
        raises_code(
            code,
            services.collection_create,
            organiser=d.amy,
            title="Dinner",
            split="custom",
            conversation_id=d.conv.pk,
            **kwargs,
        )
    raises_code("title_required", even, d=d, total=300, members=[d.ben], title="   ")
    raises_code("title_too_long", even, d=d, total=300, members=[d.ben], title="x" * 41)
    raises_code("split_invalid", services.collection_create, organiser=d.amy, title="T", split="lucky")
    # A chat the organiser is not in does not exist for her.
    other = social.group_create(owner=d.ben, name="Ben's", member_ids=[d.dan.pk])
    from lifecircle.chat import services as chat

    ben_conv = chat.conversation_group_open(user=d.ben, group_id=other.pk)
    raises_code("conversation_not_found", even, d=d, total=300, members=[d.ben], conversation_id=ben_conv.pk)
    assert _nothing_created() == before


def test_never_across_a_block(dinner):
    d = dinner
    social.block_create(user=d.cat, target_id=d.amy.pk)  # Cat blocked Amy (and they are no friends now)
    # In the group chat Cat is still a member; Amy cannot find her to ask.
    raises_code("member_not_found", even, d=d, total=300, members=[d.ben, d.cat])
    social.block_create(user=d.amy, target_id=d.ben.pk)
    raises_code("member_blocked", even, d=d, total=300, members=[d.ben])
    assert Collection.objects.count() == 0


def test_a_member_pays_password_free_within_the_limits(dinner):
    d = dinner
    c = even(d, 90, [d.amy, d.ben, d.cat])  # 30 fen each: under the ¥1 password-free limit
    p = services.collection_pay(payer=d.ben, collection_id=c.pk, idempotency_key="k1")
    assert p.share.is_paid and p.share.paid_by == d.ben and p.entry.kind == EntryKind.COLLECTION
    assert p.entry.details["password_free"] is True
    assert wallet_balance_of(d.ben) == 100_00 - 30
    assert wallet_balance_of(d.amy) == 30
    assert (
        Notification.objects.filter(user=d.amy, kind=Notification.Kind.COLLECTION_PAID, actor=d.ben).count()
        == 1
    )
    view = selectors.collection_view(viewer=d.amy, collection=c)
    assert (view.received_fen, view.outstanding_fen, view.paid_count) == (30, 30, 1)
    assert reconciles()


def test_past_the_limits_the_pin_is_asked_and_then_it_pays(dinner):
    d = dinner
    c = even(d, 100_00, [d.amy, d.ben, d.cat])
    raises_code(
        "pin_required", services.collection_pay, payer=d.ben, collection_id=c.pk, idempotency_key="k1"
    )
    assert wallet_balance_of(d.ben) == 100_00 and not Share.objects.get(collection=c, member=d.ben).is_paid
    raises_code(
        "pin_incorrect",
        services.collection_pay,
        payer=d.ben,
        collection_id=c.pk,
        idempotency_key="k1",
        pin="000000",
    )
    # The same key, now with the PIN: one payment.
    p = services.collection_pay(payer=d.ben, collection_id=c.pk, idempotency_key="k1", pin=PIN)
    assert p.entry.details["password_free"] is False
    assert wallet_balance_of(d.ben) == 100_00 - 3333 and wallet_balance_of(d.amy) == 3333
    assert reconciles()


def test_paying_twice_with_the_same_key_is_one_entry(dinner):
    d = dinner
    c = even(d, 90, [d.ben, d.cat, d.amy])
    first = services.collection_pay(payer=d.ben, collection_id=c.pk, idempotency_key="same")
    again = services.collection_pay(payer=d.ben, collection_id=c.pk, idempotency_key="same")
    assert again.entry.pk == first.entry.pk and again.replayed
    assert JournalEntry.objects.filter(kind=EntryKind.COLLECTION).count() == 1
    assert wallet_balance_of(d.ben) == 100_00 - 30
    # Even after the collection closed, the same key still answers with the first payment.
    services.collection_close(organiser=d.amy, collection_id=c.pk)
    assert (
        services.collection_pay(payer=d.ben, collection_id=c.pk, idempotency_key="same").entry.pk
        == first.entry.pk
    )


def test_paying_twice_with_different_keys_is_refused(dinner):
    d = dinner
    c = even(d, 90, [d.ben, d.cat])
    services.collection_pay(payer=d.ben, collection_id=c.pk, idempotency_key="one")
    raises_code(
        "share_already_paid", services.collection_pay, payer=d.ben, collection_id=c.pk, idempotency_key="two"
    )
    assert JournalEntry.objects.filter(kind=EntryKind.COLLECTION).count() == 1
    assert wallet_balance_of(d.ben) == 100_00 - 45


def test_paying_a_closed_collection_is_refused(dinner):
    d = dinner
    c = even(d, 90, [d.ben, d.cat])
    services.collection_pay(payer=d.ben, collection_id=c.pk, idempotency_key="b")
    raises_code("not_organiser", services.collection_close, organiser=d.ben, collection_id=c.pk)
    closed = services.collection_close(organiser=d.amy, collection_id=c.pk)
    assert closed.status == Collection.Status.CLOSED and closed.closed_at
    assert services.collection_close(organiser=d.amy, collection_id=c.pk).closed_at == closed.closed_at
    raises_code(
        "collection_closed", services.collection_pay, payer=d.cat, collection_id=c.pk, idempotency_key="c"
    )
    assert wallet_balance_of(d.cat) == 100_00 and wallet_balance_of(d.amy) == 45
    assert reconciles()


def test_who_cannot_pay(dinner):
    d = dinner
    c = even(d, 90, [d.amy, d.ben, d.cat])
    raises_code(
        "nothing_to_pay", services.collection_pay, payer=d.amy, collection_id=c.pk, idempotency_key="a"
    )
    # Dan is not part of it: the collection does not exist for him.
    raises_code(
        "collection_not_found", services.collection_pay, payer=d.dan, collection_id=c.pk, idempotency_key="d"
    )
    raises_code(
        "collection_not_found",
        services.collection_pay,
        payer=d.ben,
        collection_id=10**19,
        idempotency_key="x",
    )
    raises_code(
        "idempotency_key_required",
        services.collection_pay,
        payer=d.ben,
        collection_id=c.pk,
        idempotency_key="",
    )
    # Not enough money: nothing moves, the share stays unpaid.
    poor = make_user("poor_c", pin=PIN)
    social.friendship_make(a=d.amy, b=poor)
    c2 = services.collection_create(
        organiser=d.amy, title="T", split="even", total_fen=50, member_ids=[poor.pk]
    )
    raises_code(
        "insufficient_funds", services.collection_pay, payer=poor, collection_id=c2.pk, idempotency_key="p"
    )
    assert not Share.objects.get(collection=c2, member=poor).is_paid
    fund_wallet(poor, 50)
    services.collection_pay(payer=poor, collection_id=c2.pk, idempotency_key="p")  # the same key, now funded
    assert wallet_balance_of(poor) == 0


def test_a_block_after_the_collection_started_stops_payment(dinner):
    d = dinner
    c = even(d, 90, [d.ben, d.cat])
    social.block_create(user=d.amy, target_id=d.cat.pk)
    raises_code("blocked", services.collection_pay, payer=d.cat, collection_id=c.pk, idempotency_key="c")
    assert wallet_balance_of(d.cat) == 100_00


def test_creating_with_the_same_key_returns_the_first_collection(dinner):
    d = dinner
    first = even(d, 300, [d.ben, d.cat], client_key="form-1")
    again = even(d, 300, [d.ben, d.cat], client_key="form-1")
    assert again.pk == first.pk and Collection.objects.count() == 1
    raises_code("idempotency_key_reused", even, d=d, total=301, members=[d.ben, d.cat], client_key="form-1")
    assert Message.objects.filter(kind=Message.Kind.COLLECTION).count() == 1


def test_who_sees_a_collection(dinner):
    d = dinner
    c = even(d, 90, [d.ben])  # Cat is in the chat but not asked
    assert selectors.collection_for_participant(viewer=d.amy, collection_id=c.pk) == c
    assert selectors.collection_for_participant(viewer=d.ben, collection_id=c.pk) == c
    assert selectors.collection_for_participant(viewer=d.cat, collection_id=c.pk) is None
    assert selectors.collection_for_participant(viewer=d.dan, collection_id=c.pk) is None
    cards = selectors.collection_cards_for(viewer=d.cat, collection_ids=[c.pk])
    assert cards[c.pk].outsider  # a chat member sees that it exists, not who owes what
    assert selectors.collection_cards_for(viewer=d.dan, collection_ids=[c.pk]) == {}
