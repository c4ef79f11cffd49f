"""Who sees a post: the audience × the viewer's relationship × blocks × privacy settings,
checked three ways — the post itself, the timeline and the author's page — which must agree."""

import datetime as dt

import pytest
from django.utils import timezone

from lifecircle.core.testing.factories import make_friends, make_user
from lifecircle.feed import selectors, services
from lifecircle.feed.models import Post
from lifecircle.social import services as social
from lifecircle.social.models import PostFilter

pytestmark = pytest.mark.django_db

RELATIONS = [
    "self",
    "friend",
    "named_friend",
    "stranger",
    "blocked_by_author",
    "blocker_of_author",
    "hidden_from",
    "muting_viewer",
]
AUDIENCES = ["public", "friends", "private", "include", "exclude"]

# audience → relation → (sees the post itself, sees it in the timeline)
EXPECTED = {
    "public": dict(
        self=(1, 1),
        friend=(1, 1),
        named_friend=(1, 1),
        stranger=(1, 0),
        blocked_by_author=(0, 0),
        blocker_of_author=(0, 0),
        hidden_from=(0, 0),
        muting_viewer=(1, 0),
    ),
    "friends": dict(
        self=(1, 1),
        friend=(1, 1),
        named_friend=(1, 1),
        stranger=(0, 0),
        blocked_by_author=(0, 0),
        blocker_of_author=(0, 0),
        hidden_from=(0, 0),
        muting_viewer=(1, 0),
    ),
    "private": dict(
        self=(1, 1),
        friend=(0, 0),
        named_friend=(0, 0),
        stranger=(0, 0),
        blocked_by_author=(0, 0),
        blocker_of_author=(0, 0),
        hidden_from=(0, 0),
        muting_viewer=(0, 0),
    ),
    "include": dict(
        self=(1, 1),
        friend=(0, 0),
        named_friend=(1, 1),
        stranger=(0, 0),
        blocked_by_author=(0, 0),
        blocker_of_author=(0, 0),
        hidden_from=(0, 0),
        muting_viewer=(0, 0),
    ),
    "exclude": dict(
        self=(1, 1),
        friend=(1, 1),
        named_friend=(0, 0),
        stranger=(0, 0),
        blocked_by_author=(0, 0),
        blocker_of_author=(0, 0),
        hidden_from=(0, 0),
        muting_viewer=(1, 0),
    ),
}


def world(relation: str, audience: str):
    author = make_user("author_x")
    named = make_user("named_x")
    make_friends(author, named)
    if relation == "self":
        viewer = author
    elif relation == "named_friend":
        viewer = named
    else:
        viewer = make_user("viewer_x")
        if relation in ("friend", "hidden_from", "muting_viewer", "blocked_by_author", "blocker_of_author"):
            make_friends(author, viewer)
        if relation == "hidden_from":
            social.post_filter_set(user=author, other_id=viewer.pk, kind=PostFilter.Kind.HIDE_MINE, on=True)
        if relation == "muting_viewer":
            social.post_filter_set(user=viewer, other_id=author.pk, kind=PostFilter.Kind.MUTE, on=True)
        if relation == "blocked_by_author":
            social.block_create(user=author, target_id=viewer.pk)
        if relation == "blocker_of_author":
            social.block_create(user=viewer, target_id=author.pk)
    post = services.post_create(
        author=author,
        text="hello",
        audience=audience,
        audience_user_ids=[named.pk] if audience in ("include", "exclude") else [],
    )
    return author, viewer, post


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("audience", AUDIENCES)
def test_visibility_matrix(audience, relation):
    author, viewer, post = world(relation, audience)
    sees, in_timeline = EXPECTED[audience][relation]
    assert selectors.post_visible(viewer=viewer, post=post) is bool(sees)
    assert (post in selectors.timeline(viewer=viewer)[0]) is bool(in_timeline)
    # The author's page shows exactly what the viewer may see (muting only affects the timeline).
    assert (post in selectors.posts_of(viewer=viewer, author=author)[0]) is bool(sees)


def test_anonymous_sees_nothing():
    author = make_user("author_x")
    post = services.post_create(author=author, text="hello", audience="public")
    assert not selectors.post_visible(viewer=None, post=post)


def test_tags_expand_into_the_audience():
    author, a, b = make_user("author_x"), make_user("anna_x"), make_user("bella_x")
    make_friends(author, a)
    make_friends(author, b)
    tag = social.tag_create(user=author, name="Family", member_ids=[a.pk])
    post = services.post_create(
        author=author, text="family only", audience="include", audience_tag_ids=[tag.pk]
    )
    assert selectors.post_visible(viewer=a, post=post) and not selectors.post_visible(viewer=b, post=post)


@pytest.mark.parametrize(
    ("history", "old_days", "visible"),
    [
        ("all", 400, True),
        ("6m", 170, True),
        ("6m", 200, False),
        ("30d", 29, True),
        ("30d", 31, False),
        ("3d", 4, False),
    ],
)
def test_how_far_back(history, old_days, visible):
    author, viewer = make_user("author_x"), make_user("viewer_x")
    make_friends(author, viewer)
    social.privacy_update(user=author, post_history=history)
    post = services.post_create(author=author, text="old", audience="friends")
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - dt.timedelta(days=old_days))
    post.refresh_from_db()
    assert selectors.post_visible(viewer=viewer, post=post) is visible
    assert (post in selectors.timeline(viewer=viewer)[0]) is visible
    assert (post in selectors.posts_of(viewer=viewer, author=author)[0]) is visible
    assert post in selectors.posts_of(viewer=author, author=author)[0]  # never hidden from its author


def test_deleted_posts_disappear():
    author, viewer = make_user("author_x"), make_user("viewer_x")
    make_friends(author, viewer)
    post = services.post_create(author=author, text="oops", audience="friends")
    services.post_delete(user=author, post_id=post.pk)
    assert selectors.timeline(viewer=viewer)[0] == [] and selectors.timeline(viewer=author)[0] == []


def test_timeline_pages_are_stable_while_new_posts_arrive():
    author, viewer = make_user("author_x"), make_user("viewer_x")
    make_friends(author, viewer)
    posts = [services.post_create(author=author, text=f"post {i}") for i in range(25)]
    page1, cursor = selectors.timeline(viewer=viewer, limit=10)
    assert page1 == posts[::-1][:10]
    for i in range(5):
        services.post_create(author=author, text=f"new {i}")
    page2, cursor = selectors.timeline(viewer=viewer, cursor=cursor, limit=10)
    page3, cursor = selectors.timeline(viewer=viewer, cursor=cursor, limit=10)
    assert page2 + page3 == posts[::-1][10:] and cursor is None


@pytest.mark.parametrize("friends", [15, 40])
def test_timeline_query_count_is_bounded(django_assert_max_num_queries, friends):
    """Graph 4 + posts 1 + images 1 + likes, comments, tips, names 4 — whatever the numbers."""
    viewer = make_user("viewer_x")
    for i in range(friends):
        friend = make_user(f"friend_{i}x")
        make_friends(viewer, friend)
        post = services.post_create(author=friend, text="hi")
        services.like_set(user=viewer, post_id=post.pk)
        services.comment_create(user=friend, post_id=post.pk, text="first")
    with django_assert_max_num_queries(10):
        posts, _cursor = selectors.timeline(viewer=viewer)
        views = selectors.post_views(viewer=viewer, posts=posts)
        [list(v.post.images.all()) for v in views]
    assert len(posts) == 10
