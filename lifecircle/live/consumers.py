"""Live frames on the one WebSocket (``/ws/``); see docs/websocket-protocol.md.

- ``live.join`` ``{event}`` → ``live.joined`` ``{event, status, viewers}``; from then on the
  socket gets ``live.frame`` ``{event, viewers, items}`` about every 100 ms while something
  happens: danmaku and gifts, and ``{"op": "delete" | "mute" | "unmute" | "status"}`` items.
- ``live.leave`` ``{event}``.
- ``live.danmaku`` ``{event, text, mode?, color?, size?, client_id?}`` → ``live.sent``
  ``{id, offset_ms, client_id}``; the danmaku reaches everyone in the room in the next frame.
- ``live.gift`` ``{event, amount_fen, key, pin?}`` → ``live.gifted`` ``{id, amount_fen}``.
"""

from __future__ import annotations

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from django.utils.translation import gettext_lazy as _

from lifecircle.core.converters import id_in_range
from lifecircle.core.errors import ApplicationError
from lifecircle.live import fanout, selectors, services
from lifecircle.realtime.handlers import on_disconnect, on_event, register


def _in_any_thread(func):
    """Danmaku and gifts are independent of each other: run them on the thread pool rather
    than queueing every socket's writes on the one thread Channels uses by default."""
    return DatabaseSyncToAsync(func, thread_sensitive=False)


MAX_ROOMS_PER_SOCKET = 3


def _rooms(consumer) -> set[int]:
    if not hasattr(consumer, "live_rooms"):
        consumer.live_rooms = set()
    return consumer.live_rooms


async def _event_id(consumer, frame) -> int | None:
    event_id = frame.get("event")
    if not id_in_range(event_id):
        await consumer.error("frame_invalid", _("This frame needs the event's id."), frame.get("ref"))
        return None
    return event_id


@register("live.join")
async def live_join(consumer, frame) -> None:
    event_id = await _event_id(consumer, frame)
    if event_id is None:
        return
    event = await database_sync_to_async(selectors.event_for_viewer)(viewer=consumer.user, event_id=event_id)
    if event is None:
        await consumer.error("event_not_found", _("No such live event."), frame.get("ref"))
        return
    if event_id not in _rooms(consumer) and len(_rooms(consumer)) >= MAX_ROOMS_PER_SOCKET:
        await consumer.error(
            "too_many_rooms", _("Leave another live event before joining this one."), frame.get("ref")
        )
        return
    if fanout._conf("LIVE_FANOUT") == "group_send":
        await consumer.channel_layer.group_add(fanout.room_group(event_id), consumer.channel_name)
    room = await fanout.hub().join(event_id, consumer)
    _rooms(consumer).add(event_id)
    reply = {"type": "live.joined", "event": event_id, "status": event.status, "viewers": room.total}
    if "ref" in frame:
        reply["ref"] = frame["ref"]
    await consumer.send_json(reply)


async def _leave(consumer, event_id: int) -> None:
    _rooms(consumer).discard(event_id)
    if fanout._conf("LIVE_FANOUT") == "group_send":
        await consumer.channel_layer.group_discard(fanout.room_group(event_id), consumer.channel_name)
    await fanout.hub().leave(event_id, consumer)


@register("live.leave")
async def live_leave(consumer, frame) -> None:
    event_id = await _event_id(consumer, frame)
    if event_id is not None:
        await _leave(consumer, event_id)


@on_disconnect
async def leave_all(consumer) -> None:
    for event_id in list(getattr(consumer, "live_rooms", ())):
        await _leave(consumer, event_id)


@on_event("access.changed")
async def recheck_rooms(consumer, _event) -> None:
    """A friendship ended or a block began: leave every room this viewer may no longer see,
    and say so (``live.left``)."""
    for event_id in list(_rooms(consumer)):
        event = await database_sync_to_async(selectors.event_for_viewer)(
            viewer=consumer.user, event_id=event_id
        )
        if event is None:
            await _leave(consumer, event_id)
            await consumer.send_json({"type": "live.left", "event": event_id})


@register("live.danmaku")
async def live_danmaku(consumer, frame) -> None:
    event_id = await _event_id(consumer, frame)
    if event_id is None:
        return
    fields = {k: frame[k] for k in ("mode", "color", "size") if k in frame}
    text, client_id = frame.get("text"), frame.get("client_id", "")
    if (
        not isinstance(text, str)
        or not isinstance(client_id, str)
        or not all(isinstance(v, str) for v in fields.values())
    ):
        await consumer.error(
            "frame_invalid", _("A live.danmaku frame needs event and text."), frame.get("ref")
        )
        return
    try:
        d = await _in_any_thread(services.danmaku_send)(
            user=consumer.user, event_id=event_id, text=text, client_id=client_id, **fields
        )
    except ApplicationError as exc:
        await consumer.fail(exc, frame.get("ref"))
        return
    reply = {"type": "live.sent", "id": d.pk, "offset_ms": d.offset_ms, "client_id": client_id or None}
    if "ref" in frame:
        reply["ref"] = frame["ref"]
    await consumer.send_json(reply)


@register("live.gift")
async def live_gift(consumer, frame) -> None:
    event_id = await _event_id(consumer, frame)
    if event_id is None:
        return
    amount, key, pin = frame.get("amount_fen"), frame.get("key"), frame.get("pin")
    if (
        not isinstance(amount, int)
        or isinstance(amount, bool)
        or not isinstance(key, str)
        or (pin is not None and not isinstance(pin, str))
    ):
        await consumer.error(
            "frame_invalid", _("A live.gift frame needs event, amount_fen and key."), frame.get("ref")
        )
        return
    try:
        d = await _in_any_thread(services.gift_send)(
            user=consumer.user, event_id=event_id, amount_fen=amount, idempotency_key=key, pin=pin
        )
    except ApplicationError as exc:
        await consumer.fail(exc, frame.get("ref"))
        return
    reply = {"type": "live.gifted", "id": d.pk, "amount_fen": d.gift_fen}
    if "ref" in frame:
        reply["ref"] = frame["ref"]
    await consumer.send_json(reply)
