"""Likes and comments."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.core.errors import NotFound, validation_error
from lifecircle.core.text import plain_text
from lifecircle.feed import selectors
from lifecircle.feed.models import Comment, Like, Post
from lifecircle.notifications.models import Notification
from lifecircle.notifications.services import notification_create
from lifecircle.social import selectors as social

COMMENT_MAX = 500


def visible_post_or_404(user: User, post_id: int) -> Post:
    post = selectors.post_get_for_viewer(viewer=user, post_id=post_id)
    if post is None:
        raise NotFound("post_not_found", _("No such post."))
    return post


def like_set(*, user: User, post_id: int, liked: bool = True) -> bool:
    """Like or unlike a post the user can see. Liking twice is one like."""
    post = visible_post_or_404(user, post_id)
    if not liked:
        Like.objects.filter(post=post, user=user).delete()
        return False
    try:
        with transaction.atomic():
            Like.objects.create(post=post, user=user)
            notification_create(
                user_id=post.author_id, kind=Notification.Kind.LIKE, actor_id=user.pk, post_id=post.pk
            )
    except IntegrityError:
        pass  # already liked
    return True


def comment_create(*, user: User, post_id: int, text: str, reply_to_id: int | None = None) -> Comment:
    """Comment on a visible post, or reply to a comment on it that the user can see."""
    post = visible_post_or_404(user, post_id)
    text = plain_text(text, multiline=True)
    if not text:
        raise validation_error("text", "comment_empty", _("Write a comment."))
    if len(text) > COMMENT_MAX:
        raise validation_error("text", "comment_too_long", _("A comment has at most 500 characters."))
    reply_to = None
    if reply_to_id is not None:
        visible = selectors.post_views(viewer=user, posts=[post])[0].comments
        reply_to = next((c for c, _n, _r in visible if c.pk == reply_to_id), None)
        if reply_to is None:
            raise NotFound("comment_not_found", _("No such comment."))
    with transaction.atomic():
        comment = Comment.objects.create(
            post=post,
            author=user,
            text=text,
            reply_to=reply_to,
            reply_to_user=reply_to.author if reply_to else None,
        )
        notification_create(
            user_id=post.author_id,
            kind=Notification.Kind.COMMENT,
            actor_id=user.pk,
            post_id=post.pk,
            comment_id=comment.pk,
        )
        # Tell the person replied to only if they can see the reply (the replier is a friend).
        if (
            reply_to is not None
            and reply_to.author_id != post.author_id
            and social.are_friends(user, reply_to.author_id)
        ):
            notification_create(
                user_id=reply_to.author_id,
                kind=Notification.Kind.REPLY,
                actor_id=user.pk,
                post_id=post.pk,
                comment_id=comment.pk,
            )
    return comment


def comment_delete(*, user: User, comment_id: int) -> None:
    """The commenter deletes their own comment; the post's author deletes any on their post."""
    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    if comment is None or user.pk not in (comment.author_id, comment.post.author_id):
        raise NotFound("comment_not_found", _("No such comment."))
    comment.delete()
