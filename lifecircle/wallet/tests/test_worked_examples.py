"""Worked examples, read like an accountant's exercise book.

Every amount is in fen: ¥100.00 is 10000. After every exercise the books balance: each entry
sums to zero, so all accounts together sum to zero, and bank clearing (the outside world)
mirrors what users hold."""

from __future__ import annotations

import pytest

from lifecircle.core.errors import ApplicationError
from lifecircle.core.testing.factories import PIN, make_friends, make_user
from lifecircle.wallet.models import AppendOnlyError, JournalEntry, Posting
from lifecircle.wallet.services import (
    Leg,
    account_balance,
    account_set_hot,
    bank_card_add,
    entry_post,
    entry_reverse,
    system_account,
    topup_create,
    transfer_create,
    wallet_account_for,
    withdrawal_create,
)
from lifecircle.wallet.tests.helpers import CARD, balance, key, ledger_total

pytestmark = pytest.mark.django_db


def bank() -> int:
    return account_balance(system_account("bank_clearing"))


def test_exercise_1_alice_tops_up_100_yuan():
    """Alice tops up ¥100 from her card: bank clearing −100.00, Alice +100.00."""
    alice = make_user("alice", pin=PIN, verified=True)
    card = bank_card_add(user=alice, number=CARD)
    entry = topup_create(user=alice, card_id=card.pk, amount_fen=100_00, idempotency_key=key())

    assert balance(alice) == 100_00
    assert bank() == -100_00
    assert sorted(entry.postings.values_list("amount_fen", flat=True)) == [-100_00, 100_00]
    assert ledger_total() == 0


def test_exercise_2_alice_pays_bob_30_yuan_then_bob_withdraws_10():
    """Opening: Alice ¥100. Alice → Bob ¥30 (Alice 70, Bob 30). Bob withdraws ¥10 to his card
    (Bob 20; bank clearing from −100 to −90, the ¥10 left the system)."""
    alice = make_user("alice", pin=PIN, verified=True)
    bob = make_user("bobby", pin=PIN, verified=True)
    make_friends(alice, bob)
    topup_create(
        user=alice,
        card_id=bank_card_add(user=alice, number=CARD).pk,
        amount_fen=100_00,
        idempotency_key=key(),
    )

    transfer_create(
        sender=alice, recipient="bobby", amount_fen=30_00, pin=PIN, note="dinner", idempotency_key=key()
    )
    assert (balance(alice), balance(bob)) == (70_00, 30_00)

    bob_card = bank_card_add(user=bob, number="4111111111111111")
    withdrawal_create(user=bob, card_id=bob_card.pk, amount_fen=10_00, pin=PIN, idempotency_key=key())
    assert (balance(alice), balance(bob), bank()) == (70_00, 20_00, -90_00)
    assert ledger_total() == 0


def test_exercise_3_an_overdraft_is_refused_and_nothing_is_written():
    """Alice holds ¥5 and tries to send ¥5.01: refused, no entry, balances unchanged."""
    alice = make_user("alice", pin=PIN)
    bob = make_user("bobby", pin=PIN)
    make_friends(alice, bob)
    entry_post(
        kind="topup", legs=[Leg(system_account("bank_clearing"), -500), Leg(wallet_account_for(alice), 500)]
    )
    entries_before = JournalEntry.objects.count()

    with pytest.raises(ApplicationError) as exc:
        transfer_create(sender=alice, recipient=bob, amount_fen=501, pin=PIN, idempotency_key=key())

    assert exc.value.code == "insufficient_funds"
    assert JournalEntry.objects.count() == entries_before
    assert (balance(alice), balance(bob)) == (500, 0)


def test_exercise_4_a_mistake_is_corrected_by_a_reversing_entry():
    """¥12 posted to Bob by mistake is reversed by a new entry; the original stays on the books."""
    alice, bob = make_user("alice"), make_user("bobby")
    entry_post(
        kind="topup",
        legs=[Leg(system_account("bank_clearing"), -50_00), Leg(wallet_account_for(alice), 50_00)],
    )
    wrong = entry_post(
        kind="transfer", legs=[Leg(wallet_account_for(alice), -12_00), Leg(wallet_account_for(bob), 12_00)]
    )

    reversal = entry_reverse(entry=wrong)

    assert (balance(alice), balance(bob)) == (50_00, 0)
    assert reversal.reverses_id == wrong.pk
    assert Posting.objects.filter(entry=wrong).count() == 2  # still there
    with pytest.raises(ApplicationError) as exc:
        entry_reverse(entry=wrong)
    assert exc.value.code == "entry_already_reversed"


