"""Live events (現場) and their bullet comments (danmaku).

An event is scheduled, goes live when its host starts it and ends when the host ends it.
Each danmaku is stored with its offset from the start of the stream (``offset_ms``), so an
ended event replays them in time with the recording. Live gifts are danmaku too, highlighted,
pointing at the wallet entry that paid for them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


class LiveEvent(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        LIVE = "live", _("Live")
        ENDED = "ended", _("Ended")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        FRIENDS = "friends", _("Friends")

    host = models.ForeignKey(User, on_delete=models.CASCADE, related_name="live_events")
    title = models.CharField(max_length=80)
    description = models.TextField(blank=True, max_length=2000)
    scheduled_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    stream_url = models.CharField(
        max_length=500, blank=True
    )  # HLS playlist (.m3u8); the recording after the end
    gifts_enabled = models.BooleanField(default=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status", "scheduled_at"])]

    def __str__(self) -> str:
        return self.title


class Danmaku(models.Model):
    class Mode(models.TextChoices):
        SCROLL = "scroll", _("Scrolling")
        TOP = "top", _("Top")
        BOTTOM = "bottom", _("Bottom")

    class Size(models.TextChoices):
        SMALL = "small", _("Small")
        MEDIUM = "medium", _("Medium")
        LARGE = "large", _("Large")

    event = models.ForeignKey(LiveEvent, on_delete=models.CASCADE, related_name="danmaku")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=100)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.SCROLL)
    color = models.CharField(max_length=7, default="#ffffff")
    size = models.CharField(max_length=10, choices=Size.choices, default=Size.MEDIUM)
    offset_ms = models.BigIntegerField()  # from the start of the stream
    created_at = models.DateTimeField(auto_now_add=True)
    client_id = models.CharField(max_length=64, blank=True)  # a retried frame returns the first one
    # Live gifts: the amount and the wallet entry that paid it.
    gift_fen = models.BigIntegerField(null=True, blank=True)
    entry_id = models.BigIntegerField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["event", "offset_ms"])]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user", "client_id"],
                condition=~Q(client_id=""),
                name="one_danmaku_per_client_id",
            )
        ]

    def __str__(self) -> str:
        return f"danmaku {self.pk} on {self.event_id}"


class LiveMute(models.Model):
    """A viewer the host or an admin muted on one event, until ``until``."""

    event = models.ForeignKey(LiveEvent, on_delete=models.CASCADE, related_name="mutes")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    until = models.DateTimeField()
    muted_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="one_live_mute")]

    def __str__(self) -> str:
        return f"{self.user_id} muted on {self.event_id}"
