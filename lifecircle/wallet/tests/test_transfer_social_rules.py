"""Transfers follow the social graph: friends by username or mobile number, anyone else only
by mobile number, never across a block; the sender confirms a name they may see."""

import pytest
from django.test import Client

from lifecircle.core.testing.asserts import assert_error, raises_code
from lifecircle.core.testing.factories import PIN, fund_wallet, make_friends, make_user, wallet_balance_of
from lifecircle.social import services as social
from lifecircle.wallet import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def lily(db):
    user = make_user("lily_chen", pin=PIN, verified=True, legal_name="李小明")
    fund_wallet(user, 10_000)
    return user


@pytest.fixture
def bob(db):
    return make_user("bob_wong", mobile="13900002222", verified=True, legal_name="王大卫")


def pay(sender, recipient, key):
    return services.transfer_create(
        sender=sender, recipient=recipient, amount_fen=100, pin=PIN, idempotency_key=key
    )


def test_strangers_only_by_mobile_number(lily, bob):
    raises_code("recipient_not_friend", pay, sender=lily, recipient="bob_wong", key="k1")
    pay(lily, "139 0000 2222", "k2")
    make_friends(lily, bob)
    pay(lily, "bob_wong", "k3")
    assert wallet_balance_of(bob) == 200


def test_no_transfer_across_a_block(lily, bob):
    make_friends(lily, bob)
    social.block_create(user=bob, target_id=lily.pk)
    raises_code(
        "recipient_not_found", pay, sender=lily, recipient="13900002222", key="k1"
    )  # cannot find the blocker
    social.block_remove(user=bob, target_id=lily.pk)
    social.block_create(user=lily, target_id=bob.pk)
    err = raises_code("recipient_blocked", pay, sender=lily, recipient="13900002222", key="k2")
    assert err.status == 403
    assert wallet_balance_of(bob) == 0 and wallet_balance_of(lily) == 10_000


def test_the_confirmation_shows_a_friends_real_name_and_masks_a_strangers(api_client, lily, bob):
    api_client.as_user(lily)
    stranger_view = api_client.get("/api/v1/wallet/recipient?q=13900002222").json()
    assert (stranger_view["real_name"], stranger_view["real_name_masked"], stranger_view["is_friend"]) == (
        "**卫",
        True,
        False,
    )
    assert_error(api_client.get("/api/v1/wallet/recipient?q=bob_wong"), 400, "recipient_not_friend")
    make_friends(lily, bob)
    friend_view = api_client.get("/api/v1/wallet/recipient?q=bob_wong").json()
    assert (friend_view["real_name"], friend_view["is_friend"]) == ("王大卫", True)
    c = Client()
    c.force_login(lily)
    html = c.get("/wallet/transfer/recipient/?recipient=bob_wong").content.decode()
    assert "王大卫" in html
    html = c.get("/wallet/transfer/recipient/?recipient=nobody_here").content.decode()
    assert "recipient_not_found" in html


def test_the_recipient_is_notified_once_even_when_the_request_is_retried(lily, bob):
    from lifecircle.notifications.models import Notification

    make_friends(lily, bob)
    pay(lily, "bob_wong", "same")
    pay(lily, "bob_wong", "same")  # a replay: no new money, no new notification
    notes = Notification.objects.filter(user=bob, kind="money_received")
    assert [(n.actor_id, n.amount_fen) for n in notes] == [(lily.pk, 100)]


def test_password_free_payments_follow_the_same_rules(api_client, lily, bob):
    api_client.as_user(lily)

    def micropay(payee, key):
        return api_client.post(
            "/api/v1/wallet/micropayments", {"payee": payee, "amount_fen": 1}, HTTP_IDEMPOTENCY_KEY=key
        )

    assert_error(micropay("bob_wong", "m1"), 400, "recipient_not_friend")  # a stranger by username
    assert micropay("13900002222", "m2").status_code == 201  # by mobile number
    social.block_create(user=bob, target_id=lily.pk)
    assert_error(micropay("13900002222", "m3"), 400, "recipient_not_found")
    raises_code(
        "recipient_not_found",
        services.micropayment_create,
        payer=lily,
        payee=bob,
        amount_fen=1,
        idempotency_key="m4",
    )  # the service refuses too, whoever calls it
    assert wallet_balance_of(bob) == 1


def test_the_transfer_button_on_a_friends_page_fills_in_the_recipient(lily, bob):
    make_friends(lily, bob)
    c = Client()
    c.force_login(lily)
    assert 'value="bob_wong"' in c.get("/wallet/transfer/?to=bob_wong").content.decode()
    assert 'name="recipient" value=""' in c.get("/wallet/transfer/").content.decode()
