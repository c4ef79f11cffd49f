"""/api/v1/live: events, the replay of their danmaku, sending, gifts and moderation.

Watching and sending in real time happens on the WebSocket (``live.join``, ``live.danmaku``,
``live.gift``; docs/websocket-protocol.md); the same writes are here for scripts."""

from __future__ import annotations

import datetime as dt

from ninja import Header, Router, Schema
from ninja.responses import Status
from pydantic import StrictInt

from lifecircle.core.schemas import InputSchema
from lifecircle.live import selectors, services
from lifecircle.live.models import LiveEvent
from lifecircle.live.services.danmaku import event_not_found
from lifecircle.wallet.api import IDEMPOTENCY_HEADER, KEY_DOC

router = Router(tags=["live"])


class EventIn(InputSchema):
    title: str
    description: str = ""
    scheduled_at: dt.datetime
    stream_url: str = ""
    audience: str = LiveEvent.Audience.PUBLIC


class HostOut(Schema):
    id: int
    name: str


class EventOut(Schema):
    id: int
    title: str
    description: str
    host: HostOut
    scheduled_at: dt.datetime
    status: str
    audience: str
    stream_url: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    gifts_enabled: bool


class EventsOut(Schema):
    live: list[EventOut]
    upcoming: list[EventOut]
    ended: list[EventOut]


class DanmakuIn(InputSchema):
    text: str
    mode: str = "scroll"
    color: str = "#ffffff"
    size: str = "medium"
    client_id: str = ""


class DanmakuOut(Schema):
    id: int
    user_id: int
    name: str
    text: str
    mode: str
    color: str
    size: str
    offset_ms: int
    ts: int
    gift_fen: int | None = None


class ReplayOut(Schema):
    items: list[DanmakuOut]
    next_from_ms: int | None


class GiftIn(InputSchema):
    amount_fen: StrictInt
    pin: str | None = None


class MuteIn(InputSchema):
    user_id: StrictInt
    minutes: StrictInt


def event_out(e: LiveEvent) -> dict:
    return {
        "id": e.pk,
        "title": e.title,
        "description": e.description,
        "host": {"id": e.host_id, "name": str(e.host)},
        "scheduled_at": e.scheduled_at,
        "status": e.status,
        "audience": e.audience,
        "stream_url": e.stream_url,
        "started_at": e.started_at,
        "ended_at": e.ended_at,
        "gifts_enabled": e.gifts_enabled,
    }


def _event(request, event_id: int) -> LiveEvent:
    event = selectors.event_for_viewer(viewer=request.auth, event_id=event_id)
    if event is None:
        raise event_not_found()
    return event


@router.get("/events", response=EventsOut)
def events(request):
    """Live now, upcoming and recently ended events the viewer may watch."""
    lists = selectors.events_list(viewer=request.auth)
    return {k: [event_out(e) for e in v] for k, v in lists.items()}


@router.post("/events", response={201: EventOut})
def create(request, data: EventIn):
    event = services.event_create(host=request.auth, **data.dict())
    return Status(201, event_out(event))


@router.get("/events/{event_id}", response=EventOut)
def detail(request, event_id: int):
    return event_out(_event(request, event_id))


@router.post("/events/{event_id}/start", response=EventOut)
def start(request, event_id: int):
    return event_out(services.event_start(host=request.auth, event_id=event_id))


@router.post("/events/{event_id}/end", response=EventOut)
def end(request, event_id: int):
    return event_out(services.event_end(host=request.auth, event_id=event_id))


@router.get("/events/{event_id}/danmaku", response=ReplayOut)
def replay(request, event_id: int, from_ms: int = 0, to_ms: int | None = None):
    """Danmaku between two points of the stream (``from_ms`` ≤ offset < ``to_ms``, default a
    minute), in order: what a replay of the recording shows there. ``next_from_ms`` continues
    a window that was cut at 2,000 items (no item comes twice)."""
    event = _event(request, event_id)
    from_ms = max(0, from_ms)
    to_ms = from_ms + 60_000 if to_ms is None else max(from_ms, min(to_ms, from_ms + 3_600_000))
    items = selectors.danmaku_window(event=event, from_ms=from_ms, to_ms=to_ms)
    next_from = None
    if len(items) == 2000:  # cut: end before the last offset, which the next window starts at
        last = items[-1].offset_ms
        kept = [d for d in items if d.offset_ms < last]
        if kept:
            items, next_from = kept, last
        else:  # 2,000 at one millisecond: go on from the next
            next_from = last + 1
    return {"items": [selectors.danmaku_item(d) for d in items], "next_from_ms": next_from}


@router.post("/events/{event_id}/danmaku", response={201: DanmakuOut})
def send(request, event_id: int, data: DanmakuIn):
    d = services.danmaku_send(user=request.auth, event_id=event_id, **data.dict())
    return Status(201, selectors.danmaku_item(d))


@router.post("/events/{event_id}/gifts", response={201: DanmakuOut})
def gift(
    request,
    event_id: int,
    data: GiftIn,
    idempotency_key: str | None = Header(None, alias=IDEMPOTENCY_HEADER, description=KEY_DOC),
):
    """A gift to the host: password-free within the limits, else ``pin`` (403 ``pin_required``)."""
    d = services.gift_send(
        user=request.auth,
        event_id=event_id,
        amount_fen=data.amount_fen,
        idempotency_key=idempotency_key,
        pin=data.pin,
    )
    return Status(201, selectors.danmaku_item(d))


@router.delete("/danmaku/{danmaku_id}", response={204: None})
def delete(request, danmaku_id: int):
    """The host or an admin removes a danmaku, for everyone in the room at once."""
    services.danmaku_delete(moderator=request.auth, danmaku_id=danmaku_id)
    return Status(204, None)


@router.post("/events/{event_id}/mutes", response={204: None})
def mute(request, event_id: int, data: MuteIn):
    services.viewer_mute(
        moderator=request.auth, event_id=event_id, user_id=data.user_id, minutes=data.minutes
    )
    return Status(204, None)


@router.delete("/events/{event_id}/mutes/{user_id}", response={204: None})
def unmute(request, event_id: int, user_id: int):
    services.viewer_unmute(moderator=request.auth, event_id=event_id, user_id=user_id)
    return Status(204, None)
