"""IOU money under real concurrency on PostgreSQL: real threads, each with its own connection,
racing on one IOU. Money moves exactly once, whatever the interleaving."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from lifecircle.core.errors import ApplicationError
from lifecircle.core.testing.concurrency import run_threads
from lifecircle.ious import services
from lifecircle.ious.models import Iou, IouRepayment
from lifecircle.ious.tests.conftest import confirm, propose, repay
from lifecircle.notifications.models import Notification
from lifecircle.wallet.models import JournalEntry
from lifecircle.wallet.services import account_balance, system_account
from lifecircle.wallet.tests.helpers import balance, fund, ledger_total

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = dt.date


def codes(results) -> list[str]:
    out = []
    for r in results:
        if isinstance(r, ApplicationError):
            out.append(r.code)
        elif isinstance(r, Exception):
            raise r
        else:
            out.append("ok")
    return out


def reconciles() -> None:
    call_command("reconcile", stdout=io.StringIO())  # raises CommandError when it does not


def test_eight_concurrent_confirms_with_different_keys_fund_the_loan_once(lender, borrower):
    escrow_before = account_balance(system_account("escrow"))
    iou = propose(lender, borrower, amount_fen=250_000)
    lender_after_escrow = balance(lender)
    results = codes(run_threads(8, lambda i: confirm(borrower, iou, idem=f"c{i}")))
    assert results.count("ok") == 1, results
    assert set(results) <= {"ok", "iou_already_confirmed"}
    assert balance(borrower) == 250_000
    assert balance(lender) == lender_after_escrow
    assert account_balance(system_account("escrow")) == escrow_before
    assert JournalEntry.objects.filter(details__iou_id=iou.pk, details__step="fund").count() == 1
    assert Notification.objects.filter(kind="iou_confirmed", subject_id=iou.pk).count() == 1
    assert ledger_total() == 0
    reconciles()


def test_eight_retries_of_one_confirmation_with_the_same_key_move_money_once(lender, borrower):
    iou = propose(borrower, lender, role="borrower", amount_fen=99_999)
    start = balance(lender)
    results = run_threads(8, lambda i: confirm(lender, iou, idem="one-tap"))
    outcomes = codes(results)
    assert set(outcomes) <= {"ok", "idempotency_in_flight"}, outcomes
    ok = [r for r in results if not isinstance(r, Exception)]
    assert sum(not r.replayed for r in ok) == 1 and all(r.pk == iou.pk for r in ok)
    assert balance(lender) == start - 99_999 and balance(borrower) == 99_999
    assert JournalEntry.objects.filter(details__iou_id=iou.pk).count() == 1
    reconciles()


def test_confirm_racing_cancel_either_funds_or_refunds_never_both(lender, borrower):
    for round_ in range(6):
        start_lender, start_borrower = balance(lender), balance(borrower)
        iou = propose(lender, borrower, amount_fen=10_000 + round_)

        def act(i, iou=iou, round_=round_):
            if i % 2:
                return services.iou_cancel(user=lender, iou_id=iou.pk)
            return confirm(borrower, iou, idem=f"r{round_}-{i}")

        codes(run_threads(4, act))
        iou.refresh_from_db()
        assert iou.status in ("active", "cancelled")
        amount = iou.principal_fen
        if iou.status == "active":
            assert (balance(lender), balance(borrower)) == (start_lender - amount, start_borrower + amount)
            assert iou.refund_entry_id is None
        else:
            assert (balance(lender), balance(borrower)) == (start_lender, start_borrower)
            assert iou.fund_entry_id is None
        assert iou.escrow_fen == 0
    assert ledger_total() == 0
    reconciles()


def test_concurrent_repayments_never_pay_more_than_owed(lender, borrower):
    iou = confirm(borrower, propose(lender, borrower, amount_fen=100_000, rate_bp=0))
    fund(borrower, 50_000)
    results = codes(run_threads(8, lambda i: repay(borrower, iou, 30_000, idem=f"p{i}")))
    paid = IouRepayment.objects.filter(iou=iou)
    assert results.count("ok") == paid.count() == 3  # 3 × ¥300 ≤ ¥1,000 < 4 × ¥300
    assert set(results) == {"ok", "repayment_above_owed"}
    iou.refresh_from_db()
    assert iou.outstanding_principal_fen == 10_000 and iou.principal_repaid_fen == 90_000
    assert balance(borrower) == 150_000 - 90_000
    reconciles()


def test_two_due_runs_at_once_remind_once_and_debit_once(lender, borrower, clock):
    clock.set(D(2025, 1, 1))
    ious = [
        confirm(
            borrower,
            propose(lender, borrower, amount_fen=20_000, rate_bp=1200, due_on=D(2025, 3, 1)),
            auto_debit=True,
        )
        for _ in range(5)
    ]
    clock.set(D(2025, 3, 1))
    run_threads(4, lambda i: services.ious_due_run())
    for iou in ious:
        assert IouRepayment.objects.filter(iou=iou, auto=True).count() == 1
        assert Notification.objects.filter(kind="iou_due", subject_id=iou.pk).count() == 2
    # 59 days at 12 % on ¥200 is 387.95 fen → 388, so each owes ¥203.88; the borrower holds the
    # ¥1,000 of the five loans: four are repaid in full and the last gets what is left.
    assert sum(r.amount_fen for r in IouRepayment.objects.all()) == 100_000
    assert sorted(r.amount_fen for r in IouRepayment.objects.all()) == [100_000 - 4 * 20_388] + [20_388] * 4
    assert balance(borrower) == 0
    assert Iou.objects.filter(status="repaid").count() == 4
    reconciles()


def test_the_same_proposal_sent_eight_times_at_once_holds_escrow_once(lender, borrower):
    start = balance(lender)
    results = run_threads(8, lambda i: propose(lender, borrower, amount_fen=4_242, idem="same-proposal"))
    assert codes(results) == ["ok"] * 8
    assert len({r.pk for r in results}) == 1 and Iou.objects.count() == 1
    assert balance(lender) == start - 4_242
    reconciles()
