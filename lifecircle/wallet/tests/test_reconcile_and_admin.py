"""``manage.py reconcile`` and the read-only admin."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from lifecircle.core.testing.factories import make_user
from lifecircle.wallet.models import Account, JournalEntry, Posting
from lifecircle.wallet.services import account_set_hot, micropayment_create, wallet_account_for
from lifecircle.wallet.tests.helpers import fund, key

pytestmark = pytest.mark.django_db


def reconcile() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("reconcile", stdout=out)
        return 0, out.getvalue()
    except CommandError as exc:
        return exc.returncode, out.getvalue()


def test_a_sound_ledger_reconciles_including_hot_shards():
    alice, host = make_user("alice_rec"), make_user("host_rec")
    fund(alice, 5_00)
    account_set_hot(account=wallet_account_for(host))
    micropayment_create(payer=alice, payee=host, amount_fen=50, idempotency_key=key())
    code, out = reconcile()
    assert code == 0, out
    assert "ledger reconciles" in out


def test_a_tampered_cached_balance_is_reported_with_a_non_zero_exit():
    alice = make_user("alice_rec")
    fund(alice, 5_00)
    Account.objects.filter(user=alice).update(balance_fen=6_00)  # cached balance drifts by ¥1
    code, out = reconcile()
    assert code == 1
    assert "MISMATCH" in out and "cached 600, from postings 500" in out
    assert "LEDGER TOTAL is 100" in out


def test_an_entry_that_does_not_sum_to_zero_is_reported():
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the deferred trigger refuses such an entry (see test_concurrency_pg)")
    alice = make_user("alice_rec")
    fund(alice, 5_00)
    entry = JournalEntry.objects.create(kind="adjustment")
    Posting.objects.bulk_create([Posting(entry=entry, account=wallet_account_for(alice), amount_fen=1)])
    code, out = reconcile()
    assert code == 1
    assert f"UNBALANCED entry {entry.pk}" in out


def test_the_admin_shows_the_ledger_read_only():
    from lifecircle.accounts.models import User

    admin_user = User.objects.create_superuser("root_admin", password="x-long-password-1")
    alice = make_user("alice_rec")
    entry = fund(alice, 5_00)
    c = Client()
    c.force_login(admin_user)
    assert c.get("/admin/wallet/journalentry/").status_code == 200
    page = c.get(f"/admin/wallet/journalentry/{entry.pk}/change/")
    assert page.status_code == 200 and "500" in page.content.decode()
    assert c.get("/admin/wallet/journalentry/add/").status_code == 403
    assert c.post(f"/admin/wallet/journalentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert c.get("/admin/wallet/account/").status_code == 200
    assert JournalEntry.objects.filter(pk=entry.pk).exists()
