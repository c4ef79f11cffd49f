"""Tags (lists) of friends."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.core.converters import form_id
from lifecircle.core.errors import Conflict, NotFound, validation_error
from lifecircle.core.text import plain_text
from lifecircle.social import selectors
from lifecircle.social.models import FriendTag

TAG_NAME_MAX = 30
TAGS_MAX = 100


def _name_clean(name: str) -> str:
    name = plain_text(name)
    if not name or len(name) > TAG_NAME_MAX:
        raise validation_error("name", "tag_name_invalid", _("A tag name has 1–30 characters."))
    return name


def _members_clean(user: User, member_ids) -> list[int]:
    wanted = {form_id(i) for i in member_ids or []}
    not_friends = wanted - selectors.friend_ids(user=user)
    if not_friends:
        raise validation_error("member_ids", "not_friends", _("Tags can only hold your friends."))
    return sorted(wanted)


def tag_create(*, user: User, name: str, member_ids=()) -> FriendTag:
    name = _name_clean(name)
    members = _members_clean(user, member_ids)
    if FriendTag.objects.filter(owner=user).count() >= TAGS_MAX:
        raise validation_error("name", "tag_limit", _("You have too many tags."))
    try:
        with transaction.atomic():
            tag = FriendTag.objects.create(owner=user, name=name)
            tag.members.set(members)
    except IntegrityError:
        raise Conflict("tag_exists", _("You already have a tag with this name.")) from None
    return tag


def _own_tag(user: User, tag_id: int) -> FriendTag:
    tag = FriendTag.objects.filter(owner=user, pk=tag_id).first()
    if tag is None:
        raise NotFound("tag_not_found", _("No such tag."))
    return tag


def tag_update(*, user: User, tag_id: int, name: str | None = None, member_ids=None) -> FriendTag:
    tag = _own_tag(user, tag_id)
    try:
        with transaction.atomic():
            if name is not None:
                tag.name = _name_clean(name)
                tag.save(update_fields=["name"])
            if member_ids is not None:
                tag.members.set(_members_clean(user, member_ids))
    except IntegrityError:
        raise Conflict("tag_exists", _("You already have a tag with this name.")) from None
    return tag


def tag_delete(*, user: User, tag_id: int) -> None:
    _own_tag(user, tag_id).delete()
