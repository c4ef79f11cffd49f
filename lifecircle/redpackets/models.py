"""Red packets (紅包) in chat.

A packet holds ``total_fen`` for ``share_count`` shares. Sending moves the total from the
sender's wallet into one shard of the red-packet pool (``pool_code``, a system account); each
grab moves one share from that shard to the grabber; what is left when the packet expires goes
back to the sender in one refund entry. ``remaining_fen`` / ``remaining_count`` change only
under the packet's row lock, in the transaction that posts the grab.

Lucky packets decide each share at grab time (``lifecircle.redpackets.rules``); fixed packets
split the total evenly (the total must divide by the share count).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RedPacket(models.Model):
    class Kind(models.TextChoices):
        LUCKY = "lucky", _("Lucky draw")
        FIXED = "fixed", _("Equal shares")

    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A deleted group's chat leaves the packet (its money and refund) in place, ungrabbable.
    conversation = models.ForeignKey(
        "chat.Conversation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    total_fen = models.BigIntegerField()
    share_count = models.PositiveSmallIntegerField()
    greeting = models.CharField(max_length=30, blank=True)  # empty: the default, in the reader's language
    pool_code = models.CharField(max_length=40)  # the pool shard (system account) holding the money
    remaining_fen = models.BigIntegerField()
    remaining_count = models.PositiveSmallIntegerField()
    send_entry = models.OneToOneField("wallet.JournalEntry", on_delete=models.PROTECT, related_name="+")
    refund_entry = models.OneToOneField(
        "wallet.JournalEntry", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    refunded_fen = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["expires_at"],
                name="red_packet_due_refund",
                condition=Q(refund_entry__isnull=True, remaining_count__gt=0),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(share_count__gte=1) & Q(total_fen__gte=F("share_count")),
                name="red_packet_at_least_a_fen_a_share",
            ),
            models.CheckConstraint(
                condition=Q(remaining_count__lte=F("share_count"))
                & Q(remaining_fen__lte=F("total_fen"))
                & Q(remaining_fen__gte=F("remaining_count"))
                & (Q(remaining_count__gt=0) | Q(remaining_fen=0)),
                name="red_packet_remaining_consistent",
            ),
            models.CheckConstraint(
                condition=Q(refunded_fen__gte=0) & Q(refunded_fen__lte=F("remaining_fen")),
                name="red_packet_refund_at_most_remaining",
            ),
        ]

    def __str__(self) -> str:
        return f"red packet {self.pk}"

    def is_expired(self, now=None) -> bool:
        """Reads check the clock: a packet past its time is expired with or without a sweep."""
        return self.refund_entry_id is not None or self.expires_at <= (now or timezone.now())


class RedPacketGrab(models.Model):
    packet = models.ForeignKey(RedPacket, on_delete=models.PROTECT, related_name="grabs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField()
    entry = models.OneToOneField("wallet.JournalEntry", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["packet", "user"], name="red_packet_one_grab_per_person"),
            models.CheckConstraint(condition=Q(amount_fen__gte=1), name="red_packet_grab_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} grabbed {self.amount_fen} from {self.packet_id}"
