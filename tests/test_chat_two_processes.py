"""Two real ASGI servers on loopback sharing Redis and the database: a message sent to one
reaches a client connected to the other, and a client that reconnects to the other server
catches up without gaps."""

import asyncio
import json

import httpx
import pytest
import websockets

from lifecircle.core.testing.factories import PASSWORD
from lifecircle.core.testing.servers import asgi_server, database_url_for_subprocess

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


async def recv_type(ws, wanted: str) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if frame["type"] == wanted:
            return frame


def test_cross_process_delivery_and_catch_up(tmp_path):
    db = database_url_for_subprocess(tmp_path)
    with asgi_server(db) as one, asgi_server(db) as two, httpx.Client(base_url=one) as http:
        tokens = {}
        for name in ("amy_chat", "ben_chat"):
            r = http.post("/api/v1/auth/signup", json={"identifier": name, "password": PASSWORD})
            tokens[name] = {"Authorization": f"Bearer {r.json()['token']}"}
        amy, ben = tokens["amy_chat"], tokens["ben_chat"]
        req = http.post("/api/v1/friends/requests", json={"identifier": "ben_chat"}, headers=amy).json()
        http.post(f"/api/v1/friends/requests/{req['request']['id']}/accept", headers=ben)
        ben_id = http.get("/api/v1/me", headers=ben).json()["id"]
        conv = http.post("/api/v1/chat/conversations/direct", json={"user_id": ben_id}, headers=amy).json()[
            "id"
        ]
        ws = {base: base.replace("http://", "ws://") + "/ws/" for base in (one, two)}

        async def run():
            async with (
                websockets.connect(ws[one], additional_headers=amy) as amy_ws,
                websockets.connect(ws[two], additional_headers=ben) as ben_ws,
            ):
                await recv_type(amy_ws, "hello")
                await recv_type(ben_ws, "hello")
                await asyncio.sleep(0.3)  # subscriptions reach Redis
                for i in range(3):
                    await amy_ws.send(
                        json.dumps(
                            {
                                "type": "chat.send",
                                "conversation_id": conv,
                                "text": f"via one {i}",
                                "client_id": f"x{i}",
                            }
                        )
                    )
                got = [(await recv_type(ben_ws, "chat.message"))["message"] for _ in range(3)]
                assert [m["text"] for m in got] == ["via one 0", "via one 1", "via one 2"]
                return got[0]["id"]

        first_id = asyncio.run(run())
        # While Ben is away, Amy posts through server two's HTTP API.
        for i in range(2):
            httpx.post(
                f"{two}/api/v1/chat/conversations/{conv}/messages", data={"text": f"via two {i}"}, headers=amy
            )

        async def reconnect():
            async with websockets.connect(ws[one], additional_headers=ben) as ben_ws:
                await recv_type(ben_ws, "hello")
                await ben_ws.send(json.dumps({"type": "chat.sync", "after_id": first_id}))
                return [m["text"] for m in (await recv_type(ben_ws, "chat.sync"))["messages"]]

        assert asyncio.run(reconnect()) == ["via one 1", "via one 2", "via two 0", "via two 1"]
