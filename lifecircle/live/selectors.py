"""Who may see which live event, and reading events and danmaku."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from lifecircle.accounts.models import User
from lifecircle.core.converters import id_in_range
from lifecircle.live.models import Danmaku, LiveEvent, LiveMute
from lifecircle.social import selectors as social


def _visible(viewer: User) -> QuerySet[LiveEvent]:
    """Public events (minus hosts on either side of a block with the viewer), friends-only
    events of the viewer's friends, and the viewer's own."""
    blocked = social.blocked_ids_either_way(user=viewer)
    friends = social.friend_ids(user=viewer)
    return LiveEvent.objects.filter(
        Q(host=viewer)
        | (Q(audience=LiveEvent.Audience.PUBLIC) & ~Q(host_id__in=blocked))
        | (Q(audience=LiveEvent.Audience.FRIENDS) & Q(host_id__in=friends) & ~Q(host_id__in=blocked))
    )


def may_watch(*, viewer: User, event: LiveEvent) -> bool:
    """The same rule as the list's, for one event, in at most two small queries (this runs for
    every danmaku and gift, so it never loads the viewer's friend or block lists)."""
    if event.host_id == viewer.pk:
        return True
    if social.is_blocked_between(viewer, event.host_id):
        return False
    return event.audience == LiveEvent.Audience.PUBLIC or social.are_friends(viewer, event.host_id)


def event_for_viewer(*, viewer: User, event_id: int) -> LiveEvent | None:
    if not viewer.is_authenticated or not id_in_range(event_id):
        return None
    event = LiveEvent.objects.select_related("host").filter(pk=event_id).first()
    return event if event is not None and may_watch(viewer=viewer, event=event) else None


def events_list(*, viewer: User, limit: int = 50) -> dict[str, list[LiveEvent]]:
    """Live now (most recently started first), upcoming (soonest first) and recently ended."""
    qs = _visible(viewer).select_related("host")
    return {
        "live": list(qs.filter(status=LiveEvent.Status.LIVE).order_by("-started_at")[:limit]),
        "upcoming": list(qs.filter(status=LiveEvent.Status.SCHEDULED).order_by("scheduled_at")[:limit]),
        "ended": list(qs.filter(status=LiveEvent.Status.ENDED).order_by("-ended_at")[:limit]),
    }


def may_moderate(*, user: User, event: LiveEvent) -> bool:
    return user.is_authenticated and (user.pk == event.host_id or user.is_staff)


def mute_until(*, event_id: int, user_id: int):
    """When this viewer's mute on this event ends, or None if they are not muted now."""
    until = (
        LiveMute.objects.filter(event_id=event_id, user_id=user_id, until__gt=timezone.now())
        .values_list("until", flat=True)
        .first()
    )
    return until


def danmaku_window(*, event: LiveEvent, from_ms: int, to_ms: int, limit: int = 2000) -> list[Danmaku]:
    """Danmaku (not deleted) with ``from_ms <= offset_ms < to_ms``, in stream order: what a
    replay shows between those two points of the recording."""
    return list(
        Danmaku.objects.filter(
            event=event, deleted_at__isnull=True, offset_ms__gte=from_ms, offset_ms__lt=to_ms
        )
        .select_related("user")
        .order_by("offset_ms", "id")[:limit]
    )


def danmaku_item(d: Danmaku) -> dict:
    """A danmaku on the wire (the room frame, the replay API): the same for every viewer, so a
    room frame is encoded once. Names are the sender's public nickname."""
    item = {
        "id": d.pk,
        "user_id": d.user_id,
        "name": str(d.user) if d.gift_fen else "",
        "text": d.text,
        "mode": d.mode,
        "color": d.color,
        "size": d.size,
        "offset_ms": d.offset_ms,
        "ts": int(d.created_at.timestamp() * 1000),
    }
    if d.gift_fen:
        item["gift_fen"] = d.gift_fen
    return item
