"""Two new people in a real browser find each other by number, become friends, see each
other's real names, put each other in a group, and one blocks the other."""

import pytest

from lifecircle.core.testing.factories import resident_id
from tests.test_browser import CHROMIUM_ARGS, SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_and_base(tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    from lifecircle.core.testing.servers import asgi_server, database_url_for_subprocess

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with asgi_server(database_url_for_subprocess(tmp_path)) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser, base
        browser.close()


def new_person(browser, base, mobile, nickname, legal_name, seq):
    context = browser.new_context(
        base_url=base, viewport={"width": 375, "height": 812}, is_mobile=True, locale="en-US"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/accounts/signup/")
    page.get_by_label("Mobile number or username").fill(mobile)
    page.get_by_label("Nickname").fill(nickname)
    page.get_by_label("Password").fill("a-long-browser-password-7")
    page.get_by_role("button", name="Sign up").click()
    page.get_by_text("Welcome to LifeCircle!").wait_for()
    page.goto("/accounts/identity/")
    page.get_by_label("Legal name").fill(legal_name)
    page.get_by_label("Resident ID number").fill(resident_id(seq=seq))
    page.get_by_role("button", name="Verify").click()
    page.get_by_text("Your real name is verified.").wait_for()
    return page


def test_two_people_become_friends_group_up_and_one_blocks(browser_and_base):
    browser, base = browser_and_base
    lily = new_person(browser, base, "13900001111", "Lily", "李小明", 401)
    bob = new_person(browser, base, "13900002222", "Bob", "王大卫", 402)

    # Lily finds Bob by his number: she sees his masked real name and sends a request.
    lily.goto("/friends/")
    lily.get_by_placeholder("Find by mobile number or username").fill("139 0000 2222")
    lily.get_by_role("button", name="Find").click()
    found = lily.get_by_test_id("found")
    found.get_by_text("**卫").wait_for()
    lily.get_by_label("Message").fill("Hi Bob, it's Lily")
    lily.get_by_role("button", name="Add friend").click()
    lily.get_by_text("Friend request sent.").wait_for()

    # Bob sees the request and accepts it.
    bob.goto("/friends/")
    assert bob.get_by_test_id("pending-count").inner_text() == "1"
    bob.get_by_role("link", name="Friend requests").click()
    bob.get_by_text("Hi Bob, it's Lily").wait_for()
    bob.get_by_role("button", name="Accept").click()
    bob.get_by_text("You are now friends.").wait_for()

    # Friends see each other's full real names.
    bob.goto("/friends/")
    bob.get_by_test_id("friend-list").get_by_text("李小明").wait_for()
    lily.goto("/friends/")
    lily.get_by_test_id("friend-list").get_by_text("王大卫").wait_for()

    # Lily puts Bob in a group; Bob sees it with Lily as owner.
    lily.goto("/friends/groups/")
    lily.get_by_label("Group name").fill("Weekend hikes")
    lily.get_by_label("Bob").check()
    lily.get_by_role("button", name="Create group").click()
    lily.get_by_text("Group created.").wait_for()
    bob.goto("/friends/groups/")
    bob.get_by_role("link", name="Weekend hikes").click()
    members = bob.get_by_test_id("members")
    members.get_by_text("李小明").wait_for()
    assert members.get_by_text("Owner").is_visible()
    assert bob.evaluate("document.documentElement.scrollWidth") <= 375
    bob.screenshot(path=str(SHOTS / "group-en.png"), full_page=True)

    # Bob blocks Lily: they are no longer friends and Lily can no longer find Bob.
    bob.goto("/friends/")
    bob.get_by_test_id("friend-list").get_by_text("李小明").click()
    bob.get_by_role("button", name="Block").click()
    bob.get_by_text("Blocked.").wait_for()
    assert bob.get_by_test_id("friend-list").get_by_text("李小明").count() == 0
    lily.goto("/friends/find/?q=13900002222")
    lily.get_by_text("No one can be found with this mobile number or username.").wait_for()
    lily.goto("/friends/")
    assert lily.get_by_test_id("friend-list").get_by_text("王大卫").count() == 0
