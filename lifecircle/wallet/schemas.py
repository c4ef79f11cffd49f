from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt

from lifecircle.core.schemas import InputSchema

AMOUNT_DOC = "A whole number of fen (1 yuan = 100 fen), greater than zero"


class BalanceOut(Schema):
    balance_fen: int
    balance_display: str
    currency: str = "CNY"


class EntryOut(Schema):
    id: int
    kind: str
    kind_display: str
    amount_fen: int = Field(..., description="Signed, from your wallet's side: negative means money out")
    amount_display: str
    counterparty: str
    note: str
    created_at: dt.datetime
    card: str | None = None
    purpose: str | None = None


class StatementOut(Schema):
    items: list[EntryOut]
    next_cursor: str | None


class CardIn(InputSchema):
    number: str = Field(..., max_length=30, description="The full card number; only a masked form is stored")
    holder_name: str = Field("", max_length=60)


class CardOut(Schema):
    id: int
    masked_number: str
    holder_name: str
    created_at: dt.datetime


class TopUpIn(InputSchema):
    card_id: StrictInt
    amount_fen: StrictInt = Field(..., description=AMOUNT_DOC)


class WithdrawalIn(InputSchema):
    card_id: StrictInt
    amount_fen: StrictInt = Field(..., description=AMOUNT_DOC)
    pin: str = Field(..., max_length=6)


class TransferIn(InputSchema):
    recipient: str = Field(..., max_length=40, description="The recipient's username or mobile number")
    amount_fen: StrictInt = Field(..., description=AMOUNT_DOC)
    pin: str = Field(..., max_length=6)
    note: str = Field("", max_length=100)


class MicroPaymentIn(InputSchema):
    payee: str = Field(..., max_length=40, description="The payee's username or mobile number")
    amount_fen: StrictInt = Field(..., description=AMOUNT_DOC)
    purpose: str = Field("tip", max_length=20)
    note: str = Field("", max_length=100)
    pin: str | None = Field(None, max_length=6, description="Needed only past the password-free limit")


class MicroPaymentSettingsIn(InputSchema):
    enabled: StrictBool
    daily_limit_fen: StrictInt
    pin: str | None = Field(None, max_length=6, description="Needed to turn it on or raise the limit")


class MicroPaymentSettingsOut(Schema):
    enabled: bool
    daily_limit_fen: int
    daily_limit_display: str
    max_per_payment_fen: int
    max_count_per_day: int
    used_today_fen: int
    used_today_count: int
