"""The wallet API as a client sees it: status codes, error codes, and that nothing moves on
bad input."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lifecircle.core.testing.factories import PIN, make_friends, make_user
from lifecircle.wallet.models import IdempotencyKey, JournalEntry
from lifecircle.wallet.tests.helpers import CARD, balance, entry_count, fund, key

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    user = make_user("alice_pay", mobile=None, pin=PIN, verified=True)
    fund(user, 100_00)
    return user


@pytest.fixture
def bob(alice):
    """Alice's friend, so she may pay him by username as well as by mobile number."""
    user = make_user(mobile="13800138000", pin=PIN)
    make_friends(alice, user)
    return user


def post(client, path, body, idem: str | None = "auto", **extra):
    if idem == "auto":
        idem = key("api")
    if idem is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = idem
    return client.post(f"/api/v1/wallet{path}", body, **extra)


def test_balance_is_shown_in_fen_and_formatted_for_the_users_language(api_client, alice):
    r = api_client.as_user(alice).get("/api/v1/wallet")
    assert r.status_code == 200
    assert r.json() == {"balance_fen": 100_00, "balance_display": "CN¥100.00", "currency": "CNY"}
    zh = make_user("zh_user", language="zh-hans")
    fund(zh, 12_345_67)
    assert api_client.as_user(zh).get("/api/v1/wallet").json()["balance_display"] == "¥12,345.67"


def test_card_is_luhn_checked_and_only_shown_masked(api_client, alice):
    client = api_client.as_user(alice)
    bad = client.post("/api/v1/wallet/cards", {"number": "6222020200112233445"})
    assert (bad.status_code, bad.json()["code"]) == (400, "card_number_invalid")
    ok = client.post("/api/v1/wallet/cards", {"number": "6222 0202 0011 2233 446", "holder_name": "张明"})
    assert ok.status_code == 201
    assert ok.json()["masked_number"] == "**** **** **** 3446"
    assert "6222020200112233446" not in client.get("/api/v1/wallet/cards").content.decode()
    again = client.post("/api/v1/wallet/cards", {"number": CARD})
    assert (again.status_code, again.json()["code"]) == (409, "card_already_linked")


def test_top_up_then_transfer_by_mobile_then_both_in_the_statement(api_client, bob):
    carol = make_user("carol_new", pin=PIN)
    client = api_client.as_user(carol)
    card = client.post("/api/v1/wallet/cards", {"number": CARD}).json()
    top = post(client, "/topups", {"card_id": card["id"], "amount_fen": 50_00})
    assert top.status_code == 201 and top.json()["amount_fen"] == 50_00 and top.json()["kind"] == "topup"

    sent = post(
        client, "/transfers", {"recipient": "13800138000", "amount_fen": 12_34, "pin": PIN, "note": "lunch"}
    )
    assert sent.status_code == 201, sent.json()
    assert sent.json()["amount_fen"] == -12_34 and sent.json()["note"] == "lunch"
    assert (balance(carol), balance(bob)) == (37_66, 12_34)

    items = client.get("/api/v1/wallet/statement").json()["items"]
    assert [(i["kind"], i["amount_fen"]) for i in items] == [("transfer", -12_34), ("topup", 50_00)]
    assert items[1]["card"] == "**** **** **** 3446"


@pytest.mark.parametrize(
    ("amount", "status", "code"),
    [
        (0, 400, "amount_not_positive"),
        (-5, 400, "amount_not_positive"),
        (1.5, 422, "invalid_input"),
        (10.0, 422, "invalid_input"),
        ("10", 422, "invalid_input"),
        (True, 422, "invalid_input"),
        (10**30, 400, "amount_too_large"),
        (2**63, 400, "amount_too_large"),
        (100_00 + 1, 400, "insufficient_funds"),
    ],
)
def test_bad_amounts_get_a_clear_4xx_and_nothing_moves(api_client, alice, bob, amount, status, code):
    before = entry_count()
    r = post(
        api_client.as_user(alice), "/transfers", {"recipient": bob.username, "amount_fen": amount, "pin": PIN}
    )
    assert (r.status_code, r.json()["code"]) == (status, code)
    assert r.json()["message"]
    assert entry_count() == before and balance(alice) == 100_00


@pytest.mark.parametrize(
    ("recipient", "code"),
    [("nobody_here", "recipient_not_found"), ("alice_pay", "self_transfer"), ("", "recipient_not_found")],
)
def test_unknown_recipient_and_self_transfer_are_refused(api_client, alice, recipient, code):
    before = entry_count()
    r = post(api_client.as_user(alice), "/transfers", {"recipient": recipient, "amount_fen": 1, "pin": PIN})
    assert (r.status_code, r.json()["code"]) == (400, code)
    assert entry_count() == before


