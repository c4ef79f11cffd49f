"""IOUs (借條) between two real-name-verified friends.

An IOU is proposed by one party (lender or borrower) and confirmed by the other; each signs
with their payment PIN. The lender's money moves only with the lender's PIN:

* a **lender's proposal** takes the principal from the lender's wallet into escrow at once
  (the lender's PIN); the borrower's confirmation moves it from escrow to the borrower; a
  cancellation or an expired proposal returns exactly that amount to the lender;
* a **borrower's proposal** moves nothing; the lender's confirmation (the lender's PIN) moves
  the principal from the lender's wallet to the borrower's.

``status`` stores what happened (proposed, active, repaid, cancelled, expired). *Overdue* is
never stored: it is read from the clock (an active IOU past its due date), and so is an expired
proposal before the sweep has returned its escrow (see ``selectors.iou_status``).

Interest is simple interest by days on the outstanding principal (``lifecircle.ious.interest``).
``interest_from`` is where the open accrual period starts and ``interest_unpaid_fen`` what
earlier periods left unpaid; both change only when a repayment closes a period.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

PURPOSE_MAX = 100


class Iou(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for confirmation")
        ACTIVE = "active", _("Active")
        OVERDUE = "overdue", _("Overdue")  # read from the clock, never stored
        REPAID = "repaid", _("Repaid")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    lender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    borrower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    principal_fen = models.BigIntegerField()
    purpose = models.CharField(max_length=PURPOSE_MAX)
    rate_bp = models.PositiveIntegerField()  # annual, basis points (300 = 3.00 %)
    lent_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    auto_debit = models.BooleanField(default=False)  # the borrower agreed to a debit on the due date

    # Where its card is: the parties' one-to-one conversation.
    conversation_id = models.BigIntegerField(null=True, blank=True)
    message_id = models.BigIntegerField(null=True, blank=True)

    # The proposal's Idempotency-Key: a retried proposal returns this IOU.
    idempotency_key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)

    # Money
    escrow_fen = models.BigIntegerField(default=0)  # held in escrow for a lender's proposal
    outstanding_principal_fen = models.BigIntegerField(default=0)
    interest_unpaid_fen = models.BigIntegerField(default=0)
    interest_from = models.DateField(null=True, blank=True)
    principal_repaid_fen = models.BigIntegerField(default=0)
    interest_paid_fen = models.BigIntegerField(default=0)
    escrow_entry = models.ForeignKey(
        "wallet.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fund_entry = models.ForeignKey(
        "wallet.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refund_entry = models.ForeignKey(
        "wallet.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()  # a proposal not confirmed by then is void
    confirmed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # repaid, cancelled or expired
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reminded_on = models.DateField(null=True, blank=True)  # the due-date reminder went out
    auto_debit_on = models.DateField(null=True, blank=True)  # the due-date debit ran (once)

    class Meta:
        verbose_name = _("IOU")
        verbose_name_plural = _("IOUs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["proposer", "idempotency_key"], name="iou_proposal_key_unique"),
            models.CheckConstraint(condition=~Q(lender=F("borrower")), name="iou_two_parties"),
            models.CheckConstraint(
                condition=Q(proposer=F("lender")) | Q(proposer=F("borrower")), name="iou_proposer_is_party"
            ),
            models.CheckConstraint(condition=Q(principal_fen__gt=0), name="iou_principal_positive"),
            models.CheckConstraint(condition=Q(due_on__gt=F("lent_on")), name="iou_due_after_lending"),
            models.CheckConstraint(
                condition=Q(escrow_fen__gte=0)
                & Q(outstanding_principal_fen__gte=0)
                & Q(outstanding_principal_fen__lte=F("principal_fen"))
                & Q(interest_unpaid_fen__gte=0)
                & Q(principal_repaid_fen__gte=0)
                & Q(interest_paid_fen__gte=0),
                name="iou_amounts_in_range",
            ),
            models.CheckConstraint(condition=~Q(status="overdue"), name="iou_overdue_is_never_stored"),
        ]
        indexes = [
            models.Index(fields=["lender", "-created_at"], name="iou_lender_recent"),
            models.Index(fields=["borrower", "-created_at"], name="iou_borrower_recent"),
            models.Index(fields=["status", "due_on"], name="iou_status_due"),
        ]

    def __str__(self) -> str:
        return f"IOU #{self.pk}: {self.lender_id} → {self.borrower_id} {self.principal_fen}"

    def role_of(self, user) -> str | None:
        user_id = getattr(user, "pk", user)
        if user_id == self.lender_id:
            return "lender"
        if user_id == self.borrower_id:
            return "borrower"
        return None

    def other_party_id(self, user) -> int:
        user_id = getattr(user, "pk", user)
        return self.borrower_id if user_id == self.lender_id else self.lender_id


class IouRepayment(models.Model):
    """One repayment (by the borrower with the PIN, or the agreed due-date debit): how much
    went to interest and to principal, over how many days of interest."""

    iou = models.ForeignKey(Iou, on_delete=models.PROTECT, related_name="repayments")
    amount_fen = models.BigIntegerField()
    interest_fen = models.BigIntegerField()
    principal_fen = models.BigIntegerField()
    days = models.PositiveIntegerField()  # interest days of the period this repayment closed
    paid_on = models.DateField()
    principal_left_fen = models.BigIntegerField()
    interest_left_fen = models.BigIntegerField()
    auto = models.BooleanField(default=False)
    entry = models.OneToOneField("wallet.JournalEntry", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="iou_repayment_positive"),
            models.CheckConstraint(
                condition=Q(amount_fen=F("interest_fen") + F("principal_fen"))
                & Q(interest_fen__gte=0)
                & Q(principal_fen__gte=0),
                name="iou_repayment_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"repayment {self.amount_fen} on IOU {self.iou_id}"
