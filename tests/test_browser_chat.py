"""Two people in two real browsers chat live; one sends a burn-after-reading photo, the other
opens it, and 10 s later it is gone from both screens and from every store."""

import io
import time

import pytest
from PIL import Image

from tests.test_browser import CHROMIUM_ARGS, SHOTS
from tests.test_browser_circle import api_user, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def env(tmp_path, monkeypatch):
    import httpx
    from playwright.sync_api import sync_playwright

    from lifecircle.core.testing.servers import asgi_server, database_url_for_subprocess

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    keys = tmp_path / "burn-keys"
    with (
        asgi_server(
            database_url_for_subprocess(tmp_path), extra_env={"LIFECIRCLE_BURN_KEY_DIR": str(keys)}
        ) as base,
        sync_playwright() as pw,
        httpx.Client(base_url=base) as http,
    ):
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser, base, http, tmp_path, keys
        browser.close()


def test_live_chat_and_a_burn_after_reading_photo(env, settings):
    from lifecircle.chat.keystore import keystore

    browser, base, http, tmp, keys = env
    settings.BURN_KEY_DIR = keys  # look where the server keeps keys (Redis, when configured)
    amy_h, ben_h = api_user(http, "amy_chat", "Amy"), api_user(http, "ben_chat", "Ben")
    req = http.post("/api/v1/friends/requests", json={"identifier": "ben_chat"}, headers=amy_h).json()
    http.post(f"/api/v1/friends/requests/{req['request']['id']}/accept", headers=ben_h)
    ben_id = http.get("/api/v1/me", headers=ben_h).json()["id"]

    amy = browser_login(browser, base, "amy_chat")
    amy.goto(f"/friends/u/{ben_id}/")
    amy.get_by_role("button", name="Message").click()
    amy.wait_for_selector("[data-testid=compose]")
    conv_url = amy.url
    amy.wait_for_selector("body[data-live='1']")
    ben = browser_login(browser, base, "ben_chat")
    ben.goto(conv_url.replace(base, ""))
    ben.wait_for_selector("body[data-live='1']")

    # Live text both ways.
    amy.get_by_placeholder("Message").fill("Hi Ben!")
    amy.get_by_role("button", name="Send").click()
    ben.get_by_test_id("messages").get_by_text("Hi Ben!").wait_for()  # no reload on Ben's side

    # A burn-after-reading photo.
    photo = tmp / "secret.jpg"
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "purple").save(out, format="JPEG")
    photo.write_bytes(out.getvalue())
    amy.get_by_label("Photo").set_input_files(str(photo))
    amy.get_by_label("Burn after reading").check()
    amy.get_by_role("button", name="Send").click()
    ben.get_by_role("button", name="Tap to open (burns after reading)").click()
    ben.get_by_test_id("burn-image").wait_for()
    conv_id = conv_url.rstrip("/").rsplit("/", 1)[1]
    history = http.get(f"/api/v1/chat/conversations/{conv_id}/messages", headers=amy_h).json()["messages"]
    burn_id = next(m["id"] for m in history if m["burn"])
    assert keystore().get(burn_id) is not None  # the key exists while the countdown runs
    ben.screenshot(path=str(SHOTS / "chat-burn-open.png"), full_page=True)
    opened_at = time.monotonic()

    # 10 s later it is gone from both screens (no reload) and from every store.
    ben.get_by_test_id("burn-image").wait_for(state="detached", timeout=15_000)
    assert 9 <= time.monotonic() - opened_at <= 20  # 10 s, plus slack for a busy machine
    r = http.post(f"/api/v1/chat/messages/{burn_id}/open", headers=ben_h, json={})
    assert r.status_code == 404 and r.json()["code"] == "message_gone"
    assert keystore().get(burn_id) is None  # the key is destroyed
    amy.get_by_test_id("messages").get_by_text("Burned after reading").wait_for()
    ben.get_by_test_id("messages").get_by_text("Burned after reading").wait_for()
