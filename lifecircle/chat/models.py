"""Chat: conversations (one-to-one between friends, or a social group's chat) and messages.

A message has a ``kind`` (text, image — later transfer, red packet, collection, IOU cards,
whose data goes in ``payload``) so new kinds plug in without new tables.

Burn-after-reading messages never store readable content here: the text and the image are
encrypted with a random per-message key that lives only in the burn key store (Redis with a
TTL, or files), never in the database — so PostgreSQL's dead rows and WAL hold only
ciphertext, useless once the key is destroyed at expiry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


class Conversation(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", _("One-to-one")
        GROUP = "group", _("Group")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # "small_id:large_id" for one-to-one chats, so each pair has exactly one.
    direct_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    group = models.OneToOneField(
        "social.Group", on_delete=models.CASCADE, null=True, blank=True, related_name="chat"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.kind} conversation {self.pk}"


class ConversationMember(models.Model):
    """Who reads a conversation, and how far: ``last_read_id`` gives unread counts and, in
    one-to-one chats, read receipts."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="chat_memberships")
    last_read_id = models.BigIntegerField(default=0)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="one_chat_membership")]
        indexes = [models.Index(fields=["user", "conversation"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        IMAGE = "image", _("Image")
        # Money cards (lifecircle.chat.cards): the payload holds the card's id.
        RED_PACKET = "red_packet", _("Red packet")
        COLLECTION = "collection", _("Group collection")
        PAY_REQUEST = "pay_request", _("Request to pay for a friend")
        IOU = "iou", _("IOU")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    client_id = models.CharField(max_length=64, blank=True)  # the sender's id for the frame: retries dedupe
    text = models.TextField(blank=True)  # plain messages only; empty for burn messages
    image = models.FileField(upload_to="chat/img/%Y/%m/", blank=True)
    payload = models.JSONField(default=dict, blank=True)  # data of card kinds (money cards later)
    created_at = models.DateTimeField(default=timezone.now)
    recalled_at = models.DateTimeField(null=True, blank=True)
    # Burn-after-reading
    burn_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    burn_ciphertext = models.BinaryField(null=True, blank=True)
    burn_image = models.FileField(upload_to="chat/burn/", blank=True)  # encrypted bytes
    burn_expires_at = models.DateTimeField(null=True, blank=True)  # 24 h after sending, at most
    burned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["conversation", "id"]),
            # The burn sweep (every few seconds in every server process) reads only these.
            models.Index(
                fields=["burn_expires_at"],
                condition=Q(burn_seconds__isnull=False, burned_at__isnull=True),
                name="chat_burn_pending",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "client_id"], condition=~Q(client_id=""), name="one_message_per_client_id"
            )
        ]

    def __str__(self) -> str:
        return f"message {self.pk} in {self.conversation_id}"

    @property
    def is_burn(self) -> bool:
        return self.burn_seconds is not None


class BurnView(models.Model):
    """One recipient's countdown on a burn-after-reading message: it starts when they open it."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="burn_views")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="one_burn_view")]

    def __str__(self) -> str:
        return f"{self.user_id} opened {self.message_id}"
