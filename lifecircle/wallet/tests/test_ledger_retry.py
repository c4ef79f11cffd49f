"""The posting service retries deadlocks and serialization failures itself."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection

from lifecircle.core.testing.factories import make_user
from lifecircle.wallet.models import JournalEntry
from lifecircle.wallet.services import Leg, entry_post, wallet_account_for
from lifecircle.wallet.services import ledger as ledger_module
from lifecircle.wallet.tests.helpers import balance, fund


def _deadlock() -> OperationalError:
    cause = Exception("deadlock detected")
    cause.sqlstate = "40P01"
    error = OperationalError("deadlock detected")
    error.__cause__ = cause
    return error


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_is_retried_and_the_callbacks_run_again_in_the_new_transaction(monkeypatch):
    alice, bob = make_user("alice_retry"), make_user("bobby_retry")
    fund(alice, 10_00)
    real = ledger_module._post_in_transaction
    attempts = []

    def flaky(*args, **kwargs):
        attempts.append(1)
        if len(attempts) < 3:
            raise _deadlock()
        return real(*args, **kwargs)

    monkeypatch.setattr(ledger_module, "_post_in_transaction", flaky)
    befores = []
    entry = entry_post(
        kind="transfer",
        legs=[Leg(wallet_account_for(alice), -1_00), Leg(wallet_account_for(bob), 1_00)],
        before=lambda: befores.append(1),
    )
    assert len(attempts) == 3 and len(befores) == 3
    assert JournalEntry.objects.filter(kind="transfer").count() == 1 and entry.pk
    assert (balance(alice), balance(bob)) == (9_00, 1_00)


@pytest.mark.django_db(transaction=True)
def test_a_database_that_stays_deadlocked_gives_wallet_busy_not_a_500(monkeypatch):
    alice, bob = make_user("alice_retry"), make_user("bobby_retry")
    fund(alice, 10_00)
    monkeypatch.setattr(
        ledger_module, "_post_in_transaction", lambda *a, **k: (_ for _ in ()).throw(_deadlock())
    )
    monkeypatch.setattr(ledger_module.time, "sleep", lambda s: None)
    from lifecircle.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as exc:
        entry_post(
            kind="transfer", legs=[Leg(wallet_account_for(alice), -1), Leg(wallet_account_for(bob), 1)]
        )
    assert (exc.value.code, exc.value.status) == ("wallet_busy", 409)
    assert balance(alice) == 10_00


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_postgres_deadlock_is_retried_and_both_entries_post():
    """Two postings whose callers lock rows in opposite orders before posting: PostgreSQL
    detects the deadlock, aborts one, the service retries it, both entries end up posted."""
    a, b = make_user("dead_a"), make_user("dead_b")
    fund(a, 10_00)
    fund(b, 10_00)
    acc_a, acc_b = wallet_account_for(a), wallet_account_for(b)
    low, high = sorted([acc_a, acc_b], key=lambda acc: acc.pk)
    barrier = threading.Barrier(2, timeout=10)
    calls = {"t1": 0, "t2": 0}
    errors = []

    def lock_first(name, account):
        def before():
            calls[name] += 1
            with connection.cursor() as cur:
                cur.execute("SELECT id FROM wallet_account WHERE id = %s FOR UPDATE", [account.pk])
            if calls[name] == 1:
                barrier.wait()  # both hold their first row before either posts

        return before

    def run(name, first, legs):
        try:
            entry_post(kind="transfer", legs=legs, before=lock_first(name, first))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    # t1 holds `high` then posting wants `low`; t2 holds `low` then posting wants `high`.
    t1 = threading.Thread(target=run, args=("t1", high, [Leg(low, -1_00), Leg(high, 1_00)]))
    t2 = threading.Thread(target=run, args=("t2", low, [Leg(low, 2_00), Leg(high, -2_00)]))
    t1.start(), t2.start()
    t1.join(), t2.join()

    assert errors == []
    assert calls["t1"] + calls["t2"] == 3  # exactly one of them was retried
    assert balance(a) + balance(b) == 20_00
    assert JournalEntry.objects.filter(kind="transfer").count() == 2
