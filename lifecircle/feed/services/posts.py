"""Posting and deleting."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.core.errors import NotFound, validation_error
from lifecircle.core.images import image_clean
from lifecircle.core.text import plain_text
from lifecircle.feed.models import Audience, Post, PostAudienceMember, PostImage
from lifecircle.social import selectors as social
from lifecircle.social.models import FriendTag

TEXT_MAX = 2000
IMAGES_MAX = 9


def _audience_members(author: User, audience: str, user_ids, tag_ids) -> set[int]:
    if audience not in (Audience.INCLUDE, Audience.EXCLUDE):
        return set()
    chosen = {int(i) for i in user_ids or []}
    tags = FriendTag.objects.filter(owner=author, pk__in=[int(t) for t in tag_ids or []]).prefetch_related(
        "members"
    )
    for tag in tags:
        chosen |= {m.pk for m in tag.members.all()}
    chosen &= social.friend_ids(user=author)  # tags and lists only ever name friends
    if audience == Audience.INCLUDE and not chosen:
        raise validation_error(
            "audience_user_ids", "audience_empty", _("Choose at least one friend who can see this.")
        )
    return chosen


def post_create(
    *,
    author: User,
    text: str = "",
    audience: str = Audience.FRIENDS,
    audience_user_ids=(),
    audience_tag_ids=(),
    images: list[bytes] = (),
    tips_enabled: bool = True,
) -> Post:
    """Publish a post: text (≤ 2,000 characters) and/or up to 9 images (decoded, re-encoded
    without EXIF/GPS, with thumbnails), for an audience. ``include``/``exclude`` audiences
    name friends directly or through the author's tags, expanded now."""
    text = plain_text(text, multiline=True)
    if len(text) > TEXT_MAX:
        raise validation_error("text", "text_too_long", _("A post has at most 2,000 characters."))
    if len(images) > IMAGES_MAX:
        raise validation_error("images", "too_many_images", _("A post has at most 9 images."))
    if not text and not images:
        raise validation_error("text", "post_empty", _("Write something or add a photo."))
    if audience not in Audience.values:
        raise validation_error("audience", "audience_invalid", _("Choose one of the offered values."))
    members = _audience_members(author, audience, audience_user_ids, audience_tag_ids)
    conf = settings.LIFECIRCLE
    cleaned = [
        image_clean(
            data=data,
            field="images",
            max_bytes=conf["POST_IMAGE_MAX_BYTES"],
            max_side=conf["POST_IMAGE_SIZE"],
            thumb_side=conf["POST_THUMB_SIZE"],
        )
        for data in images
    ]
    with transaction.atomic():
        post = Post.objects.create(author=author, text=text, audience=audience, tips_enabled=tips_enabled)
        PostAudienceMember.objects.bulk_create(
            [PostAudienceMember(post=post, user_id=uid) for uid in sorted(members)]
        )
        for position, clean in enumerate(cleaned):
            img = PostImage(post=post, position=position, width=clean.width, height=clean.height)
            img.image.save(
                f"{post.pk}-{position}.{clean.full.name.rsplit('.', 1)[1]}", clean.full, save=False
            )
            img.thumb.save(
                f"{post.pk}-{position}-t.{clean.thumb.name.rsplit('.', 1)[1]}", clean.thumb, save=False
            )
            img.save()
    return post


def _own_post(user: User, post_id: int) -> Post:
    post = Post.objects.filter(pk=post_id, author=user, deleted_at__isnull=True).first()
    if post is None:
        raise NotFound("post_not_found", _("No such post."))
    return post


def post_delete(*, user: User, post_id: int) -> None:
    """Delete one's own post; its image files go once the deletion commits."""
    post = _own_post(user, post_id)
    files = [(i.image.storage, name) for i in post.images.all() for name in (i.image.name, i.thumb.name)]
    with transaction.atomic():
        post.deleted_at = timezone.now()
        post.save(update_fields=["deleted_at"])
        post.images.all().delete()
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


def post_tips_set(*, user: User, post_id: int, enabled: bool) -> Post:
    post = _own_post(user, post_id)
    post.tips_enabled = enabled
    post.save(update_fields=["tips_enabled"])
    return post
