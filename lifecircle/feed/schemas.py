from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from lifecircle.core.schemas import InputSchema


class NameOut(Schema):
    id: int
    name: str
    real_name: str | None


class ImageOut(Schema):
    url: str
    thumb_url: str
    width: int
    height: int


class CommentOut(Schema):
    id: int
    author: NameOut
    reply_to_user: NameOut | None
    text: str
    created_at: dt.datetime


class TipperOut(Schema):
    user: NameOut
    amount_fen: int


class TipsOut(Schema):
    total_fen: int
    count: int
    tippers: list[TipperOut]


class PostOut(Schema):
    id: int
    author: NameOut
    text: str
    audience: str | None = Field(None, description="Only shown to the author")
    images: list[ImageOut]
    created_at: dt.datetime
    likes: list[NameOut]
    liked_by_me: bool
    comments: list[CommentOut]
    tips_enabled: bool
    tips: TipsOut | None = Field(None, description="Only the author sees who tipped and the total")
    my_tips_fen: int


class PageOut(Schema):
    items: list[PostOut]
    next_cursor: str | None


class CommentIn(InputSchema):
    text: str = Field(..., max_length=2000)
    reply_to_id: int | None = None


class PostPatchIn(InputSchema):
    tips_enabled: bool


class TipIn(InputSchema):
    pin: str | None = Field(None, max_length=6, description="Needed only past the password-free limits")


class TipOut(Schema):
    post_id: int
    amount_fen: int
    entry_id: int | None
