"""The ledger under real concurrency, on PostgreSQL (row locks, triggers, deadlock detection).

Threads call the services directly (each thread has its own database connection), which
exercises the same locking as many app processes would, without HTTP overhead."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from lifecircle.core.errors import ApplicationError
from lifecircle.core.testing.concurrency import run_threads
from lifecircle.core.testing.factories import PIN, make_friends, make_user
from lifecircle.wallet.models import JournalEntry, MicroPaymentDay, Posting
from lifecircle.wallet.services import (
    account_balance,
    account_set_hot,
    micropayment_create,
    transfer_create,
    wallet_account_for,
)
from lifecircle.wallet.tests.helpers import balance, fund, ledger_total

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_16_threads_5000_random_transfers_among_50_wallets_conserve_money():
    users = [make_user(pin=PIN) for _ in range(50)]
    for u in users:
        fund(u, 1_000_00)
    for hot in users[:2]:
        account_set_hot(account=wallet_account_for(hot))
    total_before = sum(balance(u) for u in users)
    per_thread, threads = 313, 16  # 5,008 transfers
    outcomes = {"ok": 0, "insufficient_funds": 0}
    unexpected: list[BaseException] = []
    lock = threading.Lock()

    def worker(i):
        rng = random.Random(i)
        for n in range(per_thread):
            sender, recipient = rng.sample(users, 2)
            if n % 5 == 0:  # every fifth transfer goes to a hot wallet
                recipient = users[n % 2] if sender is not users[n % 2] else users[(n + 1) % 2]
            try:
                transfer_create(
                    sender=sender,
                    recipient=recipient,
                    amount_fen=rng.randint(1, 150_00),
                    pin=PIN,
                    idempotency_key=f"t{i}-{n}",
                )
                code = "ok"
            except ApplicationError as exc:
                code = exc.code
            except Exception as exc:  # a deadlock or anything else reaching the caller
                with lock:
                    unexpected.append(exc)
                continue
            with lock:
                outcomes[code] = outcomes.get(code, 0) + 1

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda i: (worker(i), connection.close()), range(threads)))

    assert unexpected == []
    assert set(outcomes) == {"ok", "insufficient_funds"}
    assert outcomes["ok"] + outcomes["insufficient_funds"] == per_thread * threads
    assert outcomes["ok"] > 2_500
    balances = [balance(u) for u in users]
    assert min(balances) >= 0
    assert sum(balances) == total_before
    assert ledger_total() == 0
    assert JournalEntry.objects.filter(kind="transfer").count() == outcomes["ok"]
    call_command("reconcile")  # raises CommandError (exit 1) on any mismatch


def test_50_parallel_transfers_of_the_full_balance_exactly_one_succeeds():
    alice = make_user(pin=PIN)
    recipients = [make_user() for _ in range(5)]
    fund(alice, 77_77)

    results = run_threads(
        50,
        lambda i: transfer_create(
            sender=alice, recipient=recipients[i % 5], amount_fen=77_77, pin=PIN, idempotency_key=f"full-{i}"
        ),
    )

    succeeded = [r for r in results if isinstance(r, JournalEntry)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(succeeded) == 1
    assert {e.code for e in refused} == {"insufficient_funds"} and len(refused) == 49
    assert balance(alice) == 0
    assert sum(balance(r) for r in recipients) == 77_77


def test_20_parallel_micropayments_at_the_edge_of_the_daily_total_never_pass_it():
    """¥49.50 already paid password-free today; 20 payments of ¥0.10 race: exactly 5 fit."""
    payer, host = make_user(pin=PIN), make_user()
    fund(payer, 100_00)
    MicroPaymentDay.objects.create(user=payer, day=timezone.localdate(), count=10, total_fen=49_50)

    results = run_threads(
        20, lambda i: micropayment_create(payer=payer, payee=host, amount_fen=10, idempotency_key=f"m{i}")
    )

    assert sum(isinstance(r, JournalEntry) for r in results) == 5
    assert {r.code for r in results if not isinstance(r, JournalEntry)} == {"pin_required"}
    day = MicroPaymentDay.objects.get(user=payer)
    assert (day.total_fen, day.count) == (50_00, 15)
    assert balance(host) == 50


def test_20_parallel_micropayments_at_the_edge_of_the_daily_count_never_pass_it():
    payer, host = make_user(pin=PIN), make_user()
    fund(payer, 10_00)
    account_set_hot(account=wallet_account_for(host))
    MicroPaymentDay.objects.create(user=payer, day=timezone.localdate(), count=197, total_fen=197)

    results = run_threads(
        20, lambda i: micropayment_create(payer=payer, payee=host, amount_fen=1, idempotency_key=f"c{i}")
    )

    assert sum(isinstance(r, JournalEntry) for r in results) == 3
    assert MicroPaymentDay.objects.get(user=payer).count == 200
    assert account_balance(wallet_account_for(host)) == 3


def test_one_key_sent_concurrently_by_20_threads_makes_one_entry():
    alice, bob = make_user(pin=PIN), make_user()
    fund(alice, 10_00)

    results = run_threads(
        20,
        lambda i: transfer_create(
            sender=alice, recipient=bob, amount_fen=1_00, pin=PIN, idempotency_key="same"
        ),
    )

    entries = {r.pk for r in results if isinstance(r, JournalEntry)}
    assert len(entries) == 1
    assert {r.code for r in results if not isinstance(r, JournalEntry)} <= {"idempotency_in_flight"}
    assert (balance(alice), balance(bob)) == (9_00, 1_00)


def test_postgres_refuses_updates_and_deletes_of_postings_and_entries():
    alice = make_user()
    entry = fund(alice, 5_00)
    for sql in (
        "UPDATE wallet_posting SET amount_fen = amount_fen * 2",
        "DELETE FROM wallet_posting",
        "UPDATE wallet_journalentry SET note = 'x'",
        "DELETE FROM wallet_journalentry",
    ):
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql)
    assert sorted(Posting.objects.filter(entry=entry).values_list("amount_fen", flat=True)) == [-5_00, 5_00]


def test_postgres_rejects_an_unbalanced_entry_at_commit():
    alice = make_user()
    fund(alice, 5_00)
    account = wallet_account_for(alice)
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        entry = JournalEntry.objects.create(kind="adjustment")
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO wallet_posting (entry_id, account_id, amount_fen) VALUES (%s, %s, 100)",
                [entry.pk, account.pk],
            )
    assert not JournalEntry.objects.filter(kind="adjustment").exists()
    call_command("reconcile")


def test_one_key_sent_1000_times_over_http_by_16_threads_makes_one_entry(api_client):
    alice, bob = make_user("alice_http", pin=PIN), make_user("bobby_http")
    make_friends(alice, bob)  # paid by username, so they must be friends
    fund(alice, 10_00)
    client_class = api_client.__class__
    clients = [client_class().as_user(alice) for _ in range(16)]
    body = {"recipient": "bobby_http", "amount_fen": 2_50, "pin": PIN, "note": "once"}

    def send(i):
        statuses = []
        for _ in range(63):  # 16 x 63 = 1,008 requests with one key
            r = clients[i].post("/api/v1/wallet/transfers", body, HTTP_IDEMPOTENCY_KEY="http-same")
            statuses.append((r.status_code, r.json().get("id") or r.json().get("code")))
        return statuses

    results = run_threads(16, send)

    flat = [s for r in results for s in r]
    assert len(flat) == 1008
    ids = {value for status, value in flat if status == 201}
    assert len(ids) == 1
    assert {value for status, value in flat if status != 201} <= {"idempotency_in_flight"}
    assert JournalEntry.objects.filter(kind="transfer").count() == 1
    assert (balance(alice), balance(bob)) == (7_50, 2_50)
