"""Every read of the social graph. Each selector runs a fixed number of queries, whatever
the number of friends (tests assert the bounds at 5,000 friends)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from lifecircle.accounts.models import User
from lifecircle.accounts.validators import looks_like_mobile, normalize_mobile
from lifecircle.social.models import (
    Block,
    FriendLink,
    FriendRequest,
    Friendship,
    FriendTag,
    Group,
    GroupMembership,
    PostFilter,
    PostHistory,
    PrivacySettings,
)

HISTORY_DAYS = {PostHistory.SIX_MONTHS: 183, PostHistory.THIRTY_DAYS: 30, PostHistory.THREE_DAYS: 3}


# --- friends --------------------------------------------------------------------------------
def friend_ids(*, user: User) -> set[int]:
    return set(Friendship.objects.filter(user=user).values_list("friend_id", flat=True))


def friendships_for(*, user: User) -> QuerySet[Friendship]:
    """``user``'s friends with their remarks, names and identities, for a list page."""
    return (
        Friendship.objects.filter(user=user)
        .select_related("friend", "friend__identity")
        .order_by("remark", "friend__nickname", "friend__username")
    )


def are_friends(a: User | int, b: User | int) -> bool:
    a_id, b_id = _pk(a), _pk(b)
    if a_id is None or b_id is None or a_id == b_id:
        return False
    return Friendship.objects.filter(user_id=a_id, friend_id=b_id).exists()


def friendship_get(*, user: User, friend_id: int) -> Friendship | None:
    return (
        Friendship.objects.select_related("friend", "friend__identity")
        .filter(user=user, friend_id=friend_id)
        .first()
    )


def mutual_friend_ids(a: User, b: User) -> set[int]:
    """Friends both ``a`` and ``b`` have — one query, a semi-join on the friendship index."""
    return set(
        Friendship.objects.filter(
            user=a, friend_id__in=Friendship.objects.filter(user=b).values("friend_id")
        ).values_list("friend_id", flat=True)
    )


def remarks_for(*, viewer: User, user_ids) -> dict[int, str]:
    return dict(
        Friendship.objects.filter(user=viewer, friend_id__in=list(user_ids)).values_list(
            "friend_id", "remark"
        )
    )


def tags_for(*, user: User) -> QuerySet[FriendTag]:
    return FriendTag.objects.filter(owner=user).prefetch_related("members")


# --- blocks ---------------------------------------------------------------------------------
def is_blocked_between(a: User | int, b: User | int) -> bool:
    """Has either blocked the other?"""
    a_id, b_id = _pk(a), _pk(b)
    return Block.objects.filter(
        Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id)
    ).exists()


def has_blocked(blocker: User | int, blocked: User | int) -> bool:
    return Block.objects.filter(blocker_id=_pk(blocker), blocked_id=_pk(blocked)).exists()


def blocked_ids_either_way(*, user: User) -> set[int]:
    """Everyone ``user`` blocked or who blocked ``user``: hidden from each other everywhere."""
    rows = Block.objects.filter(Q(blocker=user) | Q(blocked=user)).values_list("blocker_id", "blocked_id")
    return {b if a == user.pk else a for a, b in rows}


def blocks_made_by(*, user: User) -> QuerySet[Block]:
    return Block.objects.filter(blocker=user).select_related("blocked").order_by("-created_at")


# --- privacy and posts ----------------------------------------------------------------------
def privacy_for(*, user: User) -> PrivacySettings:
    """The user's settings, or the defaults (unsaved) if they never changed any."""
    return PrivacySettings.objects.filter(user=user).first() or PrivacySettings(user=user)


def post_filter_ids(*, user: User, kind: str) -> set[int]:
    return set(PostFilter.objects.filter(owner=user, kind=kind).values_list("other_id", flat=True))


def _history_since(history: str, now: dt.datetime) -> dt.datetime | None:
    days = HISTORY_DAYS.get(history)
    return now - dt.timedelta(days=days) if days else None


@dataclass(frozen=True)
class PostAccess:
    """What ``viewer`` may see of ``author``'s posts: ``allowed`` at all; only posts created
    at or after ``since`` (the author's how-far-back setting; None = all); ``is_friend`` for
    friends-only audiences; ``muted`` when the viewer asked not to see them in the timeline."""

    allowed: bool
    is_friend: bool
    since: dt.datetime | None = None
    muted: bool = False


