"""Groups of friends (≤ ``GROUP_MAX_MEMBERS``): create, invite, leave, hand over, remove.

Membership changes lock the group row, so the member cap holds under concurrent invites and
``member_count`` stays exact. A non-member asking about a group gets ``group_not_found``:
they cannot tell a group exists."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.core.converters import form_id
from lifecircle.core.errors import ApplicationError, NotFound, PermissionDenied, validation_error
from lifecircle.core.text import plain_text
from lifecircle.realtime import groups as rt_groups
from lifecircle.realtime.events import publish_on_commit
from lifecircle.social import selectors
from lifecircle.social.models import Block, Group, GroupMembership

NAME_MAX = 40
NOTICE_MAX = 1000


def _max_members() -> int:
    return settings.LIFECIRCLE["GROUP_MAX_MEMBERS"]


def _not_found() -> NotFound:
    return NotFound("group_not_found", _("No such group."))


def _locked_group_for_member(user: User, group_id: int) -> Group:
    group = Group.objects.select_for_update().filter(pk=group_id).first()
    if group is None or not selectors.is_group_member(user=user, group=group):
        raise _not_found()
    return group


def _require_owner(user: User, group: Group) -> None:
    if group.owner_id != user.pk:
        raise PermissionDenied("not_group_owner", _("Only the group owner can do this."))


def _name_clean(name: str) -> str:
    name = plain_text(name)
    if not name or len(name) > NAME_MAX:
        raise validation_error("name", "group_name_invalid", _("A group name has 1–40 characters."))
    return name


def _invitees_clean(inviter: User, user_ids) -> list[int]:
    wanted = {form_id(i) for i in user_ids or []} - {inviter.pk}
    if wanted - selectors.friend_ids(user=inviter):
        raise validation_error("user_ids", "not_friends", _("You can only invite your friends."))
    return sorted(wanted)


def _add_members(group: Group, inviter: User, user_ids: list[int]) -> list[int]:
    existing = set(
        GroupMembership.objects.filter(group=group, user_id__in=user_ids).values_list("user_id", flat=True)
    )
    # Someone who blocked the owner is not pulled into the owner's group.
    refusing = set(
        Block.objects.filter(blocker_id__in=user_ids, blocked_id=group.owner_id).values_list(
            "blocker_id", flat=True
        )
    )
    new = [uid for uid in user_ids if uid not in existing and uid not in refusing]
    if group.member_count + len(new) > _max_members():
        raise ApplicationError(
            "group_full", _("A group has at most %(n)d members.") % {"n": _max_members()}, status=409
        )
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=group, user_id=uid, invited_by=inviter) for uid in new]
    )
    group.member_count += len(new)
    group.save(update_fields=["member_count"])
    if new:
        publish_on_commit(
            {"type": "group.joined", "group_id": group.pk, "by_user_id": inviter.pk},
            to=[rt_groups.user(uid) for uid in new],
        )
    return new


def group_create(*, owner: User, name: str, member_ids=()) -> Group:
    name = _name_clean(name)
    members = _invitees_clean(owner, member_ids)
    if len(members) + 1 > _max_members():
        raise ApplicationError(
            "group_full", _("A group has at most %(n)d members.") % {"n": _max_members()}, status=409
        )
    with transaction.atomic():
        group = Group.objects.create(name=name, owner=owner, member_count=1)
        GroupMembership.objects.create(group=group, user=owner)
        _add_members(group, owner, members)
    return group


def group_invite(*, inviter: User, group_id: int, user_ids) -> list[int]:
    """Members invite their own friends. Returns the ids actually added."""
    with transaction.atomic():
        group = _locked_group_for_member(inviter, group_id)
        return _add_members(group, inviter, _invitees_clean(inviter, user_ids))


def group_update(*, user: User, group_id: int, name: str | None = None, notice: str | None = None) -> Group:
    with transaction.atomic():
        group = _locked_group_for_member(user, group_id)
        _require_owner(user, group)
        if name is not None:
            group.name = _name_clean(name)
        if notice is not None:
            if len(notice) > NOTICE_MAX:
                raise validation_error(
                    "notice", "notice_too_long", _("A notice has at most 1,000 characters.")
                )
            group.notice = plain_text(notice, multiline=True)
        group.save(update_fields=["name", "notice"])
    return group


def _remove(group: Group, user_id: int) -> None:
    GroupMembership.objects.filter(group=group, user_id=user_id).delete()
    group.member_count -= 1
    group.save(update_fields=["member_count"])


def group_leave(*, user: User, group_id: int) -> None:
    """Leave a group. The owner hands it over first — unless they are the last member, in
    which case the group is dissolved."""
    with transaction.atomic():
        group = _locked_group_for_member(user, group_id)
        if group.owner_id == user.pk:
            if group.member_count > 1:
                raise ApplicationError(
                    "owner_must_hand_over",
                    _("Hand the group over to another member before leaving."),
                    status=409,
                )
            group.delete()
            return
        _remove(group, user.pk)


def group_member_remove(*, owner: User, group_id: int, user_id: int) -> None:
    with transaction.atomic():
        group = _locked_group_for_member(owner, group_id)
        _require_owner(owner, group)
        if user_id == owner.pk:
            raise validation_error("user_id", "remove_self", _("Use “leave” to leave your own group."))
        if not selectors.is_group_member(user=user_id, group=group):
            raise NotFound("member_not_found", _("This person is not in the group."))
        _remove(group, user_id)


def group_owner_transfer(*, owner: User, group_id: int, new_owner_id: int) -> Group:
    with transaction.atomic():
        group = _locked_group_for_member(owner, group_id)
        _require_owner(owner, group)
        if new_owner_id == owner.pk or not selectors.is_group_member(user=new_owner_id, group=group):
            raise validation_error("user_id", "member_not_found", _("Choose another member of the group."))
        group.owner_id = new_owner_id
        group.save(update_fields=["owner"])
    return group
