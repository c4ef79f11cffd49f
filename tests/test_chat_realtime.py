"""Chat over real WebSocket clients and the real ASGI server: delivery to every device of
every member in order, the sender's own confirmation, catch-up after a reconnect without
gaps or duplicates, and malformed frames."""

import asyncio
import json

import httpx
import pytest
import websockets

from lifecircle.core.testing.factories import PASSWORD
from lifecircle.core.testing.servers import asgi_server, database_url_for_subprocess

pytestmark = pytest.mark.django_db(transaction=True)


def signup(http, identifier):
    r = http.post("/api/v1/auth/signup", json={"identifier": identifier, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def recv_type(ws, wanted: str) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if frame["type"] == wanted:
            return frame


def test_delivery_order_catch_up_and_bad_frames(tmp_path):
    with asgi_server(database_url_for_subprocess(tmp_path)) as base, httpx.Client(base_url=base) as http:
        amy, ben = signup(http, "amy_chat"), signup(http, "ben_chat")
        req = http.post("/api/v1/friends/requests", json={"identifier": "ben_chat"}, headers=amy).json()
        http.post(f"/api/v1/friends/requests/{req['request']['id']}/accept", headers=ben)
        ben_id = http.get("/api/v1/me", headers=ben).json()["id"]
        conv = http.post("/api/v1/chat/conversations/direct", json={"user_id": ben_id}, headers=amy).json()[
            "id"
        ]
        url = base.replace("http://", "ws://") + "/ws/"

        async def run():
            async with (
                websockets.connect(url, additional_headers=amy) as amy_ws,
                websockets.connect(url, additional_headers=ben) as ben_phone,
                websockets.connect(url, additional_headers=ben) as ben_laptop,
            ):
                for ws in (amy_ws, ben_phone, ben_laptop):
                    await recv_type(ws, "hello")
                for i in range(5):
                    await amy_ws.send(
                        json.dumps(
                            {
                                "type": "chat.send",
                                "conversation_id": conv,
                                "text": f"m{i}",
                                "client_id": f"c{i}",
                            }
                        )
                    )
                    sent = await recv_type(amy_ws, "chat.sent")
                    assert sent["client_id"] == f"c{i}"
                for device in (ben_phone, ben_laptop):
                    got = [(await recv_type(device, "chat.message"))["message"]["text"] for _ in range(5)]
                    assert got == ["m0", "m1", "m2", "m3", "m4"]
                # A resent frame (same client_id) is confirmed with the same message, not a copy.
                await amy_ws.send(
                    json.dumps(
                        {"type": "chat.send", "conversation_id": conv, "text": "m4", "client_id": "c4"}
                    )
                )
                assert (await recv_type(amy_ws, "chat.sent"))["message"]["text"] == "m4"
                await ben_laptop.send(json.dumps({"type": "chat.sync", "after_id": 0}))
                everything = await recv_type(ben_laptop, "chat.sync")
                return [m["id"] for m in everything["messages"]]

            # (the phone's socket is closed now: Ben goes offline)

        ids = asyncio.run(run())
        assert len(ids) == 5 == len(set(ids)) and ids == sorted(ids)
        for i in range(5, 8):  # while Ben is offline
            r = http.post(f"/api/v1/chat/conversations/{conv}/messages", data={"text": f"m{i}"}, headers=amy)
            assert r.status_code == 201, r.text

        async def reconnect():
            async with websockets.connect(url, additional_headers=ben) as ws:
                await recv_type(ws, "hello")
                await ws.send(json.dumps({"type": "chat.sync", "after_id": ids[2]}))
                caught = (await recv_type(ws, "chat.sync"))["messages"]
                for bad in (
                    "{",
                    json.dumps({"type": "chat.send", "conversation_id": "x", "text": 5}),
                    json.dumps({"type": "chat.sync", "after_id": -1}),
                    json.dumps({"type": "chat.send", "conversation_id": 999999, "text": "x"}),
                ):
                    await ws.send(bad)
                    err = await recv_type(ws, "error")
                    assert err["code"] in {"frame_invalid", "conversation_not_found"}, err
                return caught

        caught = asyncio.run(reconnect())
        assert [m["text"] for m in caught] == ["m3", "m4", "m5", "m6", "m7"]  # no gaps, no duplicates
        assert http.get("/api/v1/chat/conversations", headers=ben).json()[0]["unread"] == 8
