"""Fan-out for big live rooms: thousands of viewers in one room, hundreds of danmaku a second.

The naive way — every viewer's consumer in a Channels group, every danmaku a ``group_send`` —
costs one channel-layer message, one JSON encoding and one socket write per danmaku per
viewer. Here the cost is per viewer per *tick* instead:

- **One subscription per process per room.** Each process runs one :class:`Hub` (per event
  loop). The first local viewer of a room makes the hub subscribe to the room's Redis
  channel; the last one leaving unsubscribes. Without Redis (the embedded mode, one process)
  publishing hands items straight to the hub.
- **One frame per tick.** Danmaku (and moderation/status items) arriving during a tick
  (``LIVE_TICK_SECONDS``, 100 ms) are merged into one ``live.frame`` — encoded once, as one
  WebSocket frame — and written to every local viewer: a write of the same bytes per viewer.
- **Straight to the socket.** Under uvicorn the ASGI ``send`` is a method of the connection's
  protocol object, which holds the asyncio transport; the hub writes the pre-encoded frame
  to it directly (an unmasked, uncompressed text frame, always valid on a connection even
  with permessage-deflate, and never interleaved with other frames since writes happen whole
  on the event loop). Elsewhere (another ASGI server, the test communicator) it falls back to
  the ordinary ``send``.
- **Slow viewers never block the room.** Writes never wait. A viewer whose socket buffer is
  above ``LIVE_SLOW_VIEWER_BYTES`` stops getting the shared frame; its danmaku queue in a bounded
  per-viewer backlog (``LIVE_VIEWER_BACKLOG``; the oldest are dropped first) that is flushed
  as its own frame once its buffer drains below a quarter of that.
- **Viewer counts** across processes: every ~2 s each hub writes its local count per room
  into a Redis hash (field = process) and sums the fresh fields; the total rides on frames.

``LIVE_FANOUT = "group_send"`` switches publishing to Channels' per-member ``group_send`` —
the baseline the danmaku benchmark compares against.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections import deque
from functools import lru_cache

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

COUNT_EVERY_SECONDS = 2.0
COUNT_FRESH_SECONDS = 7.0


def _conf(name: str):
    return settings.LIFECIRCLE[name]


def room_channel(event_id: int) -> str:
    return f"{settings.REDIS_PREFIX}:live:room:{event_id}"


def room_group(event_id: int) -> str:
    return f"live.{event_id}"


def _count_key(event_id: int) -> str:
    return f"{settings.REDIS_PREFIX}:live:viewers:{event_id}"


def encode(item: dict) -> str:
    return json.dumps(item, ensure_ascii=False, separators=(",", ":"))


def ws_text_frame(payload: bytes) -> bytes:
    """A final, unmasked, uncompressed WebSocket text frame (what a server sends)."""
    n = len(payload)
    if n < 126:
        header = bytes((0x81, n))
    elif n < 65536:
        header = bytes((0x81, 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + n.to_bytes(8, "big")
    return header + payload


def frame_payload(event_id: int, viewers: int, items) -> bytes:
    return (
        f'{{"type":"live.frame","event":{event_id},"viewers":{viewers},"items":['.encode()
        + ",".join(items).encode()
        + b"]}"
    )


def raw_socket(send):
    """(protocol, transport) under an ASGI ``send`` when the server is uvicorn, else (None, None).
    Channels' session middleware wraps ``send`` (keeping the original as ``real_send``)."""
    for _depth in range(5):
        proto = getattr(send, "__self__", None)
        transport = getattr(proto, "transport", None)
        if all(hasattr(transport, name) for name in ("write", "get_write_buffer_size", "is_closing")):
            return proto, transport
        send = getattr(proto, "real_send", None)
        if send is None:
            break
    return None, None


class Viewer:
    __slots__ = ("backlog", "consumer", "dropped", "proto", "transport")

    def __init__(self, consumer, backlog_max: int):
        self.consumer = consumer
        self.proto, self.transport = raw_socket(getattr(consumer, "base_send", None))
        self.backlog: deque[str] = deque(maxlen=backlog_max)
        self.dropped = 0

    def closed(self) -> bool:
        t = self.transport
        return t is not None and (t.is_closing() or bool(getattr(self.proto, "close_sent", False)))


class Room:
    __slots__ = ("event_id", "pending", "sent_total", "slow", "total", "viewers")

    def __init__(self, event_id: int):
        self.event_id = event_id
        self.viewers: dict[int, Viewer] = {}  # id(consumer) -> viewer
        self.slow: set[int] = set()
        self.pending: list[str] = []
        self.total = 0  # viewers across every process, as last counted
        self.sent_total = -1  # the total the last frame carried


