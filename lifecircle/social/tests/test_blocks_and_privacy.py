import datetime as dt

import pytest
from django.utils import timezone

from lifecircle.accounts.selectors import user_get_for_viewer
from lifecircle.core.testing.asserts import raises_code
from lifecircle.core.testing.factories import make_friends, make_user
from lifecircle.social import selectors, services
from lifecircle.social.models import FriendRequest, PostFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def lily(db):
    return make_user("lily_chen", mobile=None)


@pytest.fixture
def bob(db):
    return make_user(mobile="13900002222")


def test_blocking_ends_the_friendship_and_pending_requests(lily, bob):
    make_friends(lily, bob)
    carol = make_user("carol_x")
    services.friend_request_send(sender=carol, identifier="lily_chen")
    services.block_create(user=lily, target_id=bob.pk)
    services.block_create(user=lily, target_id=carol.pk)
    assert not selectors.are_friends(lily, bob) and not selectors.are_friends(bob, lily)
    assert FriendRequest.objects.get().status == "cancelled"
    services.block_create(user=lily, target_id=bob.pk)  # blocking twice is harmless


def test_a_blocked_person_cannot_find_request_or_see_the_blocker(lily, bob):
    services.block_create(user=lily, target_id=bob.pk)
    raises_code("user_not_found", services.friend_request_send, sender=bob, identifier="lily_chen")
    link = services.friend_link_create(user=lily)
    raises_code("user_not_found", services.friend_request_send, sender=bob, link_token=link.token)
    assert selectors.user_find_for_request(viewer=bob, identifier="lily_chen") is None
    assert user_get_for_viewer(viewer=bob, user_id=lily.pk) is None
    assert user_get_for_viewer(viewer=lily, user_id=bob.pk) is None  # hidden both ways
    assert not selectors.post_access(viewer=bob, author=lily).allowed
    assert not selectors.post_access(viewer=lily, author=bob).allowed
    # The blocker is told to unblock first.
    raises_code("user_blocked", services.friend_request_send, sender=lily, identifier=bob.mobile)


def test_unblocking_does_not_restore_the_friendship(lily, bob):
    make_friends(lily, bob)
    services.block_create(user=lily, target_id=bob.pk)
    services.block_remove(user=lily, target_id=bob.pk)
    assert not selectors.are_friends(lily, bob)
    assert services.friend_request_send(sender=bob, identifier="lily_chen").status == "pending"
    raises_code("block_not_found", services.block_remove, user=lily, target_id=bob.pk)
    raises_code("block_self", services.block_create, user=lily, target_id=lily.pk)


def test_a_block_stops_a_pending_request_from_being_accepted(lily, bob):
    request = services.friend_request_send(sender=bob, identifier="lily_chen")
    services.block_create(user=bob, target_id=lily.pk)
    raises_code(
        "request_answered", services.friend_request_answer, user=lily, request_id=request.pk, action="accept"
    )


# post_access: (relationship, settings) → what the viewer may see of the author's posts.
@pytest.mark.parametrize(
    ("setup", "allowed", "is_friend", "muted"),
    [
        ("self", True, True, False),
        ("stranger", True, False, False),
        ("friend", True, True, False),
        ("friend_hidden_from_viewer", False, True, False),
        ("friend_muted_by_viewer", True, True, True),
        ("author_blocked_viewer", False, False, False),
        ("viewer_blocked_author", False, False, False),
        ("anonymous", False, False, False),
    ],
)
def test_post_access_matrix(lily, bob, setup, allowed, is_friend, muted):
    author, viewer = lily, bob
    if setup.startswith("friend"):
        make_friends(author, viewer)
    if setup == "friend_hidden_from_viewer":
        services.post_filter_set(user=author, other_id=viewer.pk, kind=PostFilter.Kind.HIDE_MINE, on=True)
    if setup == "friend_muted_by_viewer":
        services.post_filter_set(user=viewer, other_id=author.pk, kind=PostFilter.Kind.MUTE, on=True)
    if setup == "author_blocked_viewer":
        services.block_create(user=author, target_id=viewer.pk)
    if setup == "viewer_blocked_author":
        services.block_create(user=viewer, target_id=author.pk)
    if setup == "self":
        viewer = author
    if setup == "anonymous":
        viewer = None
    access = selectors.post_access(viewer=viewer, author=author)
    assert (access.allowed, access.is_friend, access.muted) == (allowed, is_friend, muted)


@pytest.mark.parametrize(("history", "days"), [("all", None), ("6m", 183), ("30d", 30), ("3d", 3)])
def test_how_far_back_others_may_see(lily, bob, history, days):
    make_friends(lily, bob)
    services.privacy_update(user=lily, post_history=history)
    since = selectors.post_access(viewer=bob, author=lily).since
    if days is None:
        assert since is None
    else:
        assert abs((timezone.now() - since) - dt.timedelta(days=days)) < dt.timedelta(seconds=5)
    assert selectors.post_access(viewer=lily, author=lily).since is None  # never for oneself
    assert (
        selectors.timeline_authors(viewer=bob)[lily.pk] == pytest.approx(since, abs=dt.timedelta(seconds=5))
        if since
        else True
    )


def test_bad_privacy_values(lily, bob):
    raises_code("post_history_invalid", services.privacy_update, user=lily, post_history="1y")
    raises_code(
        "friend_not_found", services.post_filter_set, user=lily, other_id=bob.pk, kind="mute", on=True
    )
    raises_code(
        "post_filter_invalid", services.post_filter_set, user=lily, other_id=bob.pk, kind="x", on=True
    )


def test_timeline_authors(lily, bob):
    friends = [make_user(f"friend_{i}x") for i in range(5)]
    for f in friends:
        make_friends(bob, f)
    services.post_filter_set(user=friends[0], other_id=bob.pk, kind=PostFilter.Kind.HIDE_MINE, on=True)
    services.post_filter_set(user=bob, other_id=friends[1].pk, kind=PostFilter.Kind.MUTE, on=True)
    services.block_create(user=friends[2], target_id=bob.pk)
    services.privacy_update(user=friends[3], post_history="3d")
    authors = selectors.timeline_authors(viewer=bob)
    assert set(authors) == {bob.pk, friends[3].pk, friends[4].pk}
    assert authors[bob.pk] is None and authors[friends[4].pk] is None
    assert authors[friends[3].pk] > timezone.now() - dt.timedelta(days=3, seconds=5)
    assert lily.pk not in authors  # strangers' posts are not in the timeline
