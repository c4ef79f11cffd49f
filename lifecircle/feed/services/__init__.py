"""Every write to Life Circle. Re-exported here so callers import from one place."""

from lifecircle.feed.services.interactions import comment_create, comment_delete, like_set
from lifecircle.feed.services.posts import post_create, post_delete, post_tips_set
from lifecircle.feed.services.tips import tip_create

__all__ = [
    "comment_create",
    "comment_delete",
    "like_set",
    "post_create",
    "post_delete",
    "post_tips_set",
    "tip_create",
]
