"""The wallet pages: a new user tops up, transfers with the PIN and sees both in the statement,
in each of the three languages."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lifecircle.core.testing.factories import PASSWORD, PIN, make_friends, make_user
from lifecircle.wallet.tests.helpers import CARD, balance, entry_count

pytestmark = pytest.mark.django_db

LANG = {
    "en": {"html": 'lang="en"', "nav": "Wallet", "in": "+CN¥100.00", "out": "-CN¥12.50", "bal": "CN¥87.50"},
    "zh-hans": {"html": 'lang="zh-Hans"', "nav": "钱包", "in": "+¥100.00", "out": "-¥12.50", "bal": "¥87.50"},
    "zh-hant": {
        "html": 'lang="zh-Hant"',
        "nav": "錢包",
        "in": "+CN¥100.00",
        "out": "-CN¥12.50",
        "bal": "CN¥87.50",
    },
}


def form_key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)


@pytest.mark.parametrize("lang", LANG)
def test_a_new_user_tops_up_transfers_with_the_pin_and_sees_both_in_the_statement(lang):
    friend = make_user(mobile="13700137000")  # paid by mobile number: not (yet) a friend
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    r = c.post("/accounts/signup/", {"identifier": "13900139000", "password": PASSWORD, "nickname": "New"})
    assert r.status_code == 302
    assert c.post("/accounts/pin/", {"pin": PIN, "pin_confirm": PIN}).status_code == 302

    home = c.get("/wallet/")
    assert home.status_code == 200
    html = home.content.decode()
    assert LANG[lang]["html"] in html and LANG[lang]["nav"] in html
    assert 'name="viewport"' in html and 'href="/wallet/"' in html

    assert c.post("/wallet/cards/", {"action": "add", "number": CARD}).status_code == 302
    page = c.get("/wallet/top-up/").content.decode()
    assert "**** **** **** 3446" in page
    card_id = re.search(r'<option value="(\d+)"', page).group(1)
    r = c.post("/wallet/top-up/", {"card_id": card_id, "amount": "100", "idempotency_key": form_key(page)})
    assert r.status_code == 302 and "/wallet/entries/" in r["Location"]
    receipt = c.get(r["Location"]).content.decode()
    assert LANG[lang]["in"] in receipt

    page = c.get("/wallet/transfer/").content.decode()
    r = c.post(
        "/wallet/transfer/",
        {
            "recipient": "13700137000",
            "amount": "12.5",
            "note": "dumplings",
            "pin": PIN,
            "idempotency_key": form_key(page),
        },
    )
    assert r.status_code == 302
    assert balance(friend) == 12_50

    statement = c.get("/wallet/statement/").content.decode()
    assert LANG[lang]["in"] in statement and LANG[lang]["out"] in statement and "dumplings" in statement
    assert LANG[lang]["bal"] in c.get("/wallet/").content.decode()


def test_a_resubmitted_transfer_form_pays_once():
    alice = make_user("alice_web", pin=PIN)
    bob = make_user("bob_web")
    make_friends(alice, bob)
    from lifecircle.wallet.tests.helpers import fund

    fund(alice, 10_00)
    c = Client()
    c.force_login(alice)
    key = form_key(c.get("/wallet/transfer/").content.decode())
    body = {"recipient": "bob_web", "amount": "1.00", "pin": PIN, "idempotency_key": key}
    first = c.post("/wallet/transfer/", body)
    second = c.post("/wallet/transfer/", body)
    assert first["Location"] == second["Location"]
    assert balance(bob) == 1_00


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("0", "amount_not_positive"),
        ("-3", "amount_not_positive"),
        ("1.234", "amount_invalid"),
        ("abc", "amount_invalid"),
        ("99999999999999", "amount_invalid"),
        ("20", "insufficient_funds"),
    ],
)
def test_bad_transfer_form_input_is_shown_on_the_form_and_moves_nothing(amount, code):
    alice = make_user("alice_web", pin=PIN)
    make_friends(alice, make_user("bob_web"))
    from lifecircle.wallet.tests.helpers import fund

    fund(alice, 10_00)
    c = Client()
    c.force_login(alice)
    before = entry_count()
    r = c.post(
        "/wallet/transfer/", {"recipient": "bob_web", "amount": amount, "pin": PIN, "idempotency_key": "x1"}
    )
    assert r.status_code == 400
    assert f'data-error-code="{code}"' in r.content.decode()
    assert entry_count() == before


def test_someone_elses_receipt_is_404():
    alice, bob = make_user("alice_web", pin=PIN), make_user("bob_web")
    make_friends(alice, bob)
    from lifecircle.wallet.tests.helpers import fund

    entry = fund(bob, 1_00)
    c = Client()
    c.force_login(alice)
    assert c.get(f"/wallet/entries/{entry.pk}/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/wallet/",
        "/wallet/top-up/",
        "/wallet/withdraw/",
        "/wallet/transfer/",
        "/wallet/cards/",
        "/wallet/statement/",
        "/wallet/password-free/",
    ],
)
def test_every_wallet_page_renders_and_needs_sign_in(path):
    assert Client().get(path).status_code == 302
    c = Client()
    c.force_login(make_user("page_user", pin=PIN))
    r = c.get(path)
    assert r.status_code == 200
    assert '<nav class="tabbar"' in r.content.decode()


def test_micropayment_settings_page_lowers_the_limit():
    user = make_user("page_user", pin=PIN)
    c = Client()
    c.force_login(user)
    r = c.post("/wallet/password-free/", {"enabled": "on", "daily_limit": "20"})
    assert r.status_code == 302
    from lifecircle.wallet.services import micropayment_limits

    assert micropayment_limits(user=user) == (True, 20_00)
    r = c.post("/wallet/password-free/", {"enabled": "on", "daily_limit": "30"})
    assert r.status_code == 403 and 'data-error-code="pin_required"' in r.content.decode()
