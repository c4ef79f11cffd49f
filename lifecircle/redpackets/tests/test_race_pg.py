"""Red packets under a race: real threads against PostgreSQL.

200 grabber threads start together. At most ``DB_SLOTS`` of them hold a database connection at
once (the shared test server allows 100 connections for everyone), so each packet still sees
dozens of transactions racing for its row lock, while every thread is a real concurrent caller.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from lifecircle.core.errors import ApplicationError
from lifecircle.core.testing.concurrency import run_threads
from lifecircle.core.testing.factories import PIN, fund_wallet, make_user, wallet_balance_of
from lifecircle.redpackets import services
from lifecircle.redpackets.models import RedPacket, RedPacketGrab
from lifecircle.redpackets.tests.conftest import group_chat
from lifecircle.wallet.models import JournalEntry
from lifecircle.wallet.services import account_balance, system_account

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
DB_SLOTS = 40


def race(n: int, target) -> list:
    """``target(i)`` in ``n`` threads released together; results or exceptions."""
    return run_threads(n, target, max_connections=DB_SLOTS)


@pytest.fixture
def crowd():
    """A sender and 100 friends in one group chat."""
    sender = make_user("rp_sender", pin=PIN)
    fund_wallet(sender, 1000_00)
    people = [make_user(f"rp_grabber{i:03d}") for i in range(100)]
    conv = group_chat(sender, people, name="Crowd")
    return sender, people, conv


def send(sender, conv, total, shares, key):
    return services.red_packet_send(
        sender=sender,
        conversation_id=conv.pk,
        kind="lucky",
        total_fen=total,
        share_count=shares,
        pin=PIN,
        idempotency_key=key,
    )


def test_200_concurrent_grabbers_on_a_10_share_packet(crowd):
    sender, people, conv = crowd
    packet = send(sender, conv, 88_88, 10, "race-1")
    # 200 threads: each of the 100 people grabs twice at the same moment.
    results = race(200, lambda i: services.red_packet_grab(user=people[i % 100], packet_id=packet.pk))

    grants = [r for r in results if isinstance(r, RedPacketGrab)]
    refusals = [r for r in results if isinstance(r, ApplicationError)]
    assert len(grants) + len(refusals) == 200, [
        r for r in results if not isinstance(r, RedPacketGrab | ApplicationError)
    ]
    assert len(grants) == 10
    assert {e.code for e in refusals} <= {"red_packet_empty", "red_packet_already_grabbed"}
    assert len({g.user_id for g in grants}) == 10  # no one twice
    rows = list(RedPacketGrab.objects.filter(packet=packet))
    assert (
        len(rows) == 10 and sum(r.amount_fen for r in rows) == 88_88 and min(r.amount_fen for r in rows) >= 1
    )
    assert sum(wallet_balance_of(p) for p in people) == 88_88
    packet.refresh_from_db()
    assert (packet.remaining_fen, packet.remaining_count) == (0, 0)
    assert account_balance(system_account(packet.pool_code)) == 0
    call_command("reconcile")


def test_a_race_on_a_packet_with_more_shares_than_grabbers_then_the_rest_is_refunded_once(crowd):
    """8 people send 25 grabs each at once at a 15-share packet: 8 grants (one each); after
    expiry 8 sweepers race: exactly one refund entry of exactly the rest."""
    sender, people, conv = crowd
    packet = send(sender, conv, 150_00, 15, "race-2")
    eight = people[:8]
    results = race(200, lambda i: services.red_packet_grab(user=eight[i % 8], packet_id=packet.pk))
    grants = [r for r in results if isinstance(r, RedPacketGrab)]
    assert len(grants) == 8 and {g.user_id for g in grants} == {p.pk for p in eight}
    assert {r.code for r in results if isinstance(r, ApplicationError)} == {"red_packet_already_grabbed"}
    granted = sum(g.amount_fen for g in grants)

    RedPacket.objects.filter(pk=packet.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    balance = wallet_balance_of(sender)
    sweeps = race(8, lambda _i: services.red_packets_sweep())
    assert sorted(sweeps) == [0] * 7 + [1]
    packet.refresh_from_db()
    assert packet.refunded_fen == 150_00 - granted
    assert wallet_balance_of(sender) == balance + 150_00 - granted
    assert JournalEntry.objects.filter(details__red_packet=packet.pk, details__role="refund").count() == 1
    assert account_balance(system_account(packet.pool_code)) == 0
    late = race(20, lambda i: services.red_packet_grab(user=people[50 + i], packet_id=packet.pk))
    assert {r.code for r in late} == {"red_packet_expired"}
    call_command("reconcile")


def test_grabs_on_many_packets_at_once_all_add_up(crowd):
    """20 packets (spread over the pool shards) grabbed by 10 people each, all at once."""
    sender, people, conv = crowd
    packets = [send(sender, conv, 10_00 + i, 5, f"many-{i}") for i in range(20)]
    results = race(
        200,
        lambda i: services.red_packet_grab(user=people[i // 20 + 10 * (i % 2)], packet_id=packets[i % 20].pk),
    )
    grants = [r for r in results if isinstance(r, RedPacketGrab)]
    assert len(grants) == 100  # 5 shares × 20 packets
    assert {r.code for r in results if isinstance(r, ApplicationError)} == {"red_packet_empty"}
    for p in packets:
        rows = RedPacketGrab.objects.filter(packet=p)
        assert rows.count() == 5 and sum(r.amount_fen for r in rows) == p.total_fen
    call_command("reconcile")
