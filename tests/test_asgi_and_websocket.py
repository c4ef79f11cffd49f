"""The real ASGI server: pages, API and the authenticated WebSocket, over real sockets."""

import asyncio
import json
import re

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from lifecircle.core.testing.factories import PASSWORD
from lifecircle.core.testing.servers import asgi_server, database_url_for_subprocess

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(tmp_path):
    with asgi_server(database_url_for_subprocess(tmp_path)) as base:
        yield base


def sign_up(base: str, identifier: str = "lily_chen", language: str = "") -> str:
    r = httpx.post(
        f"{base}/api/v1/auth/signup",
        json={"identifier": identifier, "password": PASSWORD, "language": language},
    )
    assert r.status_code == 201, r.text
    return r.json()["token"]


def browser_login(base: str, identifier: str) -> httpx.Client:
    client = httpx.Client(base_url=base)
    page = client.get("/accounts/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/accounts/login/", data={"identifier": identifier, "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    )
    assert r.status_code == 302, r.text
    return client


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/ws/"


async def recv(ws) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=5))


def test_pages_and_api_are_served_by_uvicorn(server):
    assert "LifeCircle" in httpx.get(server + "/").text
    r = httpx.get(server + "/api/v1/me")
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
    assert httpx.get(server + "/static/vendor/htmx.min.js").status_code == 200


def test_websocket_with_a_bearer_token(server):
    token = sign_up(server)

    async def run():
        async with websockets.connect(
            ws_url(server), additional_headers={"Authorization": f"Bearer {token}"}
        ) as ws:
            hello = await recv(ws)
            assert hello["type"] == "hello" and hello["user_id"] > 0
            await ws.send(json.dumps({"type": "ping", "ref": 7}))
            assert await recv(ws) == {"type": "pong", "ref": 7}
            await ws.send("not json")
            assert (await recv(ws))["code"] == "frame_invalid"
            await ws.send(json.dumps({"type": "nope"}))
            assert (await recv(ws))["code"] == "unknown_type"
            await ws.send(json.dumps([1, 2]))
            assert (await recv(ws))["code"] == "frame_invalid"

    asyncio.run(run())


def test_websocket_errors_are_in_the_users_language(server):
    token = sign_up(server, language="zh-hant")

    async def run():
        async with websockets.connect(
            ws_url(server), additional_headers={"Authorization": f"Bearer {token}"}
        ) as ws:
            await recv(ws)
            await ws.send(json.dumps({"type": "nope"}))
            assert (await recv(ws))["message"] == "未知的訊框類型。"

    asyncio.run(run())


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer lc_wrong_token"}, {"Origin": "http://127.0.0.1"}],
)
def test_strangers_are_refused(server, headers):
    async def run():
        with pytest.raises(InvalidStatus) as exc:
            async with websockets.connect(ws_url(server), additional_headers=headers):
                pass
        assert exc.value.response.status_code == 403

    asyncio.run(run())


def test_session_cookie_works_only_from_our_own_origin(server):
    sign_up(server)
    client = browser_login(server, "lily_chen")
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    host = server.removeprefix("http://")

    async def run():
        async with websockets.connect(
            ws_url(server), additional_headers={"Cookie": cookie, "Origin": f"http://{host}"}
        ) as ws:
            assert (await recv(ws))["type"] == "hello"
        # The same cookie sent by another site's page (cross-site WebSocket hijacking) is refused.
        with pytest.raises(InvalidStatus):
            async with websockets.connect(
                ws_url(server), additional_headers={"Cookie": cookie, "Origin": "https://evil.example"}
            ):
                pass
        with pytest.raises(InvalidStatus):
            async with websockets.connect(ws_url(server), additional_headers={"Cookie": cookie}):
                pass
        # Same host name, another port or scheme: another origin.
        port = int(host.rsplit(":", 1)[1])
        for other in (f"http://127.0.0.1:{port + 1}", f"https://{host}", "http://localhost:1"):
            with pytest.raises(InvalidStatus):
                async with websockets.connect(
                    ws_url(server), additional_headers={"Cookie": cookie, "Origin": other}
                ):
                    pass

    asyncio.run(run())


@pytest.mark.redis
def test_an_event_published_in_another_process_reaches_the_users_sockets(server):
    """publish_now here → Redis → the uvicorn process → every socket of that user."""
    from lifecircle.realtime import groups
    from lifecircle.realtime.events import publish_now

    token = sign_up(server)

    async def run():
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            websockets.connect(ws_url(server), additional_headers=headers) as a,
            websockets.connect(ws_url(server), additional_headers=headers) as b,
        ):
            user_id = (await recv(a))["user_id"]
            await recv(b)
            await asyncio.sleep(0.3)  # let both subscriptions reach Redis
            await asyncio.to_thread(publish_now, {"type": "test.event", "n": 1}, to=[groups.user(user_id)])
            assert await recv(a) == {"type": "test.event", "n": 1}
            assert await recv(b) == {"type": "test.event", "n": 1}

    asyncio.run(run())


def test_sockets_close_when_their_credentials_end(server):
    from websockets.exceptions import ConnectionClosed

    token_a = sign_up(server)
    with httpx.Client(base_url=server) as http:
        r = http.post(
            "/api/v1/me/tokens", json={"name": "second"}, headers={"Authorization": f"Bearer {token_a}"}
        )
        token_b, token_b_id = r.json()["token"], r.json()["id"]
        token_a_id = next(
            t
            for t in http.get("/api/v1/me/tokens", headers={"Authorization": f"Bearer {token_a}"}).json()
            if t["id"] != token_b_id
        )["id"]
    browser = browser_login(server, "lily_chen")
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    host = server.removeprefix("http://")

    async def closed(ws) -> int:
        with pytest.raises(ConnectionClosed) as exc:
            for _ in range(5):
                await asyncio.wait_for(ws.recv(), 5)
        return exc.value.rcvd.code

    async def run():
        async with (
            websockets.connect(
                ws_url(server), additional_headers={"Authorization": f"Bearer {token_a}"}
            ) as a,
            websockets.connect(
                ws_url(server), additional_headers={"Authorization": f"Bearer {token_b}"}
            ) as b,
            websockets.connect(
                ws_url(server), additional_headers={"Cookie": cookie, "Origin": f"http://{host}"}
            ) as s,
        ):
            for ws in (a, b, s):
                await recv(ws)
            # Revoking token A closes only the socket opened with it.
            await asyncio.to_thread(
                httpx.delete,
                f"{server}/api/v1/me/tokens/{token_a_id}",
                headers={"Authorization": f"Bearer {token_b}"},
            )
            assert await closed(a) == 4401
            await b.send(json.dumps({"type": "ping"}))
            assert (await recv(b))["type"] == "pong"
            # Logging out closes the session's socket, not the token's.
            page = await asyncio.to_thread(browser.get, "/accounts/profile/")
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            await asyncio.to_thread(browser.post, "/accounts/logout/", data={"csrfmiddlewaretoken": csrf})
            assert await closed(s) == 4401
            await b.send(json.dumps({"type": "ping"}))
            assert (await recv(b))["type"] == "pong"
            # A password change ends everything.
            await asyncio.to_thread(
                httpx.post,
                f"{server}/api/v1/me/password",
                json={"old_password": PASSWORD, "new_password": "another-long-pass-99"},
                headers={"Authorization": f"Bearer {token_b}"},
            )
            assert await closed(b) == 4401

    asyncio.run(run())
