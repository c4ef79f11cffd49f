"""Every write to the social graph. Re-exported here so callers import from one place."""

from lifecircle.social.services.blocks import block_create, block_remove
from lifecircle.social.services.friends import (
    friend_link_create,
    friend_remark_set,
    friend_remove,
    friend_request_answer,
    friend_request_cancel,
    friend_request_send,
    friendship_make,
)
from lifecircle.social.services.groups import (
    group_create,
    group_invite,
    group_leave,
    group_member_remove,
    group_owner_transfer,
    group_update,
)
from lifecircle.social.services.privacy import post_filter_set, privacy_update
from lifecircle.social.services.tags import tag_create, tag_delete, tag_update

__all__ = [
    "block_create",
    "block_remove",
    "friend_link_create",
    "friend_remark_set",
    "friend_remove",
    "friend_request_answer",
    "friend_request_cancel",
    "friend_request_send",
    "friendship_make",
    "group_create",
    "group_invite",
    "group_leave",
    "group_member_remove",
    "group_owner_transfer",
    "group_update",
    "post_filter_set",
    "privacy_update",
    "tag_create",
    "tag_delete",
    "tag_update",
]