def test_exercise_5_a_three_legged_entry_with_a_fee():
    """Alice pays ¥10 of which ¥9.50 goes to Bob and ¥0.50 to fees: three postings, sum zero."""
    alice, bob = make_user("alice"), make_user("bobby")
    entry_post(
        kind="topup",
        legs=[Leg(system_account("bank_clearing"), -10_00), Leg(wallet_account_for(alice), 10_00)],
    )
    entry = entry_post(
        kind="transfer",
        legs=[
            Leg(wallet_account_for(alice), -10_00),
            Leg(wallet_account_for(bob), 9_50),
            Leg(system_account("fees"), 50),
        ],
    )
    assert sum(entry.postings.values_list("amount_fen", flat=True)) == 0
    assert (balance(alice), balance(bob), account_balance(system_account("fees"))) == (0, 9_50, 50)


def test_exercise_6_an_unbalanced_entry_is_refused():
    alice = make_user("alice")
    with pytest.raises(ValueError, match="sum to zero"):
        entry_post(
            kind="adjustment", legs=[Leg(system_account("fees"), -1), Leg(wallet_account_for(alice), 2)]
        )
    with pytest.raises(ValueError, match="at least two"):
        entry_post(kind="adjustment", legs=[Leg(wallet_account_for(alice), 0)])
    with pytest.raises(TypeError):
        entry_post(
            kind="adjustment", legs=[Leg(system_account("fees"), -1.5), Leg(wallet_account_for(alice), 1.5)]
        )
    assert JournalEntry.objects.count() == 0


def test_exercise_7_a_hot_host_receives_gifts_on_shards_and_stays_exact():
    """A live host is marked hot. 30 gifts of ¥0.10 land on shard rows, not the main row; the
    balance is exact; a withdrawal folds the shards back and may take all of it, not a fen more."""
    host = make_user("host1", pin=PIN)
    fans = [make_user(f"fanx{i}") for i in range(3)]
    account_set_hot(account=wallet_account_for(host))
    for fan in fans:
        entry_post(
            kind="topup",
            legs=[Leg(system_account("bank_clearing"), -1_00), Leg(wallet_account_for(fan), 1_00)],
        )
    for i in range(30):
        entry_post(
            kind="micropayment",
            legs=[Leg(wallet_account_for(fans[i % 3]), -10), Leg(wallet_account_for(host), 10)],
        )

    host_account = wallet_account_for(host)
    host_account.refresh_from_db()
    assert host_account.balance_fen == 0  # the main row was never touched by a gift
    assert account_balance(host_account) == 3_00

    with pytest.raises(ApplicationError):
        entry_post(
            kind="withdrawal", legs=[Leg(host_account, -3_01), Leg(system_account("bank_clearing"), 3_01)]
        )
    entry_post(kind="withdrawal", legs=[Leg(host_account, -3_00), Leg(system_account("bank_clearing"), 3_00)])
    assert account_balance(host_account) == 0
    assert ledger_total() == 0


def test_exercise_8_unmarking_a_hot_account_folds_its_shards():
    host, fan = make_user("host1"), make_user("fan1")
    account_set_hot(account=wallet_account_for(host))
    entry_post(
        kind="topup", legs=[Leg(system_account("bank_clearing"), -70), Leg(wallet_account_for(fan), 70)]
    )
    entry_post(
        kind="micropayment", legs=[Leg(wallet_account_for(fan), -70), Leg(wallet_account_for(host), 70)]
    )
    account = account_set_hot(account=wallet_account_for(host), hot=False)
    assert (account.is_hot, account.balance_fen, account_balance(account)) == (False, 70, 70)


def test_postings_and_entries_cannot_be_changed_or_deleted_in_code():
    alice = make_user("alice")
    entry = entry_post(
        kind="topup", legs=[Leg(system_account("bank_clearing"), -1), Leg(wallet_account_for(alice), 1)]
    )
    posting = entry.postings.first()
    posting.amount_fen = 1000
    with pytest.raises(AppendOnlyError):
        posting.save()
    with pytest.raises(AppendOnlyError):
        posting.delete()
    with pytest.raises(AppendOnlyError):
        Posting.objects.filter(pk=posting.pk).update(amount_fen=5)
    with pytest.raises(AppendOnlyError):
        Posting.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        JournalEntry.objects.filter(pk=entry.pk).update(note="edited")
    assert balance(alice) == 1
