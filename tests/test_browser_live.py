"""In a real browser: a viewer watches a live event whose stream was made locally (ffmpeg →
HLS, played by hls.js), sends a danmaku and a gift that another viewer sees fly across the
video; once the host ends the event, its danmaku replay in time with the recording."""

import datetime as dt
import os
import shutil

import pytest

from lifecircle.core.testing.factories import PIN
from tests.browsing import browser_env, fund
from tests.test_browser import SHOTS
from tests.test_browser_circle import api_user, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def env(tmp_path, monkeypatch, settings):
    from lifecircle.live.demo import demo_stream_make

    if shutil.which("ffmpeg") is None:
        how = "needs ffmpeg for the stream: apt-get install -y ffmpeg"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but this test {how}")
        pytest.skip(how)
    media = tmp_path / "live"
    settings.LIFECIRCLE = {**settings.LIFECIRCLE, "LIVE_MEDIA_DIR": str(media)}
    stream = demo_stream_make(seconds=40)
    with browser_env(tmp_path, monkeypatch, {"LIFECIRCLE_LIVE_MEDIA_DIR": str(media)}) as (
        browser,
        base,
        http,
        _db,
    ):
        yield browser, base, http, stream


def test_watch_send_gift_and_replay_in_time(env):
    browser, base, http, stream = env
    host_h, amy_h, ben_h = (
        api_user(http, u, n) for u, n in (("host_lv", "Host"), ("amy_lv", "Amy"), ("ben_lv", "Ben"))
    )
    fund(http, amy_h, 1000, pin=None)
    event = http.post(
        "/api/v1/live/events",
        json={
            "title": "Rooftop concert",
            "scheduled_at": dt.datetime.now(dt.UTC).isoformat(),
            "stream_url": stream,
        },
        headers=host_h,
    ).json()["id"]
    http.post(f"/api/v1/live/events/{event}/start", headers=host_h)

    amy, ben = browser_login(browser, base, "amy_lv"), browser_login(browser, base, "ben_lv")
    for page in (amy, ben):
        page.goto(f"/live/{event}/")
        page.get_by_text("LIVE", exact=True).first.wait_for()
        page.wait_for_function("document.querySelector('#player').readyState >= 2")  # the stream plays
        page.wait_for_function(
            "Number(document.querySelector('[data-testid=viewer-count]').textContent) >= 1"
        )

    amy.get_by_placeholder("Say something…").fill("你好，现场！")
    amy.get_by_label("Colour").fill("#ffd23f")
    amy.get_by_role("button", name="Send", exact=True).click()
    flying = ben.locator(".dm", has_text="你好，现场！")
    flying.wait_for()
    x1 = flying.bounding_box()["x"]
    ben.wait_for_timeout(400)
    assert flying.bounding_box()["x"] < x1  # it flies right to left across the video
    assert ben.evaluate("getComputedStyle(document.querySelector('.dm')).color") == "rgb(255, 210, 63)"
    ben.screenshot(path=str(SHOTS / "live-danmaku.png"))

    amy.get_by_role("button", name="CN¥0.10").click()
    gift = ben.locator(".dm-gift")
    gift.wait_for()
    assert "Amy" in gift.inner_text() and "0.10" in gift.inner_text()
    ben.screenshot(path=str(SHOTS / "live-gift.png"))
    assert http.get("/api/v1/wallet", headers=host_h).json()["balance_fen"] == 10

    # Past the password-free limit (Ben turned it off) the tap asks for the PIN, in place, and
    # the same gift goes through with it.
    fund(http, ben_h, 1000)
    off = {"enabled": False, "daily_limit_fen": 5000}
    assert http.put("/api/v1/wallet/micropayment-settings", json=off, headers=ben_h).status_code == 200
    pin_box = ben.get_by_test_id("gift-pin")
    assert pin_box.is_hidden()  # no PIN asked within the limits
    ben.get_by_role("button", name="CN¥0.50").click()
    ben.get_by_text("Enter your payment PIN to continue").wait_for()
    pin_box.get_by_label("Payment PIN").fill(PIN)
    pin_box.get_by_role("button", name="Send gift").click()
    amy.locator(".dm-gift", has_text="0.50").wait_for()
    pin_box.wait_for(state="hidden")
    assert http.get("/api/v1/wallet", headers=host_h).json()["balance_fen"] == 60

    # Sending too fast gets a clear message, not silence.
    for i in range(5):
        amy.get_by_placeholder("Say something…").fill(f"{i} quick")
        amy.get_by_role("button", name="Send", exact=True).click()
    amy.get_by_text("Slow down").wait_for()

    # The host mutes Amy: her page says so at once, before she tries to send again.
    amy_id = http.get("/api/v1/me", headers=amy_h).json()["id"]
    muted = http.post(
        f"/api/v1/live/events/{event}/mutes", json={"user_id": amy_id, "minutes": 10}, headers=host_h
    )
    assert muted.status_code == 204, muted.text
    amy.get_by_text("You are muted in this room until").wait_for()

    http.post(f"/api/v1/live/events/{event}/end", headers=host_h)
    replay = http.get(f"/api/v1/live/events/{event}/danmaku", headers=host_h).json()["items"]
    hello = next(i for i in replay if i["text"] == "你好，现场！")
    ben.get_by_text("Recording").wait_for()  # the open page turns into the replay by itself
    shown = ben.locator(".dm", has_text="你好，现场！")
    shown.wait_for(timeout=hello["offset_ms"] + 20_000)
    at = float(shown.get_attribute("data-shown-at"))
    assert abs(at - hello["offset_ms"] / 1000) < 1.0, (at, hello["offset_ms"])
    # Seeking back clears the screen and replays from there: the danmaku comes again, once.
    ben.evaluate("document.querySelector('#player').currentTime = 0")
    ben.wait_for_function("!document.querySelector('.dm')")
    shown.wait_for(timeout=hello["offset_ms"] + 20_000)
    assert shown.count() == 1
    ben.screenshot(path=str(SHOTS / "live-replay.png"))
