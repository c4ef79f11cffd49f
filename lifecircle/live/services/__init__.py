"""Every write about live events. Re-exported here so callers import from one place."""

from lifecircle.live.services.danmaku import (
    danmaku_delete,
    danmaku_send,
    gift_send,
    viewer_mute,
    viewer_unmute,
)
from lifecircle.live.services.events import event_create, event_end, event_start

__all__ = [
    "danmaku_delete",
    "danmaku_send",
    "event_create",
    "event_end",
    "event_start",
    "gift_send",
    "viewer_mute",
    "viewer_unmute",
]
