"""Group collections (群收款 / AA) and pay-on-behalf (代付).

A ``Collection`` asks its members for money on behalf of its organiser: one ``Share`` per
member, in a stated order (``position``), each with a fixed amount. A share is settled when
``paid_at`` is set — by the member, by a friend on their behalf (through a ``PayRequest``),
or, for the organiser's own share, at creation (no money moves). ``entry`` is the ledger entry
that moved the money (member or friend → organiser, kind ``collection``); it is set, with
``paid_at`` and ``paid_by``, in the very transaction that posts the entry.

A ``PayRequest`` is one member asking one friend to pay their share. Its state is read with
the clock: a pending request past ``expires_at`` is expired whether or not anything swept it.

Locks, always in this order: the collection row, then the share, then the pay request, then
(inside the ledger) the accounts — so paying, paying on behalf and closing never deadlock and
never pass each other.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


class Collection(models.Model):
    class Split(models.TextChoices):
        EVEN = "even", _("Split evenly")
        CUSTOM = "custom", _("Set each share")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organiser = models.ForeignKey(User, on_delete=models.PROTECT, related_name="collections_organised")
    # The chat the card was posted in (a group chat or a one-to-one chat); none when the
    # organiser picked friends directly. A deleted chat leaves the collection in place.
    conversation = models.ForeignKey(
        "chat.Conversation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=40)
    split = models.CharField(max_length=10, choices=Split.choices)
    total_fen = models.BigIntegerField()  # the sum of every share, the organiser's own included
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # A resubmitted form or a retried API call with the same key returns the first collection.
    client_key = models.CharField(max_length=255, blank=True)
    client_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(total_fen__gt=0), name="collection_total_positive"),
            models.UniqueConstraint(
                fields=["organiser", "client_key"], condition=~Q(client_key=""), name="collection_one_per_key"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="collection_closed_at_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"collection {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Share(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="shares")
    member = models.ForeignKey(User, on_delete=models.PROTECT, related_name="collection_shares")
    position = models.PositiveIntegerField()  # the stated order: an even split's odd fen go first
    amount_fen = models.BigIntegerField()
    paid_at = models.DateTimeField(null=True, blank=True)
    # The member, a friend who paid on their behalf, or the organiser for their own share.
    paid_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    entry = models.OneToOneField(
        "wallet.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "member"], name="collection_one_share_per_member"),
            models.UniqueConstraint(
                fields=["collection", "position"], name="collection_one_share_per_position"
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="collection_share_positive"),
            models.CheckConstraint(
                condition=Q(paid_at__isnull=True, paid_by__isnull=True, entry__isnull=True)
                | Q(paid_at__isnull=False, paid_by__isnull=False),
                name="collection_share_paid_consistent",
            ),
        ]
        indexes = [
            models.Index(
                fields=["collection"],
                condition=Q(paid_at__isnull=True, reminded_at__isnull=True),
                name="collection_share_to_remind",
            ),
            models.Index(fields=["member", "collection"]),
        ]

    def __str__(self) -> str:
        return f"share of {self.member_id} in {self.collection_id}"

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None


class PayRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="pay_requests")
    requester = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    payer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="pay_requests_received")
    amount_fen = models.BigIntegerField()
    # Stored: pending, paid, cancelled; "expired" is stored only when a newer request replaces
    # an expired one — reads use ``state()``, which checks the clock.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    entry = models.OneToOneField(
        "wallet.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    conversation = models.ForeignKey(
        "chat.Conversation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["share"], condition=Q(status="pending"), name="pay_request_one_pending_per_share"
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="pay_request_amount_positive"),
            models.CheckConstraint(condition=~Q(requester=F("payer")), name="pay_request_not_to_self"),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False, entry__isnull=False),
                name="pay_request_paid_has_entry",
            ),
        ]
        indexes = [models.Index(fields=["payer", "-created_at"])]

    def __str__(self) -> str:
        return f"pay request {self.pk}"

    def state(self, now=None) -> str:
        """Reads check the clock: a pending request past its time is expired."""
        if self.status == self.Status.PENDING and self.expires_at <= (now or timezone.now()):
            return self.Status.EXPIRED
        return self.status
