"""The wallet API. Every money-moving endpoint needs an ``Idempotency-Key`` header (scoped to
the user and the operation); a retry with the same key returns the first result with the
header ``Idempotent-Replayed: true``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpResponse
from ninja import Header, Router, Schema
from ninja.responses import Status

from lifecircle.core.money import format_fen
from lifecircle.wallet import selectors, services
from lifecircle.wallet.schemas import (
    BalanceOut,
    CardIn,
    CardOut,
    EntryOut,
    MicroPaymentIn,
    MicroPaymentSettingsIn,
    MicroPaymentSettingsOut,
    StatementOut,
    TopUpIn,
    TransferIn,
    WithdrawalIn,
)

router = Router(tags=["wallet"])
IDEMPOTENCY_HEADER = "Idempotency-Key"


def line_out(line: selectors.StatementLine) -> dict:
    entry = line.entry
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "kind_display": str(entry.get_kind_display()),
        "amount_fen": line.amount_fen,
        "amount_display": format_fen(line.amount_fen),
        "counterparty": line.counterparty,
        "note": entry.note,
        "created_at": entry.created_at,
        "card": entry.details.get("card"),
        "purpose": entry.details.get("purpose"),
    }


def _result(request, response: HttpResponse, entry):
    if getattr(entry, "replayed", False):
        response["Idempotent-Replayed"] = "true"
    return Status(201, line_out(selectors.entry_line_for_owner(viewer=request.auth, entry=entry)))


KEY_DOC = "Required. Any unique string (e.g. a UUID) per intended payment; a retry sends the same one."


@router.get("", response=BalanceOut)
def balance(request):
    fen = selectors.wallet_balance(viewer=request.auth)
    return {"balance_fen": fen, "balance_display": format_fen(fen)}


@router.get("/statement", response=StatementOut)
def statement(
    request,
    cursor: str | None = None,
    kind: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = selectors.PAGE_SIZE,
):
    """Your entries, newest first. Pass ``next_cursor`` back as ``cursor`` for the next page."""
    page = selectors.statement_for_viewer(
        viewer=request.auth, cursor=cursor, kind=kind, date_from=date_from, date_to=date_to, limit=limit
    )
    return {"items": [line_out(line) for line in page.lines], "next_cursor": page.next_cursor}


@router.get("/entries/{entry_id}", response=EntryOut)
def receipt(request, entry_id: int):
    return line_out(selectors.entry_get_for_viewer(viewer=request.auth, entry_id=entry_id))


@router.get("/cards", response=list[CardOut])
def cards(request):
    return list(selectors.bank_card_list(viewer=request.auth))


@router.post("/cards", response={201: CardOut})
def card_add(request, data: CardIn):
    return Status(
        201, services.bank_card_add(user=request.auth, number=data.number, holder_name=data.holder_name)
    )


@router.delete("/cards/{card_id}", response={204: None})
def card_remove(request, card_id: int):
    services.bank_card_remove(user=request.auth, card_id=card_id)
    return Status(204, None)


@router.post("/topups", response={201: EntryOut})
def topup(
    request,
    response: HttpResponse,
    data: TopUpIn,
    idempotency_key: str | None = Header(None, alias=IDEMPOTENCY_HEADER, description=KEY_DOC),
):
    """Add money from a linked card (the sandbox provider confirms at once)."""
    entry = services.topup_create(
        user=request.auth, card_id=data.card_id, amount_fen=data.amount_fen, idempotency_key=idempotency_key
    )
    return _result(request, response, entry)


@router.post("/withdrawals", response={201: EntryOut})
def withdrawal(
    request,
    response: HttpResponse,
    data: WithdrawalIn,
    idempotency_key: str | None = Header(None, alias=IDEMPOTENCY_HEADER, description=KEY_DOC),
):
    entry = services.withdrawal_create(
        user=request.auth,
        card_id=data.card_id,
        amount_fen=data.amount_fen,
        pin=data.pin,
        idempotency_key=idempotency_key,
    )
    return _result(request, response, entry)


class RecipientOut(Schema):
    id: int
    nickname: str
    real_name: str | None
    real_name_masked: bool
    is_friend: bool


@router.get("/recipient", response=RecipientOut)
def transfer_recipient(request, q: str):
    """Who a transfer to ``q`` (username or mobile number) would reach, named as you may see
    them — a friend's full real name, a stranger's masked — so you can confirm before paying."""
    from lifecircle.accounts.selectors import display_name_for
    from lifecircle.social.selectors import are_friends

    user = services.recipient_resolve(sender=request.auth, recipient=q[:40])
    name = display_name_for(request.auth, user)
    return {
        "id": user.pk,
        "nickname": name.primary,
        "real_name": name.real_name,
        "real_name_masked": name.real_name_masked,
        "is_friend": are_friends(request.auth, user),
    }


@router.post("/transfers", response={201: EntryOut})
def transfer(
    request,
    response: HttpResponse,
    data: TransferIn,
    idempotency_key: str | None = Header(None, alias=IDEMPOTENCY_HEADER, description=KEY_DOC),
):
    """Send money to a user by username or mobile number, with your payment PIN."""
    entry = services.transfer_create(
        sender=request.auth,
        recipient=data.recipient,
        amount_fen=data.amount_fen,
        pin=data.pin,
        note=data.note,
        idempotency_key=idempotency_key,
    )
    return _result(request, response, entry)


@router.post("/micropayments", response={201: EntryOut})
def micropayment(
    request,
    response: HttpResponse,
    data: MicroPaymentIn,
    idempotency_key: str | None = Header(None, alias=IDEMPOTENCY_HEADER, description=KEY_DOC),
):
    """A small payment without the PIN while within your password-free limit; past it the
    error is ``pin_required`` and the same request with ``pin`` goes through."""
    # The same rules as a transfer: friends by username or mobile, others by mobile, no blocks.
    payee = services.recipient_resolve(sender=request.auth, recipient=data.payee)
    entry = services.micropayment_create(
        payer=request.auth,
        payee=payee,
        amount_fen=data.amount_fen,
        purpose=data.purpose,
        note=data.note,
        pin=data.pin,
        idempotency_key=idempotency_key,
    )
    return _result(request, response, entry)


def _settings_out(user) -> dict:
    enabled, limit = services.micropayment_limits(user=user)
    count, total = services.micropayment_usage_today(user=user)
    conf = settings.LIFECIRCLE
    return {
        "enabled": enabled,
        "daily_limit_fen": limit,
        "daily_limit_display": format_fen(limit),
        "max_per_payment_fen": conf["WALLET_MICROPAY_MAX_FEN"],
        "max_count_per_day": conf["WALLET_MICROPAY_DAILY_COUNT"],
        "used_today_fen": total,
        "used_today_count": count,
    }


@router.get("/micropayment-settings", response=MicroPaymentSettingsOut)
def micropayment_settings(request):
    return _settings_out(request.auth)


@router.put("/micropayment-settings", response=MicroPaymentSettingsOut)
def micropayment_settings_update(request, data: MicroPaymentSettingsIn):
    services.micropayment_settings_update(
        user=request.auth, enabled=data.enabled, daily_limit_fen=data.daily_limit_fen, pin=data.pin
    )
    return _settings_out(request.auth)
