from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt

from lifecircle.core.schemas import InputSchema

AMOUNT_DOC = "A whole number of fen (1 yuan = 100 fen), greater than zero"


class IouIn(InputSchema):
    counterparty_id: StrictInt = Field(..., description="The other party: a real-name-verified friend")
    role: Literal["lender", "borrower"] = Field(..., description="Your side of the IOU")
    amount_fen: StrictInt = Field(..., description=AMOUNT_DOC)
    purpose: str = Field(..., max_length=1000, description="What the money is for, at most 100 characters")
    rate_bp: StrictInt = Field(
        ...,
        description="Annual simple-interest rate in basis points (300 = 3.00 %), "
        "0 ≤ rate ≤ IOU_RATE_CAP_MULTIPLE × IOU_LPR_1Y_BP (see GET /ious/terms)",
    )
    lent_on: dt.date = Field(..., description="Lending date, today or later")
    due_on: dt.date = Field(..., description="Due date, after the lending date")
    pin: str = Field(
        ...,
        max_length=6,
        description="Your payment PIN: your signature (and, for a lender, "
        "the authority to hold the principal in escrow)",
    )
    auto_debit: StrictBool = Field(False, description="Borrowers only: agree to a debit on the due date")
    conversation_id: StrictInt | None = Field(
        None, description="Your one-to-one chat with the other party (default: that chat, opened if needed)"
    )


class ConfirmIn(InputSchema):
    pin: str = Field(..., max_length=6)
    auto_debit: StrictBool = Field(False, description="Borrowers only: agree to a debit on the due date")


class RepayIn(InputSchema):
    amount_fen: StrictInt = Field(..., description=AMOUNT_DOC + "; at most what is owed today")
    pin: str = Field(..., max_length=6)


class PartyOut(Schema):
    id: int
    nickname: str
    legal_name: str = Field(..., description="In full: only the two parties can read an IOU")


class OwedOut(Schema):
    day: dt.date
    interest_fen: int
    principal_fen: int
    total_fen: int
    total_display: str


class RepaymentOut(Schema):
    id: int
    amount_fen: int
    amount_display: str
    interest_fen: int
    principal_fen: int
    days: int = Field(..., description="Days of interest in the period this repayment closed")
    paid_on: dt.date
    principal_left_fen: int
    interest_left_fen: int
    auto: bool = Field(..., description="The agreed due-date debit")
    entry_id: int
    created_at: dt.datetime


class IouOut(Schema):
    id: int
    status: Literal["proposed", "active", "overdue", "repaid", "cancelled", "expired"]
    status_display: str
    role: Literal["lender", "borrower"]
    proposer_id: int
    lender: PartyOut
    borrower: PartyOut
    amount_fen: int
    amount_display: str
    amount_capitals: str = Field(..., description="The amount in Chinese capital numerals (大写)")
    purpose: str
    rate_bp: int
    rate_display: str
    lent_on: dt.date
    due_on: dt.date
    auto_debit: bool
    conversation_id: int | None
    message_id: int | None
    created_at: dt.datetime
    expires_at: dt.datetime
    confirmed_at: dt.datetime | None
    closed_at: dt.datetime | None
    escrow_fen: int
    outstanding_principal_fen: int
    interest_unpaid_fen: int
    principal_repaid_fen: int
    interest_paid_fen: int
    owed_today: OwedOut
    repayments: list[RepaymentOut]
    can_confirm: bool
    can_cancel: bool
    can_repay: bool


class IouListOut(Schema):
    items: list[IouOut]
    next_cursor: str | None


class RepaymentResultOut(Schema):
    repayment: RepaymentOut
    iou: IouOut


class TermsOut(Schema):
    lpr_1y_bp: int
    rate_cap_multiple: int
    rate_cap_bp: int
    rate_cap_display: str
    proposal_ttl_days: int
    max_term_days: int