def test_missing_idempotency_key_is_refused(api_client, alice, bob):
    r = post(
        api_client.as_user(alice),
        "/transfers",
        {"recipient": bob.username, "amount_fen": 1, "pin": PIN},
        idem=None,
    )
    assert (r.status_code, r.json()["code"]) == (400, "idempotency_key_required")
    assert balance(bob) == 0


def test_wrong_pin_then_locked_pin_move_nothing(api_client, alice, bob, settings):
    client = api_client.as_user(alice)
    body = {"recipient": bob.username, "amount_fen": 1_00, "pin": "000000"}
    r = post(client, "/transfers", body)
    assert (r.status_code, r.json()["code"]) == (400, "pin_incorrect")
    for _ in range(settings.LIFECIRCLE["PIN_MAX_FAILURES"] - 1):
        r = post(client, "/transfers", body)
    assert (r.status_code, r.json()["code"]) == (403, "pin_locked")
    r = post(client, "/transfers", {**body, "pin": PIN})
    assert (r.status_code, r.json()["code"]) == (403, "pin_locked")
    assert (balance(alice), balance(bob)) == (100_00, 0)


def test_a_wrong_pin_releases_the_key_so_the_retry_with_the_right_pin_goes_through(api_client, alice, bob):
    client = api_client.as_user(alice)
    body = {"recipient": bob.username, "amount_fen": 5_00}
    assert post(client, "/transfers", {**body, "pin": "000000"}, idem="retry-1").status_code == 400
    assert post(client, "/transfers", {**body, "pin": PIN}, idem="retry-1").status_code == 201
    assert balance(bob) == 5_00


def test_the_same_key_returns_the_first_result_1000_times_and_moves_money_once(api_client, alice, bob):
    client = api_client.as_user(alice)
    body = {"recipient": bob.username, "amount_fen": 3_00, "pin": PIN, "note": "once"}
    first = post(client, "/transfers", body, idem="pay-once")
    assert first.status_code == 201
    for _ in range(999):
        again = post(client, "/transfers", body, idem="pay-once")
        assert again.status_code == 201
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
    assert JournalEntry.objects.filter(kind="transfer").count() == 1
    assert (balance(alice), balance(bob)) == (97_00, 3_00)


def test_the_same_key_with_different_parameters_is_422(api_client, alice, bob):
    client = api_client.as_user(alice)
    assert (
        post(
            client, "/transfers", {"recipient": bob.username, "amount_fen": 1_00, "pin": PIN}, idem="k1"
        ).status_code
        == 201
    )
    r = post(client, "/transfers", {"recipient": bob.username, "amount_fen": 2_00, "pin": PIN}, idem="k1")
    assert (r.status_code, r.json()["code"]) == (422, "idempotency_key_reused")
    assert balance(bob) == 1_00


def test_keys_are_scoped_to_user_and_operation(api_client, alice, bob):
    fund(bob, 10_00)
    assert (
        post(
            api_client.as_user(alice),
            "/transfers",
            {"recipient": bob.username, "amount_fen": 1_00, "pin": PIN},
            idem="shared",
        ).status_code
        == 201
    )
    other = api_client.__class__().as_user(bob)
    assert (
        post(
            other, "/transfers", {"recipient": alice.username, "amount_fen": 2_00, "pin": PIN}, idem="shared"
        ).status_code
        == 201
    )
    assert (balance(alice), balance(bob)) == (101_00, 9_00)


def test_a_second_request_while_the_first_is_in_flight_is_409(api_client, alice, bob):
    now = timezone.now()
    IdempotencyKey.objects.create(
        user=alice, operation="transfer", key="busy", fingerprint="x", created_at=now, updated_at=now
    )
    r = post(
        api_client.as_user(alice),
        "/transfers",
        {"recipient": bob.username, "amount_fen": 1, "pin": PIN},
        idem="busy",
    )
    # different fingerprint is checked first: a pending row with the same parameters is in flight
    assert r.status_code in (409, 422)
    from lifecircle.wallet.services.idempotency import fingerprint

    IdempotencyKey.objects.filter(key="busy").delete()
    IdempotencyKey.objects.create(
        user=alice,
        operation="transfer",
        key="busy",
        created_at=now,
        updated_at=now,
        fingerprint=fingerprint({"recipient_id": bob.pk, "amount_fen": 1, "note": ""}),
    )
    r = post(
        api_client.as_user(alice),
        "/transfers",
        {"recipient": bob.username, "amount_fen": 1, "pin": PIN},
        idem="busy",
    )
    assert (r.status_code, r.json()["code"]) == (409, "idempotency_in_flight")
    assert balance(bob) == 0


