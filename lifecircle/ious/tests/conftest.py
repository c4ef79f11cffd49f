"""Shared set-up for the IOU tests: two verified friends with PINs and money, and a clock."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from lifecircle.core.testing.factories import PIN, make_friends, make_user
from lifecircle.wallet.tests.helpers import fund

_keys = itertools.count(1)


def key(prefix: str = "iou") -> str:
    return f"{prefix}-{next(_keys)}"


class Clock:
    """Moves the application's clock (``django.utils.timezone.now``, which ``localdate`` and
    ``auto_now`` read too) to local noon of a given day."""

    def __init__(self, monkeypatch):
        self._monkeypatch = monkeypatch
        self._real = timezone.now

    def set(self, day: dt.date, hour: int = 12) -> dt.datetime:
        when = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
        self._monkeypatch.setattr(timezone, "now", lambda: when)
        return when

    def real(self) -> None:
        self._monkeypatch.setattr(timezone, "now", self._real)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def lender(db):
    user = make_user("lender_li", nickname="Li", verified=True, legal_name="李雷", pin=PIN)
    fund(user, 100_000_00)
    return user


@pytest.fixture
def borrower(lender):
    user = make_user("borrower_han", nickname="Han", verified=True, legal_name="韩梅梅", pin=PIN)
    make_friends(lender, user)
    return user


def propose(
    proposer,
    other,
    *,
    role="lender",
    amount_fen=1_000_000,
    rate_bp=365,
    lent_on=None,
    due_on=None,
    purpose="Rent",
    pin=PIN,
    idem=None,
    **kw,
):
    from lifecircle.ious.services import iou_propose

    today = timezone.localdate()
    return iou_propose(
        proposer=proposer,
        counterparty_id=other.pk,
        role=role,
        amount_fen=amount_fen,
        purpose=purpose,
        rate_bp=rate_bp,
        lent_on=lent_on or today,
        due_on=due_on or today + dt.timedelta(days=90),
        pin=pin,
        idempotency_key=idem or key(),
        **kw,
    )


def confirm(user, iou, *, pin=PIN, idem=None, **kw):
    from lifecircle.ious.services import iou_confirm

    return iou_confirm(user=user, iou_id=iou.pk, pin=pin, idempotency_key=idem or key("confirm"), **kw)


def repay(user, iou, amount_fen, *, pin=PIN, idem=None):
    from lifecircle.ious.services import iou_repay

    return iou_repay(
        user=user, iou_id=iou.pk, amount_fen=amount_fen, pin=pin, idempotency_key=idem or key("repay")
    )
