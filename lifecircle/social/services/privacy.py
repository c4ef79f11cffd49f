"""Privacy settings and per-friend post filters."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.core.errors import NotFound, validation_error
from lifecircle.social import selectors
from lifecircle.social.models import PostFilter, PostHistory, PrivacySettings


def privacy_update(
    *,
    user: User,
    findable_by_mobile: bool | None = None,
    findable_by_username: bool | None = None,
    post_history: str | None = None,
) -> PrivacySettings:
    if post_history is not None and post_history not in PostHistory.values:
        raise validation_error(
            "post_history", "post_history_invalid", _("Choose one of the offered periods.")
        )
    settings, _created = PrivacySettings.objects.get_or_create(user=user)
    for name, value in (
        ("findable_by_mobile", findable_by_mobile),
        ("findable_by_username", findable_by_username),
        ("post_history", post_history),
    ):
        if value is not None:
            setattr(settings, name, value)
    settings.save()
    return settings


def post_filter_set(*, user: User, other_id: int, kind: str, on: bool) -> None:
    """Turn "hide my posts from this friend" (``hide_mine``) or "don't show me their posts"
    (``mute``) on or off. Only for friends."""
    if kind not in PostFilter.Kind.values:
        raise validation_error("kind", "post_filter_invalid", _("Choose one of the offered values."))
    if on:
        if not selectors.are_friends(user, other_id):
            raise NotFound("friend_not_found", _("This person is not your friend."))
        PostFilter.objects.get_or_create(owner=user, other_id=other_id, kind=kind)
    else:
        PostFilter.objects.filter(owner=user, other_id=other_id, kind=kind).delete()
