"""Top-up and withdrawal through the payment-provider interface."""

from __future__ import annotations

import pytest

from lifecircle.core.errors import ApplicationError
from lifecircle.core.testing.factories import PIN, make_user
from lifecircle.wallet.models import BankCard, JournalEntry
from lifecircle.wallet.providers import ProviderResult, SandboxProvider, _load
from lifecircle.wallet.services import bank_card_add, bank_card_remove, topup_create, withdrawal_create
from lifecircle.wallet.tests.helpers import CARD, balance, key, ledger_total

pytestmark = pytest.mark.django_db


class DecliningProvider(SandboxProvider):
    def charge(self, *, card_token, amount_fen, reference):
        return ProviderResult(ok=False, reference="declined")

    def payout(self, *, card_token, amount_fen, reference):
        return ProviderResult(ok=False, reference="declined")


@pytest.fixture
def declining(settings):
    settings.LIFECIRCLE = {
        **settings.LIFECIRCLE,
        "WALLET_PAYMENT_PROVIDER": "lifecircle.wallet.tests.test_payments.DecliningProvider",
    }
    yield
    _load.cache_clear()


def test_the_card_number_is_stored_only_masked():
    user = make_user("card_owner")
    card = bank_card_add(user=user, number="6222 0202 0011 2233 446", holder_name="  张明 ")
    stored = BankCard.objects.filter(pk=card.pk).values()[0]
    assert card.masked_number == "**** **** **** 3446" and card.holder_name == "张明"
    assert not any("6222020200112233446" in str(v) for v in stored.values())


def test_a_removed_card_cannot_be_used_and_can_be_linked_again():
    user = make_user("card_owner")
    card = bank_card_add(user=user, number=CARD)
    bank_card_remove(user=user, card_id=card.pk)
    with pytest.raises(ApplicationError) as exc:
        topup_create(user=user, card_id=card.pk, amount_fen=100, idempotency_key=key())
    assert exc.value.code == "card_not_found"
    assert bank_card_add(user=user, number=CARD).pk != card.pk


def test_a_declined_top_up_moves_nothing_and_frees_the_key(declining):
    user = make_user("card_owner")
    card = bank_card_add(user=user, number=CARD)
    with pytest.raises(ApplicationError) as exc:
        topup_create(user=user, card_id=card.pk, amount_fen=100, idempotency_key="declined-1")
    assert (exc.value.code, exc.value.status) == ("provider_declined", 402)
    assert balance(user) == 0 and JournalEntry.objects.count() == 0


def test_a_refused_payout_is_refunded_by_a_reversing_entry(declining):
    user = make_user("card_owner", pin=PIN)
    card = bank_card_add(user=user, number=CARD)
    _load.cache_clear()
    from lifecircle.wallet.tests.helpers import fund

    fund(user, 50_00)
    with pytest.raises(ApplicationError) as exc:
        withdrawal_create(user=user, card_id=card.pk, amount_fen=20_00, pin=PIN, idempotency_key=key())
    assert exc.value.code == "provider_declined"
    assert balance(user) == 50_00
    kinds = list(JournalEntry.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["topup", "withdrawal", "reversal"]
    assert ledger_total() == 0


def test_a_top_up_retried_after_a_failure_charges_the_card_once(monkeypatch):
    """The card is charged, then posting fails (say the wallet is busy); the client retries
    with the same Idempotency-Key: the provider sees the same reference and does not charge
    again, and the wallet is credited once."""
    from lifecircle.core.errors import ApplicationError as AppError
    from lifecircle.core.testing.factories import wallet_balance_of
    from lifecircle.wallet.models import SandboxOperation
    from lifecircle.wallet.services import bank_card_add, topup_create
    from lifecircle.wallet.services import payments as payments_module

    user = make_user("payer_x")
    card = bank_card_add(user=user, number="6222020200112233446")
    real_post = payments_module.entry_post
    calls = {"n": 0}

    def flaky_post(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise AppError("wallet_busy", "busy", status=409)
        return real_post(**kwargs)

    monkeypatch.setattr(payments_module, "entry_post", flaky_post)
    with pytest.raises(AppError):
        topup_create(user=user, card_id=card.pk, amount_fen=50_00, idempotency_key="topup-once")
    topup_create(user=user, card_id=card.pk, amount_fen=50_00, idempotency_key="topup-once")
    assert SandboxOperation.objects.filter(kind="charge").count() == 1
    assert wallet_balance_of(user) == 50_00
