"""Two real-name-verified friends in two real browsers: the borrower writes an IOU from their
chat, the lender confirms it in the chat card with the PIN (the money moves), a month later
the borrower repays part and then the rest with interest, and the printable IOU shows both
legal names. Afterwards the server's ledger reconciles and every fen is accounted for."""

import datetime as dt

import pytest

from lifecircle.core.testing.factories import PIN, resident_id
from tests.browsing import browser_env, manage
from tests.test_browser import SHOTS
from tests.test_browser_circle import api_user, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def env(tmp_path, monkeypatch):
    with browser_env(tmp_path, monkeypatch) as e:
        yield e


def verified_user(http, username, nickname, legal_name, seq):
    headers = api_user(http, username, nickname)
    r = http.post(
        "/api/v1/me/identity",
        json={"legal_name": legal_name, "id_number": resident_id(seq=seq)},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    assert http.put("/api/v1/me/pin", json={"pin": PIN}, headers=headers).status_code == 204
    card = http.post("/api/v1/wallet/cards", json={"number": "6222020200112233446"}, headers=headers).json()
    return headers, card["id"]


def balance(http, headers) -> int:
    return http.get("/api/v1/wallet", headers=headers).json()["balance_fen"]


def test_write_confirm_repay_and_print_an_iou_in_the_chat(env):
    browser, base, http, db_url = env
    amy_h, amy_card = verified_user(http, "amy_iou", "Amy", "艾米丽", 901)
    ben_h, ben_card = verified_user(http, "ben_iou", "Ben", "本杰明", 902)
    req = http.post("/api/v1/friends/requests", json={"identifier": "ben_iou"}, headers=amy_h).json()
    http.post(f"/api/v1/friends/requests/{req['request']['id']}/accept", headers=ben_h)
    for headers, card, fen in ((amy_h, amy_card, 5_000_00), (ben_h, ben_card, 10_00)):
        r = http.post(
            "/api/v1/wallet/topups",
            json={"card_id": card, "amount_fen": fen},
            headers={**headers, "Idempotency-Key": f"top-{card}"},
        )
        assert r.status_code == 201, r.text
    amy_id = http.get("/api/v1/me", headers=amy_h).json()["id"]

    # Ben (the borrower) writes the IOU from the chat.
    ben = browser_login(browser, base, "ben_iou")
    ben.goto(f"/friends/u/{amy_id}/")
    ben.get_by_role("button", name="Message").click()
    ben.wait_for_selector("[data-testid=compose]")
    conv_url = ben.url
    ben.get_by_test_id("new-iou").click()
    ben.wait_for_selector("[data-testid=iou-new]")
    ben.get_by_label("Borrower (the money moves when they confirm)").check()
    ben.get_by_label("Amount (yuan)").fill("1200")
    ben.get_by_label("Purpose").fill("Laptop for school")
    ben.get_by_label("Annual interest rate (percent)").fill("3.65")
    due = dt.date.today() + dt.timedelta(days=60)
    ben.get_by_label("Due date", exact=True).fill(due.isoformat())
    ben.get_by_label("Payment PIN").fill(PIN)
    ben.screenshot(path=str(SHOTS / "iou-new.png"), full_page=True)
    ben.get_by_role("button", name="Sign and send").click()
    ben.wait_for_url(conv_url)
    ben_card = ben.get_by_test_id("iou-card")
    ben_card.wait_for()
    assert ben_card.get_attribute("data-status") == "proposed"
    assert balance(http, amy_h) == 5_000_00 and balance(http, ben_h) == 10_00  # nothing moved yet
    ben.wait_for_selector("body[data-live='1']")

    # Amy (the lender) confirms in the card with her PIN: the money moves.
    amy = browser_login(browser, base, "amy_iou")
    amy.goto(conv_url.replace(base, ""))
    amy_card = amy.get_by_test_id("iou-card")
    amy_card.wait_for()
    assert "1,200.00" in amy_card.get_by_test_id("iou-amount").inner_text()
    amy_card.get_by_label("Payment PIN").fill(PIN)
    amy.screenshot(path=str(SHOTS / "iou-confirm.png"), full_page=True)
    amy_card.get_by_role("button", name="Confirm and lend CN¥1,200.00").click()
    amy.wait_for_selector("[data-testid=iou-card][data-status=active]")
    # Ben's open chat updates live, without a reload.
    ben.wait_for_selector("[data-testid=iou-card][data-status=active]", timeout=15_000)
    assert balance(http, amy_h) == 5_000_00 - 1_200_00
    assert balance(http, ben_h) == 10_00 + 1_200_00
    iou_id = int(ben.get_by_test_id("iou-card").get_attribute("data-iou"))

    # A month passes: move the IOU's dates 30 days back in the server's database.
    shifted = manage(
        db_url,
        "shell",
        "-c",
        "import datetime as dt; from lifecircle.ious.models import Iou; d = dt.timedelta(days=30); "
        f"i = Iou.objects.get(pk={iou_id}); "
        "Iou.objects.filter(pk=i.pk).update(lent_on=i.lent_on - d, due_on=i.due_on - d, "
        "interest_from=i.interest_from - d, confirmed_at=i.confirmed_at - d, created_at=i.created_at - d)",
    )
    assert shifted.returncode == 0, shifted.stderr
    ben.reload()
    card = ben.get_by_test_id("iou-card")
    # 30 days at 3.65 % on ¥1,200: ¥1,200 × 0.0365 × 30 / 365 = ¥3.60.
    assert "CN¥1,203.60" in card.get_by_test_id("iou-owed").inner_text()

    # Ben repays ¥500 (interest first), then the rest.
    card.get_by_label("Amount (yuan)").fill("500")
    card.get_by_label("Payment PIN").fill(PIN)
    card.get_by_role("button", name="Repay").click()
    ben.get_by_test_id("iou-done").wait_for()
    card = ben.get_by_test_id("iou-card")
    assert "CN¥703.60" in card.get_by_test_id("iou-owed").inner_text()
    assert card.get_by_label("Amount (yuan)").input_value() == "703.60"  # the rest, prefilled
    card.get_by_label("Payment PIN").fill(PIN)
    card.get_by_role("button", name="Repay").click()
    ben.wait_for_selector("[data-testid=iou-card][data-status=repaid]")
    ben.screenshot(path=str(SHOTS / "iou-chat-repaid.png"), full_page=True)

    detail = http.get(f"/api/v1/ious/{iou_id}", headers=ben_h).json()
    assert detail["status"] == "repaid"
    assert [(r["interest_fen"], r["principal_fen"]) for r in detail["repayments"]] == [
        (360, 49_640),
        (0, 70_360),
    ]
    assert (detail["principal_repaid_fen"], detail["interest_paid_fen"]) == (1_200_00, 360)

    # The printable IOU: both full legal names, the amount in capitals, the history.
    for page in (ben, amy):
        page.goto(f"/ious/{iou_id}/print/")
        assert page.get_by_test_id("lender-name").inner_text() == "艾米丽"
        assert page.get_by_test_id("borrower-name").inner_text() == "本杰明"
        assert page.get_by_test_id("amount-capitals").inner_text() == "壹仟贰佰元整"
        assert page.get_by_test_id("iou-repayment").count() == 2
    ben.emulate_media(media="print")
    assert not ben.locator(".tabbar").is_visible() and not ben.locator(".topbar").is_visible()
    ben.screenshot(path=str(SHOTS / "iou-print.png"), full_page=True)

    # Every fen: Amy lent ¥1,200 and got back ¥1,203.60; Ben paid ¥3.60 of interest.
    assert balance(http, amy_h) == 5_000_00 + 360
    assert balance(http, ben_h) == 10_00 - 360
    rec = manage(db_url, "reconcile")
    assert rec.returncode == 0, rec.stdout + rec.stderr
    assert "ledger reconciles" in rec.stdout
