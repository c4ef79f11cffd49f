"""Three friends in a group chat, in real browsers: one sends a lucky red packet from the chat
page (with the PIN), the two others open it from the card in place and see their amount, the
packet's page shows who got how much, the amounts sum to the packet and the server's ledger
reconciles."""

import re
import uuid

import pytest

from lifecircle.core.testing.factories import PIN
from tests.browsing import assert_reconciles, befriend, browser_env
from tests.test_browser import SHOTS
from tests.test_browser_circle import api_user, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def env(tmp_path, monkeypatch):
    with browser_env(tmp_path, monkeypatch) as e:
        yield e


def yuan_to_fen(text: str) -> int:
    whole, frac = re.search(r"(\d+)\.(\d\d)", text.replace(",", "")).groups()
    return int(whole) * 100 + int(frac)


def test_a_lucky_red_packet_in_a_group_chat(env):
    browser, base, http, url = env
    amy_h = api_user(http, "amy_rp_b", "Amy")
    ben_h = api_user(http, "ben_rp_b", "Ben")
    cat_h = api_user(http, "cat_rp_b", "Cat")
    befriend(http, amy_h, "ben_rp_b", ben_h)
    befriend(http, amy_h, "cat_rp_b", cat_h)
    ids = {
        name: http.get("/api/v1/me", headers=h).json()["id"] for name, h in (("ben", ben_h), ("cat", cat_h))
    }
    group = http.post(
        "/api/v1/groups", json={"name": "Lunch club", "member_ids": list(ids.values())}, headers=amy_h
    )
    assert group.status_code == 201, group.text
    conv = http.post(
        "/api/v1/chat/conversations/group", json={"group_id": group.json()["id"]}, headers=amy_h
    ).json()
    assert http.put("/api/v1/me/pin", json={"pin": PIN}, headers=amy_h).status_code == 204
    card = http.post("/api/v1/wallet/cards", json={"number": "6222020200112233446"}, headers=amy_h).json()
    topup = http.post(
        "/api/v1/wallet/topups",
        json={"card_id": card["id"], "amount_fen": 100_00},
        headers={**amy_h, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert topup.status_code == 201, topup.text

    # Amy sends a lucky packet of ¥8.88 in 2 shares from the chat page.
    amy = browser_login(browser, base, "amy_rp_b")
    amy.goto(f"/chat/c/{conv['id']}/")
    amy.get_by_test_id("new-red-packet").click()
    amy.get_by_label("Lucky draw").check()
    amy.get_by_label("Number of shares").fill("2")
    amy.get_by_label("Total amount (yuan)").fill("8.88")
    amy.get_by_label("Greeting (optional)").fill("Lunch is on me")
    amy.get_by_label("Payment PIN").fill(PIN)
    amy.get_by_role("button", name="Send red packet").click()
    amy.wait_for_url(re.compile(rf".*/chat/c/{conv['id']}/$"))
    amy.get_by_test_id("red-packet").get_by_text("Lunch is on me").wait_for()
    packet_id = amy.get_by_test_id("red-packet").get_attribute("data-packet")
    amy.wait_for_selector("body[data-live='1']")  # Amy keeps the chat open: her card updates live

    # Ben and Cat open it from the card, in place, and see what they got.
    got = {}
    for name in ("ben", "cat"):
        page = browser_login(browser, base, f"{name}_rp_b")
        page.goto(f"/chat/c/{conv['id']}/")
        card = page.get_by_test_id("red-packet")
        card.get_by_text("Lunch is on me").wait_for()
        url_before = page.url
        card.get_by_test_id("red-packet-open").click()
        amount = page.get_by_test_id("red-packet-amount")
        amount.wait_for()
        assert page.url == url_before  # opened in place, no navigation
        got[name] = yuan_to_fen(amount.inner_text())
        assert got[name] >= 1
        page.screenshot(path=str(SHOTS / f"redpacket-{name}.png"), full_page=True)
    assert got["ben"] + got["cat"] == 8_88
    amy.get_by_test_id("red-packet-empty").wait_for()  # "All taken" on Amy's card, no reload
    assert amy.url.endswith(f"/chat/c/{conv['id']}/")

    # The list: who got how much, "Best luck" on the larger share now that all are taken.
    amy.goto(f"/redpackets/{packet_id}/")
    rows = amy.get_by_test_id("red-packet-grab")
    assert rows.count() == 2
    listed = {rows.nth(i).get_attribute("data-amount") for i in range(2)}
    assert listed == {str(got["ben"]), str(got["cat"])}
    assert "Ben" in rows.nth(0).inner_text() and "Cat" in rows.nth(1).inner_text()
    assert amy.get_by_test_id("best-luck").count() == 1
    amy.screenshot(path=str(SHOTS / "redpacket-list.png"), full_page=True)

    balances = [http.get("/api/v1/wallet", headers=h).json()["balance_fen"] for h in (amy_h, ben_h, cat_h)]
    assert balances == [100_00 - 8_88, got["ben"], got["cat"]]
    # The server's own ledger reconciles.
    assert_reconciles(url)
