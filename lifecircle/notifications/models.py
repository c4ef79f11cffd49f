from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One line in someone's notification centre. It points at what happened (actor, post,
    comment, amount); the text is rendered in the reader's language when shown, never stored."""

    class Kind(models.TextChoices):
        LIKE = "like", _("Like")
        COMMENT = "comment", _("Comment")
        REPLY = "reply", _("Reply")
        TIP = "tip", _("Tip")
        FRIEND_REQUEST = "friend_request", _("Friend request")
        FRIEND_ACCEPTED = "friend_accepted", _("Friend request accepted")
        MONEY_RECEIVED = "money_received", _("Money received")
        LIVE_STARTED = "live_started", _("Live event started")
        RED_PACKET_REFUND = "red_packet_refund", _("Red packet returned")
        COLLECTION_REQUEST = "collection_request", _("Collection request")
        COLLECTION_REMINDER = "collection_reminder", _("Collection reminder")
        COLLECTION_PAID = "collection_paid", _("Collection paid")
        PAY_REQUEST = "pay_request", _("Request to pay for a friend")
        PAY_REQUEST_PAID = "pay_request_paid", _("Paid for you")
        IOU_PROPOSED = "iou_proposed", _("IOU proposed")
        IOU_CONFIRMED = "iou_confirmed", _("IOU confirmed")
        IOU_REPAID = "iou_repaid", _("IOU repayment")
        IOU_DUE = "iou_due", _("IOU due")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", null=True)
    post_id = models.BigIntegerField(null=True, blank=True)
    comment_id = models.BigIntegerField(null=True, blank=True)
    amount_fen = models.BigIntegerField(null=True, blank=True)
    # What the notification is about, by kind: a live event, red packet, collection, pay
    # request or IOU id (the link in the centre goes there).
    subject_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["user", "-id"]),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"
