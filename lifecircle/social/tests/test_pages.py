import re

import pytest
from django.test import Client

from lifecircle.core.testing.factories import make_friends, make_user
from lifecircle.social import selectors, services
from lifecircle.social.models import FriendRequest, Group

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def lily(db):
    return make_user("lily_chen", verified=True, legal_name="李小明", language="en")


@pytest.fixture
def bob(db):
    return make_user(mobile="13900002222", verified=True, legal_name="王大卫", language="en")


def test_find_request_and_accept_through_the_pages(lily, bob):
    c_lily, c_bob = client_for(lily), client_for(bob)
    found = c_lily.get("/friends/find/?q=139 0000 2222").content.decode()
    assert "**卫" in found and "王大卫" not in found
    r = c_lily.post("/friends/find/", {"identifier": "13900002222", "message": "Lily here"})
    assert r.status_code == 302
    inbox = c_bob.get("/friends/requests/").content.decode()
    assert "Lily here" in inbox and "**明" in inbox
    request = FriendRequest.objects.get()
    assert c_bob.post(f"/friends/requests/{request.pk}/accept/").status_code == 302
    assert selectors.are_friends(lily, bob)
    listing = c_lily.get("/friends/").content.decode()
    assert "王大卫" in listing and 'data-testid="friend-list"' in listing


def test_errors_are_shown_as_messages(lily, bob):
    c = client_for(lily)
    r = c.post("/friends/find/", {"identifier": "13900009999"}, follow=True)
    assert "No one can be found with this mobile number or username." in r.content.decode()


def test_person_page_for_a_friend_a_stranger_and_a_blocker(lily, bob):
    make_friends(lily, bob)
    page = client_for(lily).get(f"/friends/u/{bob.pk}/").content.decode()
    assert "王大卫" in page and "Remove friend" in page
    stranger = make_user("carol_x")
    page = client_for(stranger).get(f"/friends/u/{bob.pk}/").content.decode()
    assert "**卫" in page and "Remove friend" not in page
    services.block_create(user=bob, target_id=stranger.pk)
    assert client_for(stranger).get(f"/friends/u/{bob.pk}/").status_code == 404


def test_remark_block_and_unblock_from_the_person_page(lily, bob):
    make_friends(lily, bob)
    c = client_for(lily)
    c.post(f"/friends/u/{bob.pk}/remark/", {"remark": "大卫"})
    assert "大卫 (王大卫)" in c.get("/friends/").content.decode().replace(
        '</strong><span class="muted" data-testid="real-name">', " ("
    ).replace("</span></span>", ")")
    c.post(f"/friends/u/{bob.pk}/block/")
    assert not selectors.are_friends(lily, bob)
    assert "王大卫" not in c.get("/friends/blocked/").content.decode()  # masked now
    c.post(f"/friends/u/{bob.pk}/unblock/")
    assert not selectors.has_blocked(lily, bob)


def test_qr_page_shows_a_code_and_the_link_adds_a_friend(lily, bob):
    services.privacy_update(user=lily, findable_by_mobile=False, findable_by_username=False)
    page = client_for(lily).get("/friends/qr/").content.decode()
    assert "<svg" in page
    link = re.search(r'data-testid="friend-link">([^<]+)<', page).group(1)
    path = link.split("testserver")[1]
    c_bob = client_for(bob)
    assert "Add friend" in c_bob.get(path).content.decode()
    c_bob.post(path, {"message": "from the QR"})
    assert FriendRequest.objects.get().source == "link"
    assert client_for(bob).get("/friends/add/nope/").status_code == 404


def test_privacy_page_saves_settings(lily):
    c = client_for(lily)
    c.post("/friends/privacy/", {"findable_by_username": "on", "post_history": "30d"})
    p = selectors.privacy_for(user=lily)
    assert (p.findable_by_mobile, p.findable_by_username, p.post_history) == (False, True, "30d")


def test_groups_pages(lily, bob):
    make_friends(lily, bob)
    c = client_for(lily)
    c.post("/friends/groups/", {"name": "Family", "member_ids": [bob.pk]})
    group = Group.objects.get()
    page = client_for(bob).get(f"/friends/groups/{group.pk}/").content.decode()
    assert "Family" in page and "李小明" in page and "Owner" in page
    c.post(f"/friends/groups/{group.pk}/update/", {"name": "Family", "notice": "Dinner at 7"})
    assert "Dinner at 7" in client_for(bob).get(f"/friends/groups/{group.pk}/").content.decode()
    assert client_for(make_user("carol_x")).get(f"/friends/groups/{group.pk}/").status_code == 404
    r = client_for(bob).post(f"/friends/groups/{group.pk}/update/", {"name": "Mine"}, follow=True)
    assert "Only the group owner can do this." in r.content.decode()


@pytest.mark.parametrize(
    ("lang", "title"), [("en", "Friend requests"), ("zh-hans", "好友请求"), ("zh-hant", "好友邀請")]
)
def test_friends_pages_in_each_language(lang, title):
    c = client_for(make_user("lily_chen", language=lang))
    for path in (
        "/friends/",
        "/friends/requests/",
        "/friends/privacy/",
        "/friends/groups/",
        "/friends/tags/",
        "/friends/qr/",
    ):
        assert c.get(path).status_code == 200
    assert title in c.get("/friends/").content.decode()


def test_the_blocker_can_unblock_from_the_blocked_persons_page(lily, bob):
    services.block_create(user=lily, target_id=bob.pk)
    page = client_for(lily).get(f"/friends/u/{bob.pk}/").content.decode()
    assert "Unblock" in page and "Remove friend" not in page
    assert client_for(bob).get(f"/friends/u/{lily.pk}/").status_code == 404  # still hidden the other way
