from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from lifecircle.core.schemas import InputSchema


class SignUpIn(InputSchema):
    identifier: str = Field(..., max_length=40, description="A mainland mobile number or a username")
    password: str = Field(..., max_length=128)
    nickname: str = Field("", max_length=40)
    language: str = Field("", max_length=10)


class TokenCreateIn(InputSchema):
    identifier: str = Field(..., max_length=40)
    password: str = Field(..., max_length=128)
    name: str = Field(..., max_length=60)


class TokenNameIn(InputSchema):
    name: str = Field(..., max_length=60)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="Shown once; store it now")


class IdentityOut(Schema):
    legal_name: str
    id_last4: str
    verified_at: dt.datetime


class MeOut(Schema):
    id: int
    username: str
    mobile: str | None
    nickname: str
    language: str
    avatar_url: str | None
    avatar_thumb_url: str | None
    identity: IdentityOut | None
    pin_set: bool


class ProfileIn(InputSchema):
    nickname: str | None = Field(None, max_length=40)
    language: str | None = Field(None, max_length=10)


class IdentityIn(InputSchema):
    legal_name: str = Field(..., max_length=60)
    id_number: str = Field(..., max_length=24)


class PinSetIn(InputSchema):
    pin: str = Field(..., max_length=6)
    password: str | None = Field(None, max_length=128, description="Login password; needed to change a PIN")


class PasswordChangeIn(InputSchema):
    old_password: str = Field(..., max_length=128)
    new_password: str = Field(..., max_length=128)


class DisplayNameOut(Schema):
    id: int
    nickname: str
    real_name: str | None
    real_name_masked: bool
    avatar_thumb_url: str | None
