"""IOU services as the two parties live them: who pays what and when, statuses from the
clock, and bad input refused with a stable code and nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from lifecircle.chat.models import Conversation, Message
from lifecircle.core.testing.asserts import raises_code
from lifecircle.core.testing.factories import PIN, make_friends, make_user
from lifecircle.ious import selectors, services
from lifecircle.ious.models import Iou, IouRepayment
from lifecircle.ious.tests.conftest import confirm, propose, repay
from lifecircle.notifications.models import Notification
from lifecircle.social import services as social
from lifecircle.wallet.models import JournalEntry
from lifecircle.wallet.services import account_balance, system_account
from lifecircle.wallet.tests.helpers import balance, fund, ledger_total

pytestmark = pytest.mark.django_db
D = dt.date


def escrow() -> int:
    return account_balance(system_account("escrow"))


def snapshot(*users):
    return (
        tuple(balance(u) for u in users),
        escrow(),
        Iou.objects.count(),
        IouRepayment.objects.count(),
        JournalEntry.objects.count(),
        Message.objects.filter(kind=Message.Kind.IOU).count(),
        Conversation.objects.count(),
        Notification.objects.count(),
    )


def test_lender_proposes_money_waits_in_escrow_then_borrower_confirms_and_receives_it(
    lender, borrower, clock
):
    clock.set(D(2025, 1, 1))
    before_lender, before_escrow = balance(lender), escrow()
    iou = propose(lender, borrower, amount_fen=1_000_000, rate_bp=365, due_on=D(2025, 4, 1))
    assert iou.status == "proposed" and iou.escrow_fen == 1_000_000
    assert balance(lender) == before_lender - 1_000_000
    assert escrow() == before_escrow + 1_000_000
    assert balance(borrower) == 0
    # The card is in their one-to-one chat, and the borrower is told.
    card = Message.objects.get(pk=iou.message_id)
    assert card.kind == Message.Kind.IOU and card.payload["id"] == iou.pk and card.sender_id == lender.pk
    assert Notification.objects.filter(user=borrower, kind="iou_proposed", subject_id=iou.pk).count() == 1

    iou = confirm(borrower, iou, auto_debit=True)
    assert (iou.status, iou.escrow_fen, iou.outstanding_principal_fen) == ("active", 0, 1_000_000)
    assert iou.interest_from == D(2025, 1, 1) and iou.auto_debit
    assert balance(borrower) == 1_000_000
    assert escrow() == before_escrow
    assert balance(lender) == before_lender - 1_000_000
    assert Notification.objects.filter(user=lender, kind="iou_confirmed", subject_id=iou.pk).count() == 1
    assert ledger_total() == 0


def test_borrower_proposes_nothing_moves_until_the_lender_confirms_with_the_pin(lender, borrower):
    before = snapshot(lender, borrower)
    iou = propose(borrower, lender, role="borrower", amount_fen=50_000)
    assert (balance(lender), balance(borrower), escrow()) == before[0] + (before[1],)
    assert iou.escrow_fen == 0
    # Only the lender's PIN moves the lender's money.
    raises_code("pin_incorrect", confirm, user=lender, iou=iou, pin="135790")
    assert balance(lender) == before[0][0]
    iou = confirm(lender, iou)
    assert iou.status == "active"
    assert balance(lender) == before[0][0] - 50_000 and balance(borrower) == 50_000
    assert escrow() == before[1]


def test_partial_then_full_repayment_with_interest_by_days(lender, borrower, clock):
    clock.set(D(2025, 1, 1))
    iou = confirm(
        borrower, propose(lender, borrower, amount_fen=1_000_000, rate_bp=365, due_on=D(2025, 6, 1))
    )
    lender_after_loan = balance(lender)
    fund(borrower, 10_000)  # the borrower has ¥100 of their own for the interest

    clock.set(D(2025, 1, 31))  # 30 days: ¥30.00 interest
    assert selectors.iou_owed(Iou.objects.get(pk=iou.pk)).total_fen == 1_003_000
    r1 = repay(borrower, iou, 503_000)
    assert (r1.interest_fen, r1.principal_fen, r1.days, r1.principal_left_fen) == (
        3_000,
        500_000,
        30,
        500_000,
    )

    clock.set(D(2025, 3, 2))  # 30 more days on ¥5,000: ¥15.00
    iou.refresh_from_db()
    assert iou.status == "active"
    owed = selectors.iou_owed(iou)
    assert (owed.interest_fen, owed.principal_fen, owed.total_fen) == (1_500, 500_000, 501_500)
    raises_code("repayment_above_owed", repay, user=borrower, iou=iou, amount_fen=501_501)
    r2 = repay(borrower, iou, 501_500)
    assert (r2.interest_fen, r2.principal_fen, r2.principal_left_fen) == (1_500, 500_000, 0)
    iou.refresh_from_db()
    assert (iou.status, iou.principal_repaid_fen, iou.interest_paid_fen) == ("repaid", 1_000_000, 4_500)
    assert balance(lender) == lender_after_loan + 1_000_000 + 4_500
    assert balance(borrower) == 1_000_000 + 10_000 - 1_004_500
    assert Notification.objects.filter(user=lender, kind="iou_repaid", subject_id=iou.pk).count() == 2
    raises_code("iou_already_repaid", repay, user=borrower, iou=iou, amount_fen=1)
    call_command("reconcile")


def test_leap_year_loan_over_29_february(lender, borrower, clock):
    clock.set(D(2024, 2, 1))
    iou = confirm(
        borrower, propose(lender, borrower, amount_fen=1_000_000, rate_bp=365, due_on=D(2024, 12, 1))
    )
    clock.set(D(2024, 3, 1))
    assert selectors.iou_owed(Iou.objects.get(pk=iou.pk)).interest_fen == 2_900  # 29 days


def test_interest_starts_on_the_later_of_lending_date_and_funding(lender, borrower, clock):
    clock.set(D(2025, 1, 1))
    iou = propose(
        lender, borrower, amount_fen=1_000_000, rate_bp=365, lent_on=D(2025, 1, 11), due_on=D(2025, 3, 1)
    )
    iou = confirm(borrower, iou)  # funded on 1 Jan, but interest runs from the agreed 11 Jan
    assert iou.interest_from == D(2025, 1, 11)
    clock.set(D(2025, 1, 21))
    assert selectors.iou_owed(iou).interest_fen == 1_000  # 10 days


def test_statuses_proposed_active_overdue_repaid_from_the_clock_alone(lender, borrower, clock):
    clock.set(D(2025, 1, 1))
    iou = propose(lender, borrower, amount_fen=10_000, rate_bp=0, due_on=D(2025, 2, 1))
    assert selectors.iou_status(iou) == "proposed"
    iou = confirm(borrower, iou)
    clock.set(D(2025, 2, 1))  # the due date itself: not yet overdue
    assert selectors.iou_status(iou) == "active"
    clock.set(D(2025, 2, 2))  # nothing ran: the clock alone makes it overdue
    iou.refresh_from_db()
    assert iou.status == "active" and selectors.iou_status(iou) == "overdue"
    repay(borrower, iou, 4_000)
    iou.refresh_from_db()
    assert selectors.iou_status(iou) == "overdue"  # still something outstanding
    repay(borrower, iou, 6_000)
    iou.refresh_from_db()
    assert selectors.iou_status(iou) == "repaid"


def test_a_proposal_expires_by_the_clock_and_its_escrow_returns_exactly(lender, borrower, clock):
    clock.set(D(2025, 1, 1))
    start = balance(lender)
    iou = propose(lender, borrower, amount_fen=12_345, due_on=D(2025, 3, 1))
    clock.set(D(2025, 1, 9))  # past the 7-day expiry
    assert selectors.iou_status(iou) == "expired"
    raises_code("iou_expired", confirm, user=borrower, iou=iou)
    assert balance(borrower) == 0
    assert services.ious_expired_close() == 1
    assert services.ious_expired_close() == 0
    iou.refresh_from_db()
    assert (iou.status, iou.escrow_fen) == ("expired", 0)
    assert balance(lender) == start
    assert iou.refund_entry.postings.get(account__user=lender).amount_fen == 12_345


def test_either_side_cancels_before_confirmation_refund_is_exact_and_once(lender, borrower):
    start = balance(lender)
    iou = propose(lender, borrower, amount_fen=7_777)
    iou = services.iou_cancel(user=borrower, iou_id=iou.pk)
    assert (iou.status, iou.cancelled_by_id) == ("cancelled", borrower.pk)
    assert balance(lender) == start
    entries = JournalEntry.objects.count()
    assert services.iou_cancel(user=lender, iou_id=iou.pk).status == "cancelled"  # idempotent
    assert JournalEntry.objects.count() == entries and balance(lender) == start
    raises_code("iou_cancelled", confirm, user=borrower, iou=iou)

    other = propose(borrower, lender, role="borrower", amount_fen=100)
    assert services.iou_cancel(user=borrower, iou_id=other.pk).status == "cancelled"
    active = confirm(borrower, propose(lender, borrower, amount_fen=100))
    raises_code("iou_not_cancellable", services.iou_cancel, user=lender, iou_id=active.pk)


def test_confirmation_moves_money_once_under_retries(lender, borrower):
    iou = propose(borrower, lender, role="borrower", amount_fen=30_000)
    start = balance(lender)
    first = confirm(lender, iou, idem="same")
    again = confirm(lender, iou, idem="same")
    assert again.replayed and not first.replayed
    raises_code("iou_already_confirmed", confirm, user=lender, iou=iou, idem="another")
    assert balance(lender) == start - 30_000 and balance(borrower) == 30_000
    assert JournalEntry.objects.filter(details__iou_id=iou.pk, details__step="fund").count() == 1


def test_proposal_is_idempotent_by_key(lender, borrower):
    start = balance(lender)
    a = propose(lender, borrower, amount_fen=500, idem="p1")
    b = propose(lender, borrower, amount_fen=500, idem="p1")
    assert a.pk == b.pk and b.replayed
    assert balance(lender) == start - 500
    raises_code("idempotency_key_reused", propose, proposer=lender, other=borrower, amount_fen=501, idem="p1")
    raises_code("idempotency_key_required", propose, proposer=lender, other=borrower, idem=" ")


def test_repayment_is_idempotent_by_key(lender, borrower):
    iou = confirm(borrower, propose(lender, borrower, amount_fen=10_000, rate_bp=0))
    r1 = repay(borrower, iou, 1_000, idem="r")
    r2 = repay(borrower, iou, 1_000, idem="r")
    assert r1.pk == r2.pk and r2.replayed
    assert balance(borrower) == 9_000
    raises_code("idempotency_key_reused", repay, user=borrower, iou=iou, amount_fen=2_000, idem="r")


def test_rate_cap_exactly_at_the_cap_is_allowed_one_bp_above_is_refused(lender, borrower, settings):
    cap = settings.LIFECIRCLE["IOU_RATE_CAP_MULTIPLE"] * settings.LIFECIRCLE["IOU_LPR_1Y_BP"]
    assert cap == 1200
    assert propose(lender, borrower, amount_fen=100, rate_bp=cap).rate_bp == 1200
    before = snapshot(lender, borrower)
    err = raises_code(
        "rate_above_cap", propose, proposer=lender, other=borrower, amount_fen=100, rate_bp=cap + 1
    )
    assert "12.00%" in str(err.message) and "3.00%" in str(err.message)
    assert err.fields["rate_bp"] and err.extra == {"rate_cap_bp": 1200}
    assert snapshot(lender, borrower) == before
    # The cap follows the settings.
    settings.LIFECIRCLE = {**settings.LIFECIRCLE, "IOU_LPR_1Y_BP": 345}
    assert propose(lender, borrower, amount_fen=100, rate_bp=1380).rate_bp == 1380
    raises_code("rate_above_cap", propose, proposer=lender, other=borrower, amount_fen=100, rate_bp=1381)


def test_bad_input_is_refused_with_a_stable_code_and_nothing_changes(lender, borrower, clock):
    clock.set(D(2025, 5, 5))
    stranger = make_user("stranger_iou", verified=True, legal_name="王五", pin=PIN)
    unverified = make_user("unverified_iou", pin=PIN)
    make_friends(lender, unverified)
    blocked = make_user("blocked_iou", verified=True, legal_name="赵六", pin=PIN)
    make_friends(lender, blocked)
    blocker = make_user("blocker_iou", verified=True, legal_name="钱七", pin=PIN)
    make_friends(lender, blocker)
    before = snapshot(lender, borrower)
    cases = [
        ("counterparty_not_verified", dict(other=unverified)),
        ("not_friends", dict(other=stranger)),
        ("rate_above_cap", dict(rate_bp=1201)),
        ("rate_invalid", dict(rate_bp=-1)),
        ("due_not_after_lending", dict(lent_on=D(2025, 6, 1), due_on=D(2025, 6, 1))),
        ("due_not_after_lending", dict(lent_on=D(2025, 6, 1), due_on=D(2025, 5, 31))),
        ("lent_on_past", dict(lent_on=D(2025, 5, 4), due_on=D(2025, 6, 1))),
        ("lent_on_too_far", dict(lent_on=D(2025, 7, 1), due_on=D(2025, 8, 1))),
        ("amount_not_positive", dict(amount_fen=0)),
        ("amount_invalid", dict(amount_fen=1.5)),
        ("purpose_required", dict(purpose="   ")),
        ("purpose_too_long", dict(purpose="x" * 101)),
        ("role_invalid", dict(role="friend")),
        ("auto_debit_borrower_only", dict(auto_debit=True)),
        ("pin_incorrect", dict(pin="135790")),
        ("iou_self", dict(other=lender)),
    ]
    for code, overrides in cases:
        args = {"proposer": lender, "other": borrower, "amount_fen": 1_000, **overrides}
        raises_code(code, propose, **args)
    assert snapshot(lender, borrower) == before
    # An unverified proposer.
    raises_code("identity_required", propose, proposer=unverified, other=lender)
    # Blocks, either way.
    social.block_create(user=lender, target_id=blocked.pk)
    raises_code("counterparty_blocked", propose, proposer=lender, other=blocked)
    social.block_create(user=blocker, target_id=lender.pk)
    raises_code("counterparty_not_found", propose, proposer=lender, other=blocker)
    assert snapshot(lender, borrower) == before


def test_confirmation_rechecks_friendship_and_blocks(lender, borrower):
    iou = propose(borrower, lender, role="borrower", amount_fen=100)
    start = balance(lender)
    social.block_create(user=lender, target_id=borrower.pk)
    raises_code("counterparty_blocked", confirm, user=lender, iou=iou)
    assert balance(lender) == start


def test_only_the_other_party_confirms_and_only_the_borrower_repays(lender, borrower):
    iou = propose(lender, borrower, amount_fen=100)
    raises_code("iou_confirm_own", confirm, user=lender, iou=iou)
    raises_code("iou_not_active", repay, user=borrower, iou=iou, amount_fen=1)
    confirm(borrower, iou)
    raises_code("iou_not_borrower", repay, user=lender, iou=iou, amount_fen=1)
    raises_code("iou_not_found", confirm, user=make_user("nosy_iou"), iou=iou)


def test_lender_without_enough_money_moves_nothing(borrower):
    poor = make_user("poor_lender", verified=True, legal_name="孙八", pin=PIN)
    make_friends(poor, borrower)
    fund(poor, 99)
    raises_code("insufficient_funds", propose, proposer=poor, other=borrower, amount_fen=100)
    assert Iou.objects.count() == 0 and balance(poor) == 99
    iou = propose(borrower, poor, role="borrower", amount_fen=100)
    raises_code("insufficient_funds", confirm, user=poor, iou=iou)
    iou.refresh_from_db()
    assert iou.status == "proposed" and balance(poor) == 99


def test_wrong_pin_on_repay_moves_nothing_and_the_same_key_then_works(lender, borrower):
    iou = confirm(borrower, propose(lender, borrower, amount_fen=10_000, rate_bp=0))
    raises_code("pin_incorrect", repay, user=borrower, iou=iou, amount_fen=100, pin="135790", idem="k1")
    assert balance(borrower) == 10_000 and IouRepayment.objects.count() == 0
    assert repay(borrower, iou, 100, idem="k1").amount_fen == 100


def test_after_unfriending_the_parties_still_see_and_repay_their_iou(lender, borrower):
    iou = confirm(borrower, propose(lender, borrower, amount_fen=10_000, rate_bp=0))
    social.friend_remove(user=lender, friend_id=borrower.pk)
    assert selectors.iou_get_for_viewer(viewer=borrower, iou_id=iou.pk).pk == iou.pk
    lender_name, borrower_name = selectors.parties(iou)
    assert (lender_name.legal_name, borrower_name.legal_name) == ("李雷", "韩梅梅")
    assert repay(borrower, iou, 10_000).principal_left_fen == 0
