"""The social graph: friend requests, friendships (one row per direction, each with its
owner's remark), tags, blocks, privacy settings, QR/link invitations, and groups.

A friendship is two rows, (a → b) and (b → a), created and deleted together in one
transaction: "is b my friend", "my friends" and "my remark for b" are each one indexed
lookup on ``user_id``, with no OR across two columns, which keeps the selectors' query
counts bounded for users with thousands of friends.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


class FriendRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        IGNORED = "ignored", _("Ignored")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        MOBILE = "mobile", _("Mobile number")
        USERNAME = "username", _("Username")
        LINK = "link", _("QR code or link")

    from_user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="friend_requests_sent")
    to_user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="friend_requests_received")
    message = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_user", "to_user"],
                condition=Q(status="pending"),
                name="one_pending_request_per_pair",
            ),
            models.CheckConstraint(condition=~Q(from_user=F("to_user")), name="no_request_to_self"),
        ]
        indexes = [models.Index(fields=["to_user", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.from_user_id} → {self.to_user_id} ({self.status})"


class Friendship(models.Model):
    """``user`` has ``friend`` as a friend, under ``remark`` (備註) if they set one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="friendships")
    friend = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    remark = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "friend"], name="one_friendship_per_direction"),
            models.CheckConstraint(condition=~Q(user=F("friend")), name="no_friendship_with_self"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ↔ {self.friend_id}"


class FriendTag(models.Model):
    """A list of friends (標籤): "family", "colleagues" — used by post audiences."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="friend_tags")
    name = models.CharField(max_length=30)
    members = models.ManyToManyField(User, related_name="+", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="unique_tag_name_per_owner")]

    def __str__(self) -> str:
        return self.name


class Block(models.Model):
    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="one_block_per_pair"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="no_self_block"),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"])]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class PostHistory(models.TextChoices):
    ALL = "all", _("All")
    SIX_MONTHS = "6m", _("Last 6 months")
    THIRTY_DAYS = "30d", _("Last 30 days")
    THREE_DAYS = "3d", _("Last 3 days")


class PrivacySettings(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="privacy", primary_key=True)
    findable_by_mobile = models.BooleanField(default=True)
    findable_by_username = models.BooleanField(default=True)
    post_history = models.CharField(max_length=3, choices=PostHistory.choices, default=PostHistory.ALL)

    def __str__(self) -> str:
        return f"privacy of {self.user_id}"


class PostFilter(models.Model):
    """Per-friend post rules: ``HIDE_MINE`` — ``owner``'s posts are hidden from ``other``;
    ``MUTE`` — ``other``'s posts are not shown to ``owner``."""

    class Kind(models.TextChoices):
        HIDE_MINE = "hide_mine", _("Hide my posts from")
        MUTE = "mute", _("Don't show me their posts")

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="post_filters")
    other = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "other", "kind"], name="one_post_filter")]
        indexes = [models.Index(fields=["other", "kind", "owner"])]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.kind} {self.other_id}"


class FriendLink(models.Model):
    """An expiring token behind a QR code or link that lets anyone holding it send the owner
    a friend request, whatever their findability settings."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="friend_links")
    token = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"link of {self.owner_id}"


class Group(models.Model):
    name = models.CharField(max_length=40)
    notice = models.TextField(max_length=1000, blank=True)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="groups_owned")
    created_at = models.DateTimeField(auto_now_add=True)
    member_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="group_memberships")
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="one_membership_per_group")]
        indexes = [models.Index(fields=["user", "group"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"
