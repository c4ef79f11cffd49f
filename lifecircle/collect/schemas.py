from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field, StrictInt

from lifecircle.core.schemas import InputSchema

AMOUNT_DOC = "A whole number of fen (1 yuan = 100 fen), greater than zero"


class NameOut(Schema):
    id: int
    name: str
    real_name: str | None


class ShareIn(InputSchema):
    user_id: StrictInt
    amount_fen: StrictInt = Field(..., description=AMOUNT_DOC)


class CollectionIn(InputSchema):
    title: str = Field(..., max_length=200, description="At most 40 characters, e.g. Dinner")
    split: Literal["even", "custom"]
    total_fen: StrictInt | None = Field(
        None,
        description="even: the total, split among member_ids in their order (the first carry the odd fen)",
    )
    member_ids: list[StrictInt] = Field(
        [], max_length=1000, description="even: who pays, in order; include your own id to take a share"
    )
    shares: list[ShareIn] = Field(
        [], max_length=1000, description="custom: each member's amount; your own id counts as paid"
    )
    conversation_id: StrictInt | None = Field(
        None, description="The chat to post the card in; members must belong to it. Without it: friends only"
    )


class ShareOut(Schema):
    member: NameOut
    position: int
    amount_fen: int
    is_organiser: bool
    paid: bool
    paid_at: dt.datetime | None
    paid_by: NameOut | None = Field(None, description="Who paid, when a friend paid on the member's behalf")
    reminded_at: dt.datetime | None


class MyShareOut(Schema):
    amount_fen: int
    paid: bool
    can_pay: bool
    pending_pay_request_id: int | None


class CollectionOut(Schema):
    id: int
    title: str
    split: str
    status: Literal["open", "closed"]
    organiser: NameOut
    conversation_id: int | None
    created_at: dt.datetime
    closed_at: dt.datetime | None
    total_fen: int = Field(..., description="Every share, the organiser's own included")
    due_fen: int = Field(..., description="What the members other than the organiser owe in all")
    received_fen: int
    outstanding_fen: int
    paid_count: int
    member_count: int = Field(..., description="Members other than the organiser")
    shares: list[ShareOut]
    my_share: MyShareOut | None


class CollectionPageOut(Schema):
    items: list[CollectionOut]
    next_cursor: str | None


class PayIn(InputSchema):
    pin: str | None = Field(None, max_length=6, description="Needed only past the password-free limits")


class PaymentOut(Schema):
    entry_id: int
    amount_fen: int
    collection: CollectionOut


class PayRequestIn(InputSchema):
    payer_id: StrictInt = Field(..., description="The friend asked to pay your share")


class PayRequestPayIn(InputSchema):
    pin: str | None = Field(
        None, max_length=6, description="Paying for a friend always needs the PIN (`pin_required` without)"
    )


class PayRequestCollectionOut(Schema):
    id: int
    title: str
    organiser: NameOut


class PayRequestOut(Schema):
    id: int
    state: Literal["pending", "paid", "cancelled", "expired"]
    amount_fen: int
    requester: NameOut
    payer: NameOut
    collection: PayRequestCollectionOut
    conversation_id: int | None
    created_at: dt.datetime
    expires_at: dt.datetime
    paid_at: dt.datetime | None
    entry_id: int | None = Field(None, description="Shown to the friend who paid")


class PayRequestPaymentOut(Schema):
    entry_id: int
    pay_request: PayRequestOut