def post_access(*, viewer: User | None, author: User) -> PostAccess:
    """May ``viewer`` see ``author``'s posts? (Each post's own audience is checked by the feed.)"""
    if viewer is not None and viewer.is_authenticated and viewer.pk == author.pk:
        return PostAccess(allowed=True, is_friend=True)
    if viewer is None or not viewer.is_authenticated:
        return PostAccess(allowed=False, is_friend=False)
    if is_blocked_between(viewer, author):
        return PostAccess(allowed=False, is_friend=False)
    filters = set(
        PostFilter.objects.filter(
            Q(owner=author, other=viewer, kind=PostFilter.Kind.HIDE_MINE)
            | Q(owner=viewer, other=author, kind=PostFilter.Kind.MUTE)
        ).values_list("kind", flat=True)
    )
    if PostFilter.Kind.HIDE_MINE in filters:
        return PostAccess(allowed=False, is_friend=are_friends(viewer, author))
    since = _history_since(privacy_for(user=author).post_history, timezone.now())
    return PostAccess(
        allowed=True,
        is_friend=are_friends(viewer, author),
        since=since,
        muted=PostFilter.Kind.MUTE in filters,
    )


def timeline_authors(*, viewer: User) -> dict[int, dt.datetime | None]:
    """Authors whose posts go into ``viewer``'s timeline, with each one's cut-off: the
    viewer and their friends, minus blocks either way, minus friends who hide their posts from
    the viewer, minus friends the viewer muted. Four queries for any number of friends."""
    now = timezone.now()
    friends = dict(
        Friendship.objects.filter(user=viewer).values_list("friend_id", "friend__privacy__post_history")
    )
    excluded = blocked_ids_either_way(user=viewer)
    excluded |= set(
        PostFilter.objects.filter(other=viewer, kind=PostFilter.Kind.HIDE_MINE).values_list(
            "owner_id", flat=True
        )
    )
    excluded |= post_filter_ids(user=viewer, kind=PostFilter.Kind.MUTE)
    authors = {
        fid: _history_since(history or PostHistory.ALL, now)
        for fid, history in friends.items()
        if fid not in excluded
    }
    authors[viewer.pk] = None
    return authors


# --- finding people -------------------------------------------------------------------------
def user_find_for_request(*, viewer: User, identifier: str) -> tuple[User, str] | None:
    """The person ``viewer`` may find by mobile number or username, with how they were found;
    None when nobody matches, they don't allow being found that way, or a block stands
    between them (a blocked user cannot find the blocker)."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    if looks_like_mobile(identifier):
        source = FriendRequest.Source.MOBILE
        user = User.objects.filter(mobile=normalize_mobile(identifier), is_active=True).first()
    else:
        source = FriendRequest.Source.USERNAME
        user = User.objects.filter(username__iexact=identifier, is_active=True).first()
    if user is None or user.pk == viewer.pk:
        return (user, source) if user is not None else None
    privacy = privacy_for(user=user)
    findable = (
        privacy.findable_by_mobile if source == FriendRequest.Source.MOBILE else privacy.findable_by_username
    )
    if not findable and not are_friends(viewer, user):
        return None
    if has_blocked(user, viewer):
        return None
    return user, source


def friend_link_get(*, token: str) -> FriendLink | None:
    return (
        FriendLink.objects.select_related("owner")
        .filter(token=token, expires_at__gt=timezone.now(), owner__is_active=True)
        .first()
    )


# --- requests -------------------------------------------------------------------------------
def friend_requests_received(*, user: User) -> QuerySet[FriendRequest]:
    """Pending, unexpired requests to ``user`` (ignored ones are not shown again)."""
    return (
        FriendRequest.objects.filter(
            to_user=user, status=FriendRequest.Status.PENDING, expires_at__gt=timezone.now()
        )
        .exclude(from_user__in=Block.objects.filter(blocker=user).values("blocked"))
        .select_related("from_user", "from_user__identity")
    )


def friend_requests_sent(*, user: User) -> QuerySet[FriendRequest]:
    return FriendRequest.objects.filter(from_user=user).select_related("to_user", "to_user__identity")[:50]


# --- groups ---------------------------------------------------------------------------------
def groups_for(*, user: User) -> QuerySet[Group]:
    return Group.objects.filter(memberships__user=user).order_by("name", "id")


def group_for_member(*, user: User, group_id: int) -> Group | None:
    """The group, if ``user`` is a member; otherwise None (non-members can't tell it exists)."""
    return Group.objects.filter(pk=group_id, memberships__user=user).select_related("owner").first()


def is_group_member(*, user: User | int, group: Group | int) -> bool:
    return GroupMembership.objects.filter(user_id=_pk(user), group_id=_pk(group)).exists()


def group_members(*, group: Group) -> QuerySet[GroupMembership]:
    return GroupMembership.objects.filter(group=group).select_related("user", "user__identity")


def _pk(obj) -> int | None:
    if obj is None:
        return None
    return obj if isinstance(obj, int) else obj.pk
