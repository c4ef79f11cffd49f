"""Hostile input never gets a 500: out-of-range ids, bad cursors, bad dates, over-long fields."""

from __future__ import annotations

import pytest

from lifecircle.core.testing.factories import PIN, make_friends, make_user
from lifecircle.wallet.tests.helpers import balance, fund

pytestmark = pytest.mark.django_db

HUGE = 10**30


@pytest.fixture
def client_user(api_client):
    user = make_user("edge_user", pin=PIN)
    fund(user, 1_00)
    return api_client.as_user(user), user


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/topups", {"card_id": HUGE, "amount_fen": 1}, 404, "card_not_found"),
        ("/topups", {"card_id": 2**63, "amount_fen": 1}, 404, "card_not_found"),
        ("/withdrawals", {"card_id": -1, "amount_fen": 1, "pin": PIN}, 404, "card_not_found"),
        ("/transfers", {"recipient": "x" * 41, "amount_fen": 1, "pin": PIN}, 422, "invalid_input"),
        ("/transfers", {"recipient": "13800000000", "amount_fen": 1, "pin": "1" * 7}, 422, "invalid_input"),
        ("/transfers", {"recipient": "13800000000", "amount_fen": 1, "pin": PIN}, 400, "recipient_not_found"),
        ("/micropayments", {"payee": "nobody_at_all", "amount_fen": 1}, 400, "recipient_not_found"),
        ("/micropayments", {"payee": "edge_user", "amount_fen": 1}, 400, "self_transfer"),
        ("/cards", {"number": "not a number"}, 400, "card_number_invalid"),
    ],
)
def test_bad_posts_are_4xx_with_a_code(client_user, path, body, status, code):
    client, user = client_user
    r = client.post(f"/api/v1/wallet{path}", body, HTTP_IDEMPOTENCY_KEY="edge")
    assert (r.status_code, r.json()["code"]) == (status, code)
    assert balance(user) == 1_00


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/api/v1/wallet/entries/{HUGE}", 404),
        ("/api/v1/wallet/entries/9223372036854775808", 404),
        (f"/api/v1/wallet/statement?cursor={HUGE}", 400),
        ("/api/v1/wallet/statement?limit=-5", 200),
        (f"/api/v1/wallet/statement?limit={HUGE}", 422),
        ("/api/v1/wallet/statement?date_from=2020-13-01", 422),
    ],
)
def test_bad_reads_are_answered_without_a_500(client_user, path, status):
    client, _user = client_user
    r = client.get(path)
    assert r.status_code in (status, 200 if status == 422 else status)  # a huge limit may be clamped
    assert r["Content-Type"].startswith("application/json")


def test_an_over_long_idempotency_key_is_refused(client_user):
    client, user = client_user
    make_friends(user, make_user("other_user"))
    r = client.post(
        "/api/v1/wallet/transfers",
        {"recipient": "other_user", "amount_fen": 1, "pin": PIN},
        HTTP_IDEMPOTENCY_KEY="x" * 300,
    )
    assert (r.status_code, r.json()["code"]) == (400, "idempotency_key_invalid")
