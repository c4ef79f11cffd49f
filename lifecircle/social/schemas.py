from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from lifecircle.core.schemas import InputSchema


class PersonOut(Schema):
    """Someone as the viewer sees them."""

    id: int
    nickname: str
    remark: str
    real_name: str | None
    real_name_masked: bool
    avatar_thumb_url: str | None
    is_friend: bool


class FriendOut(PersonOut):
    since: dt.datetime
    tag_ids: list[int]


class FriendRequestIn(InputSchema):
    identifier: str | None = Field(None, max_length=40, description="Mobile number or username")
    link_token: str | None = Field(None, max_length=64, description="Token from a QR code or link")
    message: str = Field("", max_length=500)


class FriendRequestOut(Schema):
    id: int
    status: str
    message: str
    source: str
    created_at: dt.datetime
    expires_at: dt.datetime
    from_user: PersonOut
    to_user: PersonOut


class FriendRequestResult(Schema):
    request: FriendRequestOut
    friends: bool = Field(..., description="True when this made you friends (they had asked you)")


class RemarkIn(InputSchema):
    remark: str = Field(..., max_length=200)


class TagIn(InputSchema):
    name: str = Field(..., max_length=100)
    member_ids: list[int] = Field(default_factory=list, max_length=5000)


class TagPatchIn(InputSchema):
    name: str | None = Field(None, max_length=100)
    member_ids: list[int] | None = Field(None, max_length=5000)


class TagOut(Schema):
    id: int
    name: str
    member_ids: list[int]


class BlockIn(InputSchema):
    user_id: int


class PrivacyIn(InputSchema):
    findable_by_mobile: bool | None = None
    findable_by_username: bool | None = None
    post_history: str | None = Field(None, max_length=3)


class PrivacyOut(Schema):
    findable_by_mobile: bool
    findable_by_username: bool
    post_history: str
    hide_my_posts_from: list[int]
    muted: list[int]


class PostFilterIn(InputSchema):
    hide_my_posts: bool | None = None
    mute_their_posts: bool | None = None


class LinkOut(Schema):
    token: str
    url: str
    expires_at: dt.datetime


class GroupIn(InputSchema):
    name: str = Field(..., max_length=100)
    member_ids: list[int] = Field(default_factory=list, max_length=500)


class GroupPatchIn(InputSchema):
    name: str | None = Field(None, max_length=100)
    notice: str | None = Field(None, max_length=2000)


class GroupInviteIn(InputSchema):
    user_ids: list[int] = Field(..., min_length=1, max_length=500)


class GroupOwnerIn(InputSchema):
    user_id: int


class GroupOut(Schema):
    id: int
    name: str
    notice: str
    owner_id: int
    member_count: int
    created_at: dt.datetime


class GroupDetailOut(GroupOut):
    members: list[PersonOut]
