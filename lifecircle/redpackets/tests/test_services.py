"""Sending, grabbing, expiry and refunds through the services (SQLite or PostgreSQL)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from lifecircle.chat.models import Message
from lifecircle.core.testing.asserts import raises_code
from lifecircle.core.testing.factories import PIN, make_user, wallet_balance_of
from lifecircle.notifications.models import Notification
from lifecircle.redpackets import selectors, services
from lifecircle.redpackets.models import RedPacket, RedPacketGrab
from lifecircle.wallet.models import JournalEntry
from lifecircle.wallet.services import account_balance, system_account

pytestmark = pytest.mark.django_db


def send(chats, *, conv=None, sender=None, key="k1", **kw):
    params = {"kind": "lucky", "total_fen": 10_00, "share_count": 3, "greeting": "", "pin": PIN}
    params.update(kw)
    return services.red_packet_send(
        sender=sender or chats.amy,
        conversation_id=(conv or chats.group_conv).pk,
        idempotency_key=key,
        **params,
    )


def snapshot(chats) -> dict:
    people = (chats.amy, chats.ben, chats.cat, chats.outsider)
    return {
        "balances": [wallet_balance_of(u) for u in people],
        "packets": RedPacket.objects.count(),
        "grabs": RedPacketGrab.objects.count(),
        "entries": JournalEntry.objects.count(),
        "messages": Message.objects.count(),
    }


def expire(packet) -> None:
    RedPacket.objects.filter(pk=packet.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))


# --- sending ----------------------------------------------------------------------------------
def test_sending_moves_the_total_into_a_pool_shard_and_posts_a_card(chats):
    packet = send(chats, greeting="  Happy   new year ")
    assert wallet_balance_of(chats.amy) == 500_00 - 10_00
    assert packet.pool_code.startswith("red_packet_pool_")
    assert account_balance(system_account(packet.pool_code)) == 10_00
    assert (packet.remaining_fen, packet.remaining_count, packet.greeting) == (10_00, 3, "Happy new year")
    assert packet.expires_at - packet.created_at == dt.timedelta(hours=24)
    card = Message.objects.get(conversation=chats.group_conv, kind=Message.Kind.RED_PACKET)
    assert card.payload["id"] == packet.pk and card.sender_id == chats.amy.pk
    call_command("reconcile")


def test_sending_is_idempotent_by_key(chats):
    first = send(chats, key="same")
    again = send(chats, key="same")
    assert again.pk == first.pk and getattr(again, "replayed", False)
    assert RedPacket.objects.count() == 1 and wallet_balance_of(chats.amy) == 500_00 - 10_00
    assert Message.objects.filter(kind=Message.Kind.RED_PACKET).count() == 1
    raises_code("idempotency_key_reused", send, chats=chats, key="same", total_fen=11_00)


def test_packets_spread_over_the_pool_shards(chats):
    codes = {send(chats, key=f"s{i}", total_fen=100).pool_code for i in range(24)}
    assert len(codes) > 1  # 24 packets all in one shard would be a 1 in 16^23 chance


def test_the_default_greeting_is_shown_in_the_readers_language(chats):
    from django.utils import translation

    packet = send(chats)
    assert packet.greeting == ""
    assert selectors.greeting_of(packet) == "Best wishes"
    with translation.override("zh-hans"):
        assert selectors.greeting_of(packet) != "Best wishes"


# --- grabbing ---------------------------------------------------------------------------------
def test_group_members_grab_lucky_shares_that_sum_to_the_packet(chats):
    packet = send(chats, total_fen=10_00, share_count=3)
    grabs = [services.red_packet_grab(user=u, packet_id=packet.pk) for u in (chats.ben, chats.cat, chats.amy)]
    assert sum(g.amount_fen for g in grabs) == 10_00 and all(g.amount_fen >= 1 for g in grabs)
    assert wallet_balance_of(chats.ben) == grabs[0].amount_fen
    assert wallet_balance_of(chats.amy) == 500_00 - 10_00 + grabs[2].amount_fen  # the sender may grab too
    packet.refresh_from_db()
    assert (packet.remaining_fen, packet.remaining_count) == (0, 0)
    assert account_balance(system_account(packet.pool_code)) == 0
    call_command("reconcile")


def test_the_list_shows_who_got_how_much_and_best_luck_once_all_are_taken(chats):
    packet = send(chats, total_fen=10_00, share_count=3)
    services.red_packet_grab(user=chats.ben, packet_id=packet.pk)
    services.red_packet_grab(user=chats.cat, packet_id=packet.pk)
    packet.refresh_from_db()
    view = selectors.packet_view(viewer=chats.ben, packet=packet)
    assert [g.name for g in view.grabs] == ["Ben", "Cat"]
    assert view.status == "open" and not any(g.best_luck for g in view.grabs)  # not decided yet
    services.red_packet_grab(user=chats.amy, packet_id=packet.pk)
    packet.refresh_from_db()
    view = selectors.packet_view(viewer=chats.ben, packet=packet)
    assert view.status == "empty" and view.taken_fen == 10_00 and view.taken_count == 3
    best = [g for g in view.grabs if g.best_luck]
    assert len(best) == 1 and best[0].amount_fen == max(g.amount_fen for g in view.grabs)
    assert view.my_amount_fen == view.grabs[0].amount_fen and not view.can_grab


def test_equal_shares_are_equal_and_have_no_best_luck(chats):
    packet = send(chats, kind="fixed", total_fen=9_00, share_count=3)
    amounts = [
        services.red_packet_grab(user=u, packet_id=packet.pk).amount_fen
        for u in (chats.ben, chats.cat, chats.amy)
    ]
    assert amounts == [3_00, 3_00, 3_00]
    packet.refresh_from_db()
    assert not any(g.best_luck for g in selectors.packet_view(viewer=chats.amy, packet=packet).grabs)


def test_in_a_one_to_one_chat_only_the_other_person_can_grab(chats):
    packet = send(chats, conv=chats.direct_conv, share_count=1, total_fen=5_20)
    before = snapshot(chats)
    raises_code("red_packet_not_for_you", services.red_packet_grab, user=chats.amy, packet_id=packet.pk)
    raises_code("red_packet_not_found", services.red_packet_grab, user=chats.cat, packet_id=packet.pk)
    assert snapshot(chats) == before
    assert services.red_packet_grab(user=chats.ben, packet_id=packet.pk).amount_fen == 5_20
    assert wallet_balance_of(chats.ben) == 5_20


def test_grabbing_twice_is_refused_and_changes_nothing(chats):
    packet = send(chats)
    services.red_packet_grab(user=chats.ben, packet_id=packet.pk)
    before = snapshot(chats)
    raises_code("red_packet_already_grabbed", services.red_packet_grab, user=chats.ben, packet_id=packet.pk)
    assert snapshot(chats) == before


def test_grabbing_from_a_chat_you_are_not_in_is_refused(chats):
    from lifecircle.social import services as social

    packet = send(chats)
    before = snapshot(chats)
    raises_code("red_packet_not_found", services.red_packet_grab, user=chats.outsider, packet_id=packet.pk)
    raises_code("red_packet_not_found", services.red_packet_grab, user=chats.outsider, packet_id=10**20)
    # Someone who left the group can no longer grab (nor see) it.
    social.group_leave(user=chats.cat, group_id=chats.group_conv.group_id)
    raises_code("red_packet_not_found", services.red_packet_grab, user=chats.cat, packet_id=packet.pk)
    assert snapshot(chats) == before


def test_all_taken(chats):
    packet = send(chats, share_count=1, total_fen=1_00)
    services.red_packet_grab(user=chats.ben, packet_id=packet.pk)
    before = snapshot(chats)
    raises_code("red_packet_empty", services.red_packet_grab, user=chats.cat, packet_id=packet.pk)
    assert snapshot(chats) == before


# --- bad input: a clear code, nothing changed -------------------------------------------------
@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"share_count": 0}, "red_packet_shares_invalid"),
        ({"share_count": -2}, "red_packet_shares_invalid"),
        ({"share_count": True}, "red_packet_shares_invalid"),
        ({"total_fen": 2, "share_count": 3}, "red_packet_share_too_small"),  # ¥0.00 shares
        ({"total_fen": 0}, "amount_not_positive"),
        ({"total_fen": 1.5}, "amount_invalid"),
        ({"total_fen": 200_01}, "red_packet_too_large"),
        ({"share_count": 4}, "red_packet_too_many_shares"),  # the group has 3 members
        ({"kind": "fixed", "total_fen": 10_00, "share_count": 3}, "red_packet_total_uneven"),
        ({"kind": "mystery"}, "red_packet_kind_invalid"),
        ({"greeting": "x" * 31}, "greeting_too_long"),
        ({"pin": "000000"}, "pin_incorrect"),
        ({"total_fen": 200_00, "sender": "ben"}, "insufficient_funds"),
    ],
)
def test_bad_sends_are_refused_with_a_code_and_change_nothing(chats, params, code):
    params = dict(params)
    if params.pop("sender", None) == "ben":
        params["sender"] = chats.ben
    before = snapshot(chats)
    raises_code(code, send, chats=chats, **params)
    assert snapshot(chats) == before
    # The key was released: the same key works for a corrected request.
    if code in {"pin_incorrect", "insufficient_funds"}:
        assert send(chats, total_fen=1_00).total_fen == 1_00


def test_exactly_200_yuan_and_one_fen_a_share_are_allowed(chats):
    assert send(chats, total_fen=200_00, share_count=3, key="a").total_fen == 200_00
    assert send(chats, total_fen=3, share_count=3, key="b").total_fen == 3


def test_one_to_one_has_one_share_and_no_sending_to_a_chat_you_are_not_in(chats):
    before = snapshot(chats)
    raises_code("red_packet_too_many_shares", send, chats=chats, conv=chats.direct_conv, share_count=2)
    raises_code("conversation_not_found", send, chats=chats, sender=chats.outsider)
    assert snapshot(chats) == before


def test_no_red_packet_to_someone_who_is_no_longer_a_friend(chats):
    from lifecircle.social import services as social

    social.friend_remove(user=chats.amy, friend_id=chats.ben.pk)
    raises_code("not_friends", send, chats=chats, conv=chats.direct_conv, share_count=1)


# --- expiry and the sweeper -------------------------------------------------------------------
def test_an_expired_packet_cannot_be_grabbed_and_shows_expired_without_a_sweeper(chats):
    packet = send(chats, total_fen=10_00, share_count=3)
    ben_got = services.red_packet_grab(user=chats.ben, packet_id=packet.pk).amount_fen
    expire(packet)
    before = snapshot(chats)
    raises_code("red_packet_expired", services.red_packet_grab, user=chats.cat, packet_id=packet.pk)
    assert snapshot(chats) == before
    packet.refresh_from_db()
    view = selectors.packet_view(viewer=chats.cat, packet=packet)
    assert view.status == "expired" and not view.can_grab
    assert [g.best_luck for g in view.grabs] == [True]  # expired: best luck is decided
    card = selectors.cards_load(chats.cat, [packet.pk])[packet.pk]
    assert card["state"] == "expired"
    ben_card = selectors.cards_load(chats.ben, [packet.pk])[packet.pk]
    assert (ben_card["state"], ben_card["amount_fen"]) == ("grabbed", ben_got)


def test_the_sweeper_refunds_the_rest_once_however_often_it_runs(chats):
    packet = send(chats, total_fen=10_00, share_count=3)
    got = services.red_packet_grab(user=chats.ben, packet_id=packet.pk).amount_fen
    other = send(chats, key="k2", total_fen=1_00, share_count=1)  # not expired: untouched
    call_command("sweep", "--only", "redpackets-refund", verbosity=0)
    assert RedPacket.objects.get(pk=packet.pk).refund_entry_id is None  # not due yet
    expire(packet)
    balance = wallet_balance_of(chats.amy)
    call_command("sweep", "--only", "redpackets-refund", verbosity=0)
    call_command("sweep", "--only", "redpackets-refund", verbosity=0)
    assert services.red_packets_sweep() == 0
    assert services.red_packet_refund(packet_id=packet.pk) is False
    packet.refresh_from_db()
    assert packet.refunded_fen == 10_00 - got and packet.refund_entry_id
    assert JournalEntry.objects.filter(details__red_packet=packet.pk, details__role="refund").count() == 1
    assert wallet_balance_of(chats.amy) == balance + 10_00 - got
    assert account_balance(system_account(packet.pool_code)) == (
        1_00 if other.pool_code == packet.pool_code else 0
    )
    assert RedPacket.objects.get(pk=other.pk).refund_entry_id is None
    note = Notification.objects.get(kind=Notification.Kind.RED_PACKET_REFUND)
    assert (note.user_id, note.amount_fen, note.subject_id) == (chats.amy.pk, 10_00 - got, packet.pk)
    raises_code("red_packet_expired", services.red_packet_grab, user=chats.cat, packet_id=packet.pk)
    call_command("reconcile")


def test_a_fully_grabbed_packet_has_nothing_to_refund(chats):
    packet = send(chats, share_count=1, total_fen=1_00)
    services.red_packet_grab(user=chats.cat, packet_id=packet.pk)
    expire(packet)
    assert services.red_packets_sweep() == 0
    packet.refresh_from_db()
    assert packet.refund_entry_id is None and selectors.status_of(packet) == "empty"


def test_the_refund_notification_links_to_the_packet(chats):
    from django.test import Client

    packet = send(chats)
    expire(packet)
    services.red_packets_sweep()
    c = Client()
    c.force_login(chats.amy)
    page = c.get("/notifications/")
    assert page.status_code == 200
    assert f"/redpackets/{packet.pk}/" in page.content.decode()


def test_a_stranger_cannot_see_a_packet(chats):
    packet = send(chats)
    assert selectors.packet_get_for_viewer(viewer=chats.outsider, packet_id=packet.pk) is None
    assert selectors.cards_load(chats.outsider, [packet.pk]) == {}
    assert selectors.packet_get_for_viewer(viewer=make_user(), packet_id="1") is None


def test_open_chats_are_told_when_a_card_changes(chats, monkeypatch):
    from lifecircle.realtime import groups

    sent = []
    monkeypatch.setattr(services, "publish_on_commit", lambda event, to: sent.append((event, set(to))))
    packet = send(chats, share_count=2)
    services.red_packet_grab(user=chats.ben, packet_id=packet.pk)
    services.red_packet_grab(user=chats.cat, packet_id=packet.pk)  # the last share
    event = {
        "type": "chat.card",
        "conversation_id": chats.group_conv.pk,
        "kind": "red_packet",
        "id": packet.pk,
    }
    assert sent == [
        (event, {groups.user(chats.amy.pk)}),  # the sender's count goes up
        (
            event,
            {groups.user(chats.amy.pk), groups.user(chats.ben.pk)},
        ),  # all taken: everyone but the grabber
    ]


def test_someone_who_joins_the_group_later_cannot_open_earlier_packets(chats):
    from lifecircle.core.testing.factories import make_friends
    from lifecircle.social import services as social

    packet = send(chats)
    late = chats.outsider
    make_friends(chats.amy, late)
    social.group_invite(inviter=chats.amy, group_id=chats.group_conv.group_id, user_ids=[late.pk])
    raises_code("red_packet_before_joining", services.red_packet_grab, user=late, packet_id=packet.pk)
    newer = send(chats, key="after-joining")
    # the cards say so before anyone taps: no "Open" on the earlier one
    cards = selectors.cards_load(late, [packet.pk, newer.pk])
    assert (cards[packet.pk]["state"], cards[newer.pk]["state"]) == ("before_joining", "open")
    assert services.red_packet_grab(user=late, packet_id=newer.pk).amount_fen > 0


def test_no_grab_across_a_block(chats):
    from lifecircle.social import services as social

    packet = send(chats, conv=chats.direct_conv, share_count=1)
    social.block_create(user=chats.amy, target_id=chats.ben.pk)
    before = snapshot(chats)
    raises_code("red_packet_blocked", services.red_packet_grab, user=chats.ben, packet_id=packet.pk)
    assert snapshot(chats) == before
    view = selectors.packet_view(viewer=chats.ben, packet=packet)
    assert view.can_grab is False