def test_keys_are_kept_for_at_least_24_hours(api_client, alice, bob, settings):
    assert settings.LIFECIRCLE["WALLET_IDEMPOTENCY_TTL_SECONDS"] >= 24 * 3600
    client = api_client.as_user(alice)
    body = {"recipient": bob.username, "amount_fen": 1_00, "pin": PIN}
    first = post(client, "/transfers", body, idem="day-old")
    IdempotencyKey.objects.filter(key="day-old").update(
        created_at=timezone.now() - timezone.timedelta(hours=25)
    )
    again = post(client, "/transfers", body, idem="day-old")
    assert again.json()["id"] == first.json()["id"]
    assert balance(bob) == 1_00


def test_withdrawal_needs_the_pin(api_client, alice):
    client = api_client.as_user(alice)
    card = client.post("/api/v1/wallet/cards", {"number": CARD}).json()
    r = post(client, "/withdrawals", {"card_id": card["id"], "amount_fen": 10_00, "pin": "111111"})
    assert (r.status_code, r.json()["code"]) == (400, "pin_incorrect")
    r = post(client, "/withdrawals", {"card_id": card["id"], "amount_fen": 10_00, "pin": PIN})
    assert r.status_code == 201 and r.json()["amount_fen"] == -10_00
    assert balance(alice) == 90_00
    r = post(client, "/withdrawals", {"card_id": card["id"], "amount_fen": 91_00, "pin": PIN})
    assert (r.status_code, r.json()["code"]) == (400, "insufficient_funds")


def test_someone_elses_card_and_receipt_are_404(api_client, alice, bob):
    fund(bob, 1_00)
    bob_client = api_client.__class__().as_user(bob)
    bob_card = bob_client.post("/api/v1/wallet/cards", {"number": CARD}).json()
    bob_entry = bob_client.get("/api/v1/wallet/statement").json()["items"][0]["id"]
    client = api_client.as_user(alice)
    r = post(client, "/topups", {"card_id": bob_card["id"], "amount_fen": 1_00})
    assert (r.status_code, r.json()["code"]) == (404, "card_not_found")
    r = client.get(f"/api/v1/wallet/entries/{bob_entry}")
    assert (r.status_code, r.json()["code"]) == (404, "entry_not_found")
    assert bob_client.get(f"/api/v1/wallet/entries/{bob_entry}").status_code == 200


def test_statement_pages_with_a_cursor_and_filters_by_kind_and_date(api_client, alice, bob):
    client = api_client.as_user(alice)
    for i in range(5):
        assert (
            post(
                client, "/transfers", {"recipient": bob.username, "amount_fen": 100 + i, "pin": PIN}
            ).status_code
            == 201
        )
    page1 = client.get("/api/v1/wallet/statement?limit=4").json()
    assert [i["amount_fen"] for i in page1["items"]] == [-104, -103, -102, -101]
    page2 = client.get(f"/api/v1/wallet/statement?limit=4&cursor={page1['next_cursor']}").json()
    assert [i["amount_fen"] for i in page2["items"]] == [-100, 100_00] and page2["next_cursor"] is None
    topups = client.get("/api/v1/wallet/statement?kind=topup").json()["items"]
    assert [i["kind"] for i in topups] == ["topup"]
    today = timezone.localdate().isoformat()
    assert len(client.get(f"/api/v1/wallet/statement?date_from={today}&date_to={today}").json()["items"]) == 6
    assert client.get("/api/v1/wallet/statement?date_to=2000-01-01").json()["items"] == []
    r = client.get("/api/v1/wallet/statement?kind=bogus")
    assert (r.status_code, r.json()["code"]) == (400, "kind_invalid")
    r = client.get("/api/v1/wallet/statement?cursor=abc")
    assert (r.status_code, r.json()["code"]) == (400, "cursor_invalid")


def test_wallet_api_needs_authentication(client):
    assert client.get("/api/v1/wallet").status_code == 401
    assert client.post("/api/v1/wallet/transfers", {}, content_type="application/json").status_code == 401


def test_unknown_fields_are_refused(api_client, alice, bob):
    r = post(
        api_client.as_user(alice),
        "/transfers",
        {"recipient": bob.username, "amount_fen": 1, "pin": PIN, "amount": 999},
    )
    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")
