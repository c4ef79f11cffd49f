"""The selectors later features rely on run a fixed number of queries, even for someone with
5,000 friends."""

import pytest

from lifecircle.accounts.models import User
from lifecircle.accounts.selectors import display_names_for
from lifecircle.core.testing.factories import make_user
from lifecircle.social import selectors, services
from lifecircle.social.models import Friendship, PostFilter

pytestmark = pytest.mark.django_db

N = 5000


@pytest.fixture
def crowd(db):
    """``star`` with 5,000 friends (bulk-made), ``other`` sharing 1,000 of them."""
    star, other = make_user("star_x"), make_user("other_x")
    users = User.objects.bulk_create([User(username=f"crowd{i:05d}", password="!") for i in range(N)])
    Friendship.objects.bulk_create(
        [Friendship(user=star, friend=u) for u in users]
        + [Friendship(user=u, friend=star) for u in users]
        + [Friendship(user=other, friend=u) for u in users[:1000]]
        + [Friendship(user=u, friend=other) for u in users[:1000]],
        batch_size=2000,
    )
    services.post_filter_set(user=star, other_id=users[0].pk, kind=PostFilter.Kind.MUTE, on=True)
    services.block_create(user=users[1], target_id=star.pk)
    return star, other, users


def test_friend_selectors_are_bounded(crowd, django_assert_max_num_queries):
    star, other, users = crowd
    with django_assert_max_num_queries(1):
        assert len(selectors.friend_ids(user=star)) == N - 1  # the blocker is no longer a friend
    with django_assert_max_num_queries(1):
        assert selectors.are_friends(star, users[4999])
    with django_assert_max_num_queries(1):
        assert len(selectors.mutual_friend_ids(star, other)) == 999
    with django_assert_max_num_queries(1):
        assert len(selectors.blocked_ids_either_way(user=star)) == 1
    with django_assert_max_num_queries(4):
        authors = selectors.timeline_authors(viewer=star)
    assert len(authors) == N - 2 + 1  # minus the muted and the blocker, plus star
    with django_assert_max_num_queries(5):
        assert selectors.post_access(viewer=users[10], author=star).allowed


def test_names_for_a_page_of_people_are_one_query(crowd, django_assert_max_num_queries):
    star, _other, _users = crowd
    page = list(User.objects.select_related("identity").filter(username__startswith="crowd")[:50])
    with django_assert_max_num_queries(1):
        names = display_names_for(star, page)
    assert len(names) == 50


def test_friend_list_api_is_bounded(crowd, api_client, django_assert_max_num_queries):
    star, _other, _users = crowd
    api_client.as_user(star)
    with django_assert_max_num_queries(8):
        r = api_client.get("/api/v1/friends")
    assert r.status_code == 200 and len(r.json()) == N - 1
