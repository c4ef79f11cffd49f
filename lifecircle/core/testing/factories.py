"""Factories for tests: real objects made through the services, with sensible defaults."""

from __future__ import annotations

import datetime as dt
import itertools

from lifecircle.accounts import services
from lifecircle.accounts.models import User
from lifecircle.accounts.validators import id_check_char

PASSWORD = "a-long-test-password-42"
PIN = "258036"
_seq = itertools.count(1)


def resident_id(region: str = "110105", born: dt.date = dt.date(1990, 3, 7), seq: int | None = None) -> str:
    """A valid 18-character resident ID number (correct check digit)."""
    first17 = f"{region}{born:%Y%m%d}{(seq if seq is not None else next(_seq)) % 1000:03d}"
    return first17 + id_check_char(first17)


def make_user(
    username: str | None = None,
    *,
    mobile: str | None = None,
    password: str = PASSWORD,
    nickname: str = "",
    language: str = "",
    verified: bool = False,
    legal_name: str = "张明",
    pin: str | None = None,
) -> User:
    n = next(_seq)
    identifier = mobile or username or f"user{n:05d}"
    user = services.user_sign_up(
        identifier=identifier, password=password, nickname=nickname, language=language
    )
    if mobile and username:  # signed up by mobile number; keep the username asked for too
        User.objects.filter(pk=user.pk).update(username=username)
    if verified or pin:
        if verified:
            services.identity_verify(user=user, legal_name=legal_name, id_number=resident_id(seq=n))
        if pin:
            services.pin_set(user=user, pin=pin)
    return User.objects.select_related("identity").get(pk=user.pk)


def make_friends(a: User, b: User) -> None:
    from lifecircle.social.services import friendship_make

    friendship_make(a=a, b=b)


def fund_wallet(user: User, fen: int) -> None:
    """Top up ``user``'s wallet through a linked card and the sandbox provider."""
    from lifecircle.wallet.services import bank_card_add, topup_create

    card = bank_card_add(user=user, number="6222020200112233446")
    topup_create(user=user, card_id=card.pk, amount_fen=fen, idempotency_key=f"fund-{user.pk}-{next(_seq)}")


def wallet_balance_of(user: User) -> int:
    from lifecircle.wallet.selectors import wallet_balance

    return wallet_balance(viewer=user)
