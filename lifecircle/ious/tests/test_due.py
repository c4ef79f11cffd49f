"""The ``ious-due`` sweep (``manage.py sweep --only ious-due``): the due-date reminder and the
agreed debit happen once a day, however often it runs; a short balance is debited as far as it goes and the IOU stays owed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from lifecircle.ious import selectors
from lifecircle.ious.models import Iou, IouRepayment
from lifecircle.ious.tests.conftest import confirm, propose
from lifecircle.notifications.models import Notification
from lifecircle.wallet.tests.helpers import balance

pytestmark = pytest.mark.django_db
D = dt.date


def run_due() -> str:
    out = io.StringIO()
    call_command("sweep", "--only", "ious-due", stdout=out)
    return out.getvalue()


def test_reminds_once_and_debits_once_on_the_due_date(lender, borrower, clock):
    clock.set(D(2025, 1, 1))
    iou = confirm(
        borrower,
        propose(lender, borrower, amount_fen=1_000_000, rate_bp=365, due_on=D(2025, 1, 31)),
        auto_debit=True,
    )
    from lifecircle.wallet.tests.helpers import fund

    fund(borrower, 5_000)  # ¥10,050 in all; owed on the due date: ¥10,000 + ¥30
    lender_before = balance(lender)

    clock.set(D(2025, 1, 30))
    assert "reminded 0, debited 0" in run_due()  # not due yet

    clock.set(D(2025, 1, 31), hour=8)
    assert "reminded 1, debited 1, debited_fen 1003000" in run_due()
    clock.set(D(2025, 1, 31), hour=20)
    assert "reminded 0, debited 0" in run_due()  # the second run the same day does nothing

    due = Notification.objects.filter(kind="iou_due", subject_id=iou.pk)
    assert sorted(due.values_list("user_id", "amount_fen")) == sorted(
        [(borrower.pk, 1_003_000), (lender.pk, 1_003_000)]
    )
    iou.refresh_from_db()
    assert iou.status == "repaid"
    r = IouRepayment.objects.get(iou=iou)
    assert (r.auto, r.amount_fen, r.interest_fen, r.principal_fen, r.days) == (
        True,
        1_003_000,
        3_000,
        1_000_000,
        30,
    )
    assert balance(lender) == lender_before + 1_003_000
    assert balance(borrower) == 1_005_000 - 1_003_000
    call_command("reconcile", stdout=io.StringIO())


def test_short_balance_debits_what_it_can_and_the_iou_stays_owed_then_overdue(lender, borrower, clock):
    clock.set(D(2025, 1, 1))
    iou = confirm(
        borrower,
        propose(lender, borrower, amount_fen=100_000, rate_bp=0, due_on=D(2025, 2, 1)),
        auto_debit=True,
    )
    clock.set(D(2025, 1, 15))
    from lifecircle.core.testing.factories import PIN
    from lifecircle.wallet.services import transfer_create

    transfer_create(sender=borrower, recipient=lender, amount_fen=70_000, pin=PIN, idempotency_key="spend")
    assert balance(borrower) == 30_000
    clock.set(D(2025, 2, 1))
    assert "debited 1, debited_fen 30000" in run_due()
    assert "debited 0" in run_due()
    iou.refresh_from_db()
    assert balance(borrower) == 0
    assert (iou.status, iou.outstanding_principal_fen, iou.auto_debit_on) == ("active", 70_000, D(2025, 2, 1))
    clock.set(D(2025, 2, 2))
    assert selectors.iou_status(iou) == "overdue"
    run_due()  # no second debit on later days
    assert IouRepayment.objects.filter(iou=iou).count() == 1


def test_empty_wallet_debits_nothing_and_is_not_retried(lender, borrower, clock):
    clock.set(D(2025, 1, 1))
    iou = confirm(
        borrower,
        propose(lender, borrower, amount_fen=100_000, rate_bp=0, due_on=D(2025, 2, 1)),
        auto_debit=True,
    )
    from lifecircle.core.testing.factories import PIN
    from lifecircle.wallet.services import transfer_create

    transfer_create(sender=borrower, recipient=lender, amount_fen=100_000, pin=PIN, idempotency_key="all")
    clock.set(D(2025, 2, 1))
    assert "debited 0" in run_due()
    iou.refresh_from_db()
    assert iou.auto_debit_on == D(2025, 2, 1) and IouRepayment.objects.count() == 0


def test_without_the_borrowers_agreement_nothing_is_debited_but_both_are_reminded(lender, borrower, clock):
    clock.set(D(2025, 1, 1))
    iou = confirm(borrower, propose(lender, borrower, amount_fen=10_000, rate_bp=0, due_on=D(2025, 1, 10)))
    clock.set(D(2025, 1, 10))
    run_due()
    run_due()
    assert balance(borrower) == 10_000 and IouRepayment.objects.count() == 0
    assert Notification.objects.filter(kind="iou_due", subject_id=iou.pk).count() == 2


def test_the_command_returns_expired_escrow_once(lender, borrower, clock):
    clock.set(D(2025, 1, 1))
    start = balance(lender)
    iou = propose(lender, borrower, amount_fen=4_321, due_on=D(2025, 1, 4))  # expires at the due date
    clock.set(D(2025, 1, 4))
    assert "expired 1" in run_due()
    assert "expired 0" in run_due()
    assert balance(lender) == start
    assert Iou.objects.get(pk=iou.pk).status == "expired"


def test_loop_option_repeats(monkeypatch, db):
    calls = []

    def fake_sleep(seconds):
        calls.append(seconds)
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("time.sleep", fake_sleep)
    with pytest.raises(KeyboardInterrupt):
        call_command("sweep", "--only", "ious-due", "--loop", stdout=io.StringIO())
    assert calls == [1.0, 1.0]
