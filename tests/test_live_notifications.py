"""Notifications reach the author live, over a real WebSocket, through the real ASGI server:
a friend likes, comments on and tips a post; every open tab of the author gets each one, and
the notification centre renders them in the author's language."""

import asyncio
import io
import json

import httpx
import pytest
import websockets
from PIL import Image

from lifecircle.core.testing.factories import PASSWORD
from lifecircle.core.testing.servers import asgi_server, database_url_for_subprocess

pytestmark = pytest.mark.django_db(transaction=True)


def signup(client: httpx.Client, identifier: str, language: str = "") -> dict:
    r = client.post(
        "/api/v1/auth/signup", json={"identifier": identifier, "password": PASSWORD, "language": language}
    )
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_like_comment_and_tip_arrive_live_on_every_tab(tmp_path):
    with asgi_server(database_url_for_subprocess(tmp_path)) as base, httpx.Client(base_url=base) as http:
        author = signup(http, "author_x", language="zh-hans")
        friend = signup(http, "friend_x")
        stranger = signup(http, "stranger_x")
        r = http.post("/api/v1/friends/requests", json={"identifier": "author_x"}, headers=friend)
        request_id = r.json()["request"]["id"]
        assert http.post(f"/api/v1/friends/requests/{request_id}/accept", headers=author).status_code == 200
        card = http.post(
            "/api/v1/wallet/cards", json={"number": "6222020200112233446"}, headers=friend
        ).json()
        r = http.post(
            "/api/v1/wallet/topups",
            json={"card_id": card["id"], "amount_fen": 500},
            headers={**friend, "Idempotency-Key": "fund-1"},
        )
        assert r.status_code == 201, r.text
        photo = io.BytesIO()
        Image.new("RGB", (64, 48), "green").save(photo, format="JPEG")
        r = http.post(
            "/api/v1/feed/posts",
            data={"text": "晚饭", "audience": "friends"},
            files={"images": ("a.jpg", photo.getvalue(), "image/jpeg")},
            headers=author,
        )
        assert r.status_code == 201, r.text
        post_id = r.json()["id"]
        ws_url = base.replace("http://", "ws://") + "/ws/"

        async def run():
            async with (
                websockets.connect(ws_url, additional_headers=author) as tab1,
                websockets.connect(ws_url, additional_headers=author) as tab2,
            ):
                for tab in (tab1, tab2):
                    assert json.loads(await tab.recv())["type"] == "hello"

                async def act(method, path, **kw):
                    return await asyncio.to_thread(getattr(http, method), path, **kw)

                await act("put", f"/api/v1/feed/posts/{post_id}/like", headers=friend)
                await act(
                    "post", f"/api/v1/feed/posts/{post_id}/comments", json={"text": "好吃"}, headers=friend
                )
                r = await act(
                    "post",
                    f"/api/v1/feed/posts/{post_id}/tips",
                    json={},
                    headers={**friend, "Idempotency-Key": "tap-1"},
                )
                assert r.status_code == 201, r.text
                for tab in (tab1, tab2):
                    events = [json.loads(await asyncio.wait_for(tab.recv(), 5)) for _ in range(3)]
                    assert [(e["type"], e["kind"], e["unread"]) for e in events] == [
                        ("notification", "like", 2),
                        ("notification", "comment", 3),
                        ("notification", "tip", 4),
                    ]
                return r.json()["amount_fen"]

        amount = asyncio.run(run())
        centre = http.get("/api/v1/notifications", headers=author).json()
        assert centre["unread"] == 4  # the friend request came first
        texts = [item["text"] for item in centre["items"]]
        assert texts[1:] == [
            "friend_x 评论了你的动态。",
            "friend_x 赞了你的动态。",
            "friend_x 想加你为好友。",
        ]
        assert texts[0].startswith("friend_x 打赏了你") and f"{amount / 100:.2f}" in texts[0]
        # The stranger sees neither the post nor anything about it.
        assert http.get(f"/api/v1/feed/posts/{post_id}", headers=stranger).status_code == 404
        assert http.get("/api/v1/feed", headers=stranger).json()["items"] == []
        friend_view = http.get("/api/v1/feed", headers=friend).json()["items"][0]
        assert friend_view["tips"] is None and friend_view["my_tips_fen"] == amount
        author_view = http.get(f"/api/v1/feed/posts/{post_id}", headers=author).json()
        assert author_view["tips"]["total_fen"] == amount and author_view["tips"]["count"] == 1
