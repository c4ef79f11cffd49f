"""In a real browser: a user posts with photos to friends only; a friend sees it, likes,
comments and tips it in place; the author's notification badge updates live, without a
reload; a non-friend sees none of it."""

import io

import httpx
import pytest
from PIL import Image

from lifecircle.core.testing.factories import PASSWORD
from tests.test_browser import CHROMIUM_ARGS, SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def env(tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    from lifecircle.core.testing.servers import asgi_server, database_url_for_subprocess

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with (
        asgi_server(database_url_for_subprocess(tmp_path)) as base,
        sync_playwright() as pw,
        httpx.Client(base_url=base) as http,
    ):
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser, base, http, tmp_path
        browser.close()


def api_user(http, identifier, nickname):
    r = http.post(
        "/api/v1/auth/signup", json={"identifier": identifier, "password": PASSWORD, "nickname": nickname}
    )
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def browser_login(browser, base, identifier):
    context = browser.new_context(
        base_url=base, viewport={"width": 375, "height": 812}, is_mobile=True, locale="en-US"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/accounts/login/")
    page.get_by_label("Mobile number or username").fill(identifier)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")
    return page


def photo(path, colour):
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_post_with_photos_like_comment_tip_live_and_hidden_from_strangers(env):
    browser, base, http, tmp = env
    author_h, friend_h, _stranger_h = (
        api_user(http, u, n) for u, n in (("author_x", "Amy"), ("friend_x", "Ben"), ("stranger_x", "Cat"))
    )
    req = http.post("/api/v1/friends/requests", json={"identifier": "author_x"}, headers=friend_h).json()
    http.post(f"/api/v1/friends/requests/{req['request']['id']}/accept", headers=author_h)
    card = http.post("/api/v1/wallet/cards", json={"number": "6222020200112233446"}, headers=friend_h).json()
    http.post(
        "/api/v1/wallet/topups",
        json={"card_id": card["id"], "amount_fen": 1000},
        headers={**friend_h, "Idempotency-Key": "fund"},
    )
    http.post("/api/v1/notifications/read", json={}, headers=author_h)

    # Amy posts two photos to her friends.
    amy = browser_login(browser, base, "author_x")
    amy.goto("/circle/new/")
    amy.get_by_label("What's new?").fill("Hiking today")
    amy.get_by_label("Photos (up to 9)").set_input_files(
        [photo(tmp / "a.jpg", "green"), photo(tmp / "b.jpg", "blue")]
    )
    amy.get_by_label("Who can see it").select_option("friends")
    amy.get_by_role("button", name="Post").click()
    amy.get_by_text("Posted.").wait_for()
    assert amy.locator("[data-testid=post] .photos img").count() == 2
    amy.wait_for_function(
        "[...document.querySelectorAll('.photos img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    amy.goto("/circle/")
    amy.wait_for_selector("body[data-live='1']")  # her WebSocket is open
    assert amy.get_by_test_id("unread").is_hidden()

    # Ben sees it in his timeline and likes, comments and tips in place.
    ben = browser_login(browser, base, "friend_x")
    ben.goto("/circle/")
    post = ben.get_by_test_id("post").filter(has_text="Hiking today")
    post.get_by_role("button", name="Like").click()
    post.get_by_role("button", name="Unlike").wait_for()
    post.get_by_label("Comment").fill("Beautiful!")
    post.get_by_role("button", name="Send").click()
    post.get_by_test_id("comment").filter(has_text="Beautiful!").wait_for()
    post.get_by_role("button", name="Tip").click()
    post.get_by_test_id("my-tips").wait_for()
    tipped = post.get_by_test_id("my-tips").inner_text()
    assert tipped.startswith("You tipped ¥0.") or tipped.startswith("You tipped CN¥0.")
    ben.screenshot(path=str(SHOTS / "circle-friend.png"), full_page=True)

    # Amy's badge counts all three, live; her post shows the like, the comment and the tip total.
    amy.wait_for_function("document.querySelector('[data-testid=unread]').textContent.trim() === '3'")
    amy.locator(".toast").first.wait_for()
    amy.get_by_test_id("bell").click()
    lines = amy.get_by_test_id("notifications").inner_text()
    assert (
        "Ben liked your post." in lines
        and "Ben commented on your post." in lines
        and "Ben tipped you" in lines
    )
    amy.goto("/circle/")
    mine = amy.get_by_test_id("post").filter(has_text="Hiking today")
    assert "Ben" in mine.get_by_test_id("likes").inner_text()
    assert "1 tip" in mine.get_by_test_id("tips-total").inner_text()

    # Cat, not a friend, sees none of it.
    cat = browser_login(browser, base, "stranger_x")
    cat.goto("/circle/")
    assert cat.get_by_test_id("post").count() == 0
    post_id = http.get("/api/v1/feed", headers=author_h).json()["items"][0]["id"]
    assert cat.goto(f"/circle/p/{post_id}/").status == 404
    image_url = http.get(f"/api/v1/feed/posts/{post_id}", headers=author_h).json()["images"][0]["thumb_url"]
    assert cat.goto(image_url).status == 404  # photos are not public URLs
    assert ben.goto(image_url).status == 200
    author_id = http.get("/api/v1/me", headers=author_h).json()["id"]
    cat.goto(f"/circle/u/{author_id}/")
    cat.get_by_text("No posts you can see.").wait_for()