class Hub:
    """One per event loop (i.e. per server process). See the module docstring."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.process = uuid.uuid4().hex[:12]
        self.rooms: dict[int, Room] = {}
        self.redis = None
        self.pubsub = None
        self.tasks: list[asyncio.Task] = []
        self.stats = {"frames": 0, "items": 0, "dropped": 0, "fallback_sends": 0}
        self._lock = asyncio.Lock()

    # --- membership -------------------------------------------------------------------------
    async def join(self, event_id: int, consumer) -> Room:
        async with self._lock:
            room = self.rooms.get(event_id)
            if room is None:
                room = self.rooms[event_id] = Room(event_id)
                await self._subscribe(event_id)
            room.viewers[id(consumer)] = Viewer(consumer, _conf("LIVE_VIEWER_BACKLOG"))
            self._ensure_tasks()
        self._count_local(room)
        return room

    async def leave(self, event_id: int, consumer) -> None:
        async with self._lock:
            room = self.rooms.get(event_id)
            if room is None or room.viewers.pop(id(consumer), None) is None:
                return
            room.slow.discard(id(consumer))
            if not room.viewers:
                del self.rooms[event_id]
                await self._unsubscribe(event_id)
                await self._count(room)  # removes this process from the room's count
                return
        self._count_local(room)

    # --- input ------------------------------------------------------------------------------
    def push(self, event_id: int, data: str) -> None:
        room = self.rooms.get(event_id)
        if room is not None:
            room.pending.append(data)

    async def _subscribe(self, event_id: int) -> None:
        if not settings.REDIS_URL or _conf("LIVE_FANOUT") == "group_send":
            return
        if self.redis is None:
            import redis.asyncio as aioredis

            self.redis = aioredis.Redis.from_url(settings.REDIS_URL)
            self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        await self.pubsub.subscribe(room_channel(event_id))

    async def _unsubscribe(self, event_id: int) -> None:
        if self.pubsub is not None and self.pubsub.subscribed:
            await self.pubsub.unsubscribe(room_channel(event_id))

    async def _read(self) -> None:
        prefix = f"{settings.REDIS_PREFIX}:live:room:".encode()
        while True:
            if self.pubsub is None or not self.pubsub.subscribed:
                await asyncio.sleep(0.05)
                continue
            try:
                message = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except Exception:  # Redis went away: keep the room alive, retry
                logger.exception("live room subscription failed; retrying")
                await asyncio.sleep(1)
                continue
            if message is None or message.get("type") != "message":
                continue
            channel = message["channel"]
            try:
                event_id = int(channel[len(prefix) :])
            except ValueError:
                continue
            self.push(event_id, message["data"].decode())

    # --- output -----------------------------------------------------------------------------
    def _ensure_tasks(self) -> None:
        if not self.tasks or all(t.done() for t in self.tasks):
            self.tasks = [self.loop.create_task(self._tick())]
            if settings.REDIS_URL and _conf("LIVE_FANOUT") != "group_send":
                self.tasks.append(self.loop.create_task(self._read()))

    async def _tick(self) -> None:
        tick = _conf("LIVE_TICK_SECONDS")
        next_count = time.monotonic() + COUNT_EVERY_SECONDS
        while True:
            await asyncio.sleep(tick)
            try:
                self.flush()
                if time.monotonic() >= next_count:
                    next_count = time.monotonic() + COUNT_EVERY_SECONDS
                    for room in list(self.rooms.values()):
                        await self._count(room)
            except Exception:  # one bad tick must not stop the room
                logger.exception("live tick failed")

    def flush(self) -> None:
        for room in list(self.rooms.values()):
            items, room.pending = room.pending, []
            if not items and room.total == room.sent_total:
                if room.slow:
                    self._drain_slow(room, [])
                continue
            room.sent_total = room.total
            frame = ws_text_frame(frame_payload(room.event_id, room.total, items))
            self.stats["items"] += len(items)
            self._deliver(room, frame, items)

    def _deliver(self, room: Room, frame: bytes, items: list[str]) -> None:
        slow, high_water = room.slow, _conf("LIVE_SLOW_VIEWER_BYTES")
        written = 0
        for key, viewer in room.viewers.items():
            t = viewer.transport
            if t is None:
                self._fallback(room, viewer, frame)
                continue
            if key in slow or t.get_write_buffer_size() > high_water:
                slow.add(key)
                continue
            if t.is_closing() or getattr(viewer.proto, "close_sent", False):
                continue
            t.write(frame)
            written += 1
        self.stats["frames"] += written
        if slow:
            self._drain_slow(room, items)

    def _drain_slow(self, room: Room, items: list[str]) -> None:
        """Slow viewers: queue the items (the oldest dropped past the backlog's size); send the
        backlog as one frame of their own once their socket has drained."""
        low_water = _conf("LIVE_SLOW_VIEWER_BYTES") // 4
        for key in list(room.slow):
            viewer = room.viewers.get(key)
            if viewer is None:
                room.slow.discard(key)
                continue
            backlog = viewer.backlog
            overflow = len(backlog) + len(items) - backlog.maxlen
            if overflow > 0:
                viewer.dropped += overflow
                self.stats["dropped"] += overflow
            backlog.extend(items)
            t = viewer.transport
            if t.is_closing():
                continue
            if t.get_write_buffer_size() <= low_water:
                t.write(ws_text_frame(frame_payload(room.event_id, room.total, backlog)))
                self.stats["frames"] += 1
                backlog.clear()
                room.slow.discard(key)

    def _fallback(self, room: Room, viewer: Viewer, frame: bytes) -> None:
        """Not under uvicorn: the ordinary ASGI send (one task per frame)."""
        payload = frame[frame.index(b"{") :].decode()
        self.stats["fallback_sends"] += 1
        self.loop.create_task(viewer.consumer.send(text_data=payload))

    # --- viewer counts ----------------------------------------------------------------------
    def _count_local(self, room: Room) -> None:
        """Right after a join or leave: this process's change, before the next Redis count."""
        if not settings.REDIS_URL:
            room.total = sum(
                len(r.viewers) for h in _live_hubs() for r in h.rooms.values() if r.event_id == room.event_id
            )
        else:
            room.total = max(room.total, len(room.viewers))

    async def _count(self, room: Room) -> None:
        local = len(room.viewers)
        if not settings.REDIS_URL:
            room.total = sum(
                len(r.viewers) for h in _live_hubs() for r in h.rooms.values() if r.event_id == room.event_id
            )
            return
        if self.redis is None:
            import redis.asyncio as aioredis

            self.redis = aioredis.Redis.from_url(settings.REDIS_URL)
        key, now = _count_key(room.event_id), time.time()
        try:
            if local:
                await self.redis.hset(key, self.process, f"{local}:{now:.0f}")
            else:
                await self.redis.hdel(key, self.process)
            await self.redis.expire(key, 3600)
            total, stale = 0, []
            for field, value in (await self.redis.hgetall(key)).items():
                count, at = value.decode().split(":")
                if now - float(at) > COUNT_FRESH_SECONDS:
                    stale.append(field)
                else:
                    total += int(count)
            if stale:
                await self.redis.hdel(key, *stale)
            room.total = total
        except Exception:
            logger.exception("live viewer count failed")
            room.total = max(room.total, local)


_HUBS: dict[int, Hub] = {}


def _live_hubs() -> list[Hub]:
    return [h for h in _HUBS.values() if not h.loop.is_closed()]


def hub() -> Hub:
    """This event loop's hub."""
    loop = asyncio.get_running_loop()
    h = _HUBS.get(id(loop))
    if h is None or h.loop is not loop:
        h = _HUBS[id(loop)] = Hub(loop)
    return h


@lru_cache(maxsize=4)
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url)


def publish_now(event_id: int, item: dict) -> None:
    """Send an item (a danmaku, or ``{"op": ...}``) to everyone in the room, in every
    process. Best effort, like every live event: a failure is logged, never raised."""
    try:
        if _conf("LIVE_FANOUT") == "group_send":
            from asgiref.sync import async_to_sync
            from channels.layers import get_channel_layer

            frame = {"type": "live.frame", "event": event_id, "items": [item]}
            async_to_sync(get_channel_layer().group_send)(
                room_group(event_id), {"type": "event.push", "event": frame}
            )
        elif settings.REDIS_URL:
            _redis(settings.REDIS_URL).publish(room_channel(event_id), encode(item))
        else:
            data = encode(item)
            for h in _live_hubs():
                h.loop.call_soon_threadsafe(h.push, event_id, data)
    except Exception:
        logger.exception("could not publish to live room %s", event_id)


def publish_on_commit(event_id: int, item: dict) -> None:
    transaction.on_commit(lambda: publish_now(event_id, item))
