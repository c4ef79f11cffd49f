"""Life Circle: posts with their audience, images, likes, comments and tips.

Visibility is decided by selectors (``lifecircle.feed.selectors``) from three things: the
social graph (friends, blocks, hide/mute, how-far-back), the post's audience, and — for
likes and comments — whether their authors are the viewer's friends.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public")
    FRIENDS = "friends", _("Friends")
    PRIVATE = "private", _("Only me")
    INCLUDE = "include", _("Only these friends")
    EXCLUDE = "exclude", _("All friends except these")


class Post(models.Model):
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="posts")
    text = models.TextField(max_length=2000, blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.FRIENDS)
    tips_enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # A user's newest posts, and the timeline's top-N per author. ``audience`` is in the
            # key (not INCLUDE, which SQLite lacks) so PostgreSQL checks it index-only.
            models.Index(
                fields=["author", "-created_at", "-id", "audience"],
                condition=Q(deleted_at__isnull=True),
                name="post_author_recent_aud",
            ),
        ]

    def __str__(self) -> str:
        return f"post {self.pk} by {self.author_id}"


class PostAudienceMember(models.Model):
    """For ``include``/``exclude`` audiences: the friends named (tags are expanded when posting)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="audience_members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="one_audience_row")]
        indexes = [models.Index(fields=["user", "post"])]

    def __str__(self) -> str:
        return f"{self.user_id} in audience of {self.post_id}"


class PostImage(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField()
    image = models.ImageField(upload_to="posts/%Y/%m/")
    thumb = models.ImageField(upload_to="posts/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"image {self.position} of {self.post_id}"


class Like(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="one_like_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.post_id}"


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    reply_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reply_to_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "created_at"])]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.post_id}"


class Tip(models.Model):
    """One tap on 打賞. The row is the claim on the tap's idempotency key and holds the
    amount drawn for it, so a retried tap repeats the same amount; ``entry`` is set once the
    money has moved (only then does it count)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="tips")
    tipper = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    amount_fen = models.PositiveIntegerField()
    idempotency_key = models.CharField(max_length=255)
    entry_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tipper", "idempotency_key"], name="one_tip_per_key"),
            models.CheckConstraint(
                condition=Q(amount_fen__gte=1, amount_fen__lte=99), name="tip_between_1_and_99_fen"
            ),
        ]
        indexes = [models.Index(fields=["post"], condition=Q(entry_id__isnull=False), name="tip_paid")]

    def __str__(self) -> str:
        return f"tip {self.amount_fen} on {self.post_id}"
