"""Password-free micro-payments: what a tipper notices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lifecircle.core.errors import ApplicationError
from lifecircle.core.testing.factories import PIN, make_friends, make_user
from lifecircle.wallet.models import MicroPaymentDay
from lifecircle.wallet.services import (
    micropayment_create,
    micropayment_limits,
    micropayment_settings_update,
    micropayment_usage_today,
)
from lifecircle.wallet.tests.helpers import balance, entry_count, fund, key

pytestmark = pytest.mark.django_db


@pytest.fixture
def fan():
    user = make_user("fan_user", pin=PIN)
    fund(user, 200_00)
    return user


@pytest.fixture
def host():
    return make_user("host_user")


def tip(fan, host, fen, **kw):
    return micropayment_create(payer=fan, payee=host, amount_fen=fen, idempotency_key=key("tip"), **kw)


def code_of(fn) -> str:
    with pytest.raises(ApplicationError) as exc:
        fn()
    return exc.value.code


def test_a_tip_of_up_to_one_yuan_needs_no_pin_and_is_counted(fan, host):
    tip(fan, host, 1_00)
    tip(fan, host, 50)
    assert (balance(fan), balance(host)) == (198_50, 1_50)
    assert micropayment_usage_today(user=fan) == (2, 1_50)


def test_over_one_yuan_asks_for_the_pin_and_with_it_goes_through_uncounted(fan, host):
    assert code_of(lambda: tip(fan, host, 1_01)) == "pin_required"
    assert balance(host) == 0
    assert code_of(lambda: tip(fan, host, 1_01, pin="000000")) == "pin_incorrect"
    tip(fan, host, 1_01, pin=PIN)
    assert balance(host) == 1_01
    assert micropayment_usage_today(user=fan) == (0, 0)


def test_the_daily_total_of_50_yuan_holds(fan, host):
    MicroPaymentDay.objects.create(user=fan, day=timezone.localdate(), count=49, total_fen=49_01)
    tip(fan, host, 99)  # exactly ¥50.00 now
    assert code_of(lambda: tip(fan, host, 1)) == "pin_required"
    tip(fan, host, 1, pin=PIN)
    assert balance(host) == 1_00


def test_the_daily_count_of_200_holds(fan, host):
    before = entry_count()
    for _ in range(200):
        tip(fan, host, 1)
    assert code_of(lambda: tip(fan, host, 1)) == "pin_required"
    assert entry_count() == before + 200 and balance(host) == 2_00


def test_yesterdays_payments_do_not_count_today(fan, host):
    MicroPaymentDay.objects.create(
        user=fan, day=timezone.localdate() - dt.timedelta(days=1), count=200, total_fen=50_00
    )
    tip(fan, host, 1_00)
    assert balance(host) == 1_00


def test_a_user_can_lower_the_limit_or_turn_it_off_without_the_pin(fan, host):
    micropayment_settings_update(user=fan, enabled=True, daily_limit_fen=1_50)
    tip(fan, host, 1_00)
    assert code_of(lambda: tip(fan, host, 51)) == "pin_required"
    micropayment_settings_update(user=fan, enabled=False, daily_limit_fen=1_50)
    assert code_of(lambda: tip(fan, host, 1)) == "pin_required"
    assert balance(host) == 1_00


def test_turning_it_back_on_or_raising_it_needs_the_pin_and_never_above_the_cap(fan):
    micropayment_settings_update(user=fan, enabled=False, daily_limit_fen=10_00)
    assert (
        code_of(lambda: micropayment_settings_update(user=fan, enabled=True, daily_limit_fen=10_00))
        == "pin_required"
    )
    micropayment_settings_update(user=fan, enabled=True, daily_limit_fen=20_00, pin=PIN)
    assert micropayment_limits(user=fan) == (True, 20_00)
    assert (
        code_of(lambda: micropayment_settings_update(user=fan, enabled=True, daily_limit_fen=50_01, pin=PIN))
        == "limit_above_cap"
    )
    assert (
        code_of(lambda: micropayment_settings_update(user=fan, enabled=True, daily_limit_fen=0))
        == "amount_not_positive"
    )


def test_a_tip_cannot_overdraw_or_go_to_oneself(host):
    poor = make_user("poor_fan", pin=PIN)
    fund(poor, 30)
    assert code_of(lambda: tip(poor, host, 31)) == "insufficient_funds"
    assert micropayment_usage_today(user=poor) == (0, 0)  # the refused tip was not counted
    assert code_of(lambda: tip(poor, poor, 1)) == "self_transfer"


def test_the_api_answers_pin_required_then_accepts_the_pin(api_client, fan, host):
    make_friends(fan, host)  # paid by username, so friends
    client = api_client.as_user(fan)
    body = {"payee": host.username, "amount_fen": 5_00, "purpose": "gift"}
    r = client.post("/api/v1/wallet/micropayments", body, HTTP_IDEMPOTENCY_KEY="g1")
    assert (r.status_code, r.json()["code"]) == (403, "pin_required")
    r = client.post("/api/v1/wallet/micropayments", {**body, "pin": PIN}, HTTP_IDEMPOTENCY_KEY="g1")
    assert r.status_code == 201 and r.json()["purpose"] == "gift"
    settings_out = client.get("/api/v1/wallet/micropayment-settings").json()
    assert settings_out["daily_limit_fen"] == 50_00 and settings_out["used_today_count"] == 0
    r = client.put("/api/v1/wallet/micropayment-settings", {"enabled": False, "daily_limit_fen": 10_00})
    assert r.status_code == 200 and r.json()["enabled"] is False
