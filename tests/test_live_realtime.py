"""Live rooms over real WebSockets through real uvicorn servers: danmaku reach every viewer in
the next frame, two processes deliver to each other's viewers through Redis, moderation
reaches everyone, and a viewer that stops reading delays nobody else (its oldest danmaku
are dropped, never the room)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import time
import uuid

import httpx
import pytest
import websockets

from lifecircle.core.testing.factories import PASSWORD
from lifecircle.core.testing.servers import asgi_server, database_url_for_subprocess

pytestmark = pytest.mark.django_db(transaction=True)


def _env(**extra) -> dict[str, str]:
    # Own Redis keys per test (rate-limit buckets, room channels) and a fast danmaku rate.
    return {"LIFECIRCLE_REDIS_PREFIX": f"lt{uuid.uuid4().hex[:8]}", **extra}


def signup(http, name: str) -> dict:
    r = http.post("/api/v1/auth/signup", json={"identifier": name, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def live_event(http, host) -> int:
    r = http.post(
        "/api/v1/live/events",
        json={"title": "Launch", "scheduled_at": dt.datetime.now(dt.UTC).isoformat()},
        headers=host,
    )
    assert r.status_code == 201, r.text
    event = r.json()["id"]
    assert http.post(f"/api/v1/live/events/{event}/start", headers=host).json()["status"] == "live"
    return event


async def next_of(ws, wanted: str, timeout: float = 5.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic())))
        if frame["type"] == wanted:
            return frame


async def items_until(ws, count: int, timeout: float = 5.0) -> list[dict]:
    """Danmaku items from live.frame frames until ``count`` arrived."""
    got: list[dict] = []
    deadline = time.monotonic() + timeout
    while len(got) < count:
        frame = await next_of(ws, "live.frame", max(0.01, deadline - time.monotonic()))
        got += frame["items"]
    return got


async def joined(url: str, headers: dict, event: int):
    ws = await websockets.connect(url, additional_headers=headers, max_size=None)
    await next_of(ws, "hello")
    await ws.send(json.dumps({"type": "live.join", "event": event}))
    await next_of(ws, "live.joined")
    return ws


def test_danmaku_reach_every_viewer_and_moderation_reaches_everyone(tmp_path):
    with (
        asgi_server(database_url_for_subprocess(tmp_path), extra_env=_env()) as base,
        httpx.Client(base_url=base) as http,
    ):
        host, amy, ben = (signup(http, n) for n in ("host_rt", "amy_rt", "ben_rt"))
        amy_id = http.get("/api/v1/me", headers=amy).json()["id"]
        event = live_event(http, host)
        url = base.replace("http://", "ws://") + "/ws/"

        async def run():
            a, b, h = [await joined(url, hd, event) for hd in (amy, ben, host)]
            try:
                await a.send(
                    json.dumps(
                        {
                            "type": "live.danmaku",
                            "event": event,
                            "text": "你好!",
                            "mode": "top",
                            "color": "#ff8800",
                            "size": "large",
                            "client_id": "k1",
                        }
                    )
                )
                sent = await next_of(a, "live.sent")
                for ws in (a, b, h):
                    (item,) = await items_until(ws, 1)
                    assert item["id"] == sent["id"] and item["text"] == "你好!"
                    assert (item["mode"], item["color"], item["size"]) == ("top", "#ff8800", "large")
                # bad input: a clear error frame, in the socket's language, nothing sent
                await a.send(
                    json.dumps({"type": "live.danmaku", "event": event, "text": "x" * 101, "ref": 7})
                )
                err = await next_of(a, "error")
                assert (err["code"], err["ref"]) == ("danmaku_too_long", 7)
                # the host deletes it and mutes Amy: every viewer's page hears both
                r = http.delete(f"/api/v1/live/danmaku/{sent['id']}", headers=host)
                assert r.status_code == 204
                r = http.post(
                    f"/api/v1/live/events/{event}/mutes", json={"user_id": amy_id, "minutes": 5}, headers=host
                )
                assert r.status_code == 204
                ops = await items_until(b, 2)
                assert {"op": "delete", "id": sent["id"]} in ops
                assert any(o.get("op") == "mute" and o["user_id"] == amy_id for o in ops)
                await a.send(json.dumps({"type": "live.danmaku", "event": event, "text": "still here?"}))
                assert (await next_of(a, "error"))["code"] == "danmaku_muted"
                await b.send(json.dumps({"type": "live.danmaku", "event": event, "text": "ben here"}))
                frame = await next_of(b, "live.frame")  # the viewer count rides on frames
                assert frame["viewers"] == 3 and frame["items"][0]["text"] == "ben here"
            finally:
                for ws in (a, b, h):
                    await ws.close()

        asyncio.run(run())
        replay = http.get(f"/api/v1/live/events/{event}/danmaku", headers=ben).json()
        assert [i["text"] for i in replay["items"]] == ["ben here"]  # the deleted one is gone from the replay


@pytest.mark.redis
def test_two_processes_deliver_to_each_others_viewers(tmp_path):
    db = database_url_for_subprocess(tmp_path)
    env = _env()
    with (
        asgi_server(db, extra_env=env) as one,
        asgi_server(db, extra_env=env) as two,
        httpx.Client(base_url=one) as http,
    ):
        host, amy, ben = (signup(http, n) for n in ("host_2p", "amy_2p", "ben_2p"))
        event = live_event(http, host)
        url = {base: base.replace("http://", "ws://") + "/ws/" for base in (one, two)}

        async def run():
            a = await joined(url[one], amy, event)
            b = await joined(url[two], ben, event)
            extra = [await joined(url[one], h, event) for h in (amy, ben, host)]  # more tabs on one
            try:
                await asyncio.sleep(0.3)  # the subscriptions reach Redis
                # one subscription per process per room, however many viewers it holds
                import redis
                from django.conf import settings

                channel = f"{env['LIFECIRCLE_REDIS_PREFIX']}:live:room:{event}"
                [(_name, subscribers)] = redis.Redis.from_url(settings.REDIS_URL).pubsub_numsub(channel)
                assert subscribers == 2
                for i in range(3):
                    await a.send(
                        json.dumps({"type": "live.danmaku", "event": event, "text": f"from one {i}"})
                    )
                await b.send(json.dumps({"type": "live.danmaku", "event": event, "text": "from two"}))
                at_b = {i["text"] for i in await items_until(b, 4)}
                at_a = {i["text"] for i in await items_until(a, 4)}
                assert at_a == at_b == {"from one 0", "from one 1", "from one 2", "from two"}
                # one danmaku too many: the rate limit is shared by every process
                await a.send(json.dumps({"type": "live.danmaku", "event": event, "text": "4th"}))
                assert (await next_of(a, "error"))["code"] == "danmaku_rate_limited"
                # viewers are counted across both processes
                deadline = time.monotonic() + 6
                while (await next_of(b, "live.frame", 6))["viewers"] != 5:
                    assert time.monotonic() < deadline
            finally:
                for ws in (a, b, *extra):
                    await ws.close()

        asyncio.run(run())


def _raw_viewer(base: str, token_header: dict, event: int) -> socket.socket:
    """A viewer that joins and then never reads: a tiny receive buffer that fills at once."""
    host, port = base.removeprefix("http://").split(":")
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((host, int(port)))
    s.sendall(
        (
            f"GET /ws/ HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            f"Authorization: {token_header['Authorization']}\r\n\r\n"
        ).encode()
    )
    payload = json.dumps({"type": "live.join", "event": event}).encode()
    s.sendall(bytes((0x81, 0x80 | len(payload))) + b"\0\0\0\0" + payload)  # masked with a zero key
    return s


def test_a_viewer_that_stops_reading_delays_nobody(tmp_path):
    env = _env(
        LIFECIRCLE_LIVE_DANMAKU_BURST="100000",
        LIFECIRCLE_LIVE_VIEWER_BACKLOG="50",
        LIFECIRCLE_LIVE_SLOW_VIEWER_BYTES="8192",
    )
    with (
        asgi_server(database_url_for_subprocess(tmp_path), extra_env=env) as base,
        httpx.Client(base_url=base) as http,
    ):
        host, amy, ben, slow = (signup(http, n) for n in ("host_sl", "amy_sl", "ben_sl", "slow_sl"))
        event = live_event(http, host)
        url = base.replace("http://", "ws://") + "/ws/"
        stuck = _raw_viewer(base, slow, event)
        n, text = 300, "弹" * 100  # 300 long danmaku: far more than a stuck socket's buffers hold

        async def run():
            a, b = await joined(url, amy, event), await joined(url, ben, event)
            try:
                t0 = time.monotonic()
                for i in range(n):
                    await a.send(
                        json.dumps({"type": "live.danmaku", "event": event, "text": f"{i:03d}{text}"[:100]})
                    )
                got = await items_until(b, n, timeout=30)
                spent = time.monotonic() - t0
                assert sorted(int(i["text"][:3]) for i in got) == list(range(n))  # Ben misses nothing
                return spent
            finally:
                await a.close()
                await b.close()

        spent = asyncio.run(run())
        assert spent < 20, spent
        stuck.close()


class FakeTransport:
    """A socket whose unsent bytes the test controls."""

    def __init__(self):
        self.buffered, self.frames = 0, []

    def write(self, data: bytes) -> None:
        self.frames.append(data)

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def is_closing(self) -> bool:
        return False


def test_a_slow_viewer_loses_its_oldest_danmaku_and_never_holds_up_the_room(settings):
    """The hub's own rules, with sockets whose buffers the test fills: a viewer over the
    slow mark stops getting the shared frame, keeps the newest LIVE_VIEWER_BACKLOG items,
    and gets them in one frame of its own once its buffer drains."""
    from lifecircle.live import fanout

    settings.LIFECIRCLE = {**settings.LIFECIRCLE, "LIVE_VIEWER_BACKLOG": 5, "LIVE_SLOW_VIEWER_BYTES": 1000}

    class Consumer:
        base_send = None

    loop = asyncio.new_event_loop()
    try:
        hub = fanout.Hub(loop)
        room = fanout.Room(1)
        hub.rooms[1] = room
        fast, slow = FakeTransport(), FakeTransport()
        for t in (fast, slow):
            v = fanout.Viewer(Consumer(), 5)
            v.transport = t
            room.viewers[id(v)] = v
        slow.buffered = 5000  # over the mark: this viewer is slow
        for tick in range(4):
            for i in range(3):
                hub.push(1, json.dumps({"id": tick * 3 + i}, separators=(",", ":")))
            hub.flush()
        assert len(fast.frames) == 4 and slow.frames == []  # the room went on without waiting
        assert b'"id":11' in fast.frames[-1]
        slow.buffered = 0  # it caught up
        hub.flush()
        (frame,) = slow.frames
        ids = [int(x) for x in __import__("re").findall(rb'"id":(\d+)', frame)]
        assert ids == [7, 8, 9, 10, 11]  # the newest five; the oldest seven were dropped
        assert hub.stats["dropped"] == 7
    finally:
        loop.close()


def test_a_viewer_blocked_by_the_host_leaves_the_room_at_once(tmp_path):
    with (
        asgi_server(database_url_for_subprocess(tmp_path), extra_env=_env()) as base,
        httpx.Client(base_url=base) as http,
    ):
        host, fan, other = (signup(http, n) for n in ("host_bk", "fan_bk", "other_bk"))
        fan_id = http.get("/api/v1/me", headers=fan).json()["id"]
        event = live_event(http, host)
        url = base.replace("http://", "ws://") + "/ws/"

        async def run():
            f, o = await joined(url, fan, event), await joined(url, other, event)
            try:
                assert http.post("/api/v1/blocks", json={"user_id": fan_id}, headers=host).status_code == 201
                assert (await next_of(f, "live.left"))["event"] == event
                await o.send(json.dumps({"type": "live.danmaku", "event": event, "text": "after the block"}))
                assert [i["text"] for i in await items_until(o, 1)] == ["after the block"]
                with pytest.raises(TimeoutError):
                    await next_of(f, "live.frame", timeout=1.0)  # nothing more reaches the blocked fan
            finally:
                await f.close()
                await o.close()

        asyncio.run(run())
