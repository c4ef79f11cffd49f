"""Friends in a group chat split a dinner, in real browsers: the organiser starts an AA
collection from the chat page, one member pays from the card in place (the card asks for the
PIN when the server says so), another asks a friend outside the group to pay on their behalf
and that friend pays with the PIN from the card in their chat; the organiser's card follows
live, the collection's page shows who paid, she closes it. Every fen is accounted for and the
server's ledger reconciles."""

import re

import pytest

from lifecircle.core.testing.factories import PIN
from tests.browsing import assert_reconciles, balance, befriend, browser_env, fund
from tests.test_browser import SHOTS
from tests.test_browser_circle import api_user, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def env(tmp_path, monkeypatch):
    with browser_env(tmp_path, monkeypatch) as e:
        yield e


def test_a_dinner_split_in_a_group_chat_with_a_friend_paying_on_behalf(env):
    browser, base, http, url = env
    h = {name: api_user(http, f"{name}_co_b", name.capitalize()) for name in ("amy", "ben", "cat", "dan")}
    befriend(http, h["amy"], "ben_co_b", h["ben"])
    befriend(http, h["amy"], "cat_co_b", h["cat"])
    befriend(http, h["cat"], "dan_co_b", h["dan"])  # Dan is Cat's friend, not in the group
    ids = {name: http.get("/api/v1/me", headers=hh).json()["id"] for name, hh in h.items()}
    for name in ("ben", "cat", "dan"):
        fund(http, h[name], 100_00)
    group = http.post(
        "/api/v1/groups",
        json={"name": "Dinner club", "member_ids": [ids["ben"], ids["cat"]]},
        headers=h["amy"],
    )
    assert group.status_code == 201, group.text
    conv = http.post(
        "/api/v1/chat/conversations/group", json={"group_id": group.json()["id"]}, headers=h["amy"]
    ).json()
    chat_url = f"/chat/c/{conv['id']}/"

    # Amy starts a ¥100 AA collection from the group chat: herself, Ben and Cat.
    amy = browser_login(browser, base, "amy_co_b")
    amy.goto(chat_url)
    amy.get_by_test_id("new-collection").click()
    amy.get_by_label("Title").fill("Hotpot dinner")
    amy.get_by_label("Split a total evenly").check()
    amy.get_by_label("Total (yuan)").fill("100")
    members = amy.get_by_test_id("members")
    for name in ("Me (my share counts as paid)", "Ben", "Cat"):
        assert members.get_by_label(name, exact=True).is_checked()
    amy.screenshot(path=str(SHOTS / "collect-new.png"), full_page=True)
    amy.get_by_role("button", name="Start collecting").click()
    amy.wait_for_url(re.compile(rf".*{re.escape(chat_url)}$"))
    card = amy.get_by_test_id("collection-card")
    card.get_by_text("Hotpot dinner").wait_for()
    assert "0 of 2 paid" in card.get_by_test_id("collection-progress").inner_text()
    assert "Your own share of CN¥33.34 counts as paid." in card.inner_text()  # she carries the odd fen
    collection_id = card.get_attribute("data-collection")
    amy.wait_for_selector("body[data-live='1']")  # Amy keeps the chat open: her card follows live

    # Ben pays from the card, in place: over the password-free limit, so the card asks for the PIN.
    ben = browser_login(browser, base, "ben_co_b")
    ben.goto(chat_url)
    card = ben.get_by_test_id("collection-card")
    card.get_by_role("button", name="Pay CN¥33.33").click()
    card.locator("[data-code=pin_required]").wait_for()
    card.get_by_label("Payment PIN").fill(PIN)
    card.get_by_role("button", name="Pay CN¥33.33").click()
    ben.get_by_test_id("my-share-paid").wait_for()
    assert ben.get_by_test_id("my-share-paid").inner_text() == "You paid CN¥33.33."
    assert ben.url == base + chat_url  # paid in place, no navigation
    ben.screenshot(path=str(SHOTS / "collect-member-paid.png"), full_page=True)
    amy.wait_for_function(
        "document.querySelector('[data-testid=collection-progress]').textContent.includes('1 of 2 paid')"
    )

    # Cat asks Dan to pay her share; the request appears in their one-to-one chat.
    cat = browser_login(browser, base, "cat_co_b")
    cat.goto(chat_url)
    cat.get_by_test_id("collection-card").get_by_role("link", name="Details").click()
    cat.get_by_role("combobox", name="Friend").select_option(str(ids["dan"]))
    cat.get_by_role("button", name="Ask", exact=True).click()
    cat.get_by_test_id("pay-request-card").wait_for()
    direct_url = cat.url.replace(base, "")
    assert direct_url.startswith("/chat/c/") and direct_url != chat_url
    assert cat.get_by_test_id("pay-request-text").inner_text() == (
        "You asked Dan to pay CN¥33.33 for “Hotpot dinner” (collected by Amy)."
    )

    # Dan pays it with his PIN, from the card in their chat.
    dan = browser_login(browser, base, "dan_co_b")
    dan.goto(direct_url)
    request_card = dan.get_by_test_id("pay-request-card")
    assert (
        request_card.get_by_test_id("pay-request-text")
        .inner_text()
        .startswith("Cat asks you to pay CN¥33.33")
    )
    request_card.get_by_label("Payment PIN").fill(PIN)
    request_card.get_by_role("button", name="Pay CN¥33.33").click()
    dan.get_by_test_id("pay-request-paid").wait_for()
    assert dan.url == base + direct_url
    dan.screenshot(path=str(SHOTS / "collect-paid-on-behalf.png"), full_page=True)
    cat.get_by_test_id("pay-request-paid").wait_for()  # Cat's chat follows live too

    # Amy's card shows everyone paid, live; her page says who paid what; she closes it.
    amy.wait_for_function(
        "document.querySelector('[data-testid=collection-progress]').textContent.includes('2 of 2 paid')"
    )
    amy.goto(f"/collect/{collection_id}/")
    shares = {
        amy.get_by_test_id("share").nth(i).get_attribute("data-member"): amy.get_by_test_id("share").nth(i)
        for i in range(3)
    }
    assert all(row.get_attribute("data-paid") == "1" for row in shares.values())
    assert "paid by Dan" in shares[str(ids["cat"])].inner_text()
    assert amy.get_by_test_id("outstanding").inner_text() == "CN¥0.00"
    assert amy.get_by_test_id("received").inner_text() == "CN¥66.66"
    amy.get_by_role("button", name="Close the collection").click()
    amy.get_by_text("Collection closed.").wait_for()
    amy.get_by_test_id("collection-closed").wait_for()
    amy.screenshot(path=str(SHOTS / "collect-organiser.png"), full_page=True)

    # Every fen accounted for: Amy received two shares, Ben and Dan paid one each, Cat nothing.
    assert [balance(http, h[n]) for n in ("amy", "ben", "cat", "dan")] == [
        2 * 3333,
        100_00 - 3333,
        100_00,
        100_00 - 3333,
    ]
    statement = http.get("/api/v1/wallet/statement", headers=h["amy"]).json()["items"]
    assert sorted(i["amount_fen"] for i in statement if i["kind"] == "collection") == [3333, 3333]
    # The server's own ledger reconciles.
    assert_reconciles(url)
