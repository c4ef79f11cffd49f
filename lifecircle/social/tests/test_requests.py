import datetime as dt

import pytest
from django.utils import timezone

from lifecircle.accounts.selectors import display_name_for
from lifecircle.core.testing.asserts import raises_code
from lifecircle.core.testing.factories import make_friends, make_user
from lifecircle.social import selectors, services
from lifecircle.social.models import FriendLink, FriendRequest, Friendship

pytestmark = pytest.mark.django_db


@pytest.fixture
def lily(db):
    return make_user("lily_chen", mobile=None, verified=True, legal_name="李小明")


@pytest.fixture
def bob(db):
    return make_user(mobile="13900002222", verified=True, legal_name="王大卫")


def send(sender, identifier, message=""):
    return services.friend_request_send(sender=sender, identifier=identifier, message=message)


def accept(user, request):
    return services.friend_request_answer(user=user, request_id=request.pk, action="accept")


def test_find_by_mobile_request_accept_and_see_real_names(lily, bob):
    assert display_name_for(lily, bob).real_name == "**卫"
    request = send(lily, "139 0000 2222", "Hi, it's Lily")
    assert (request.source, request.message, request.status) == ("mobile", "Hi, it's Lily", "pending")
    assert list(selectors.friend_requests_received(user=bob)) == [request]
    accept(bob, request)
    assert selectors.are_friends(lily, bob) and selectors.are_friends(bob, lily)
    assert Friendship.objects.count() == 2
    assert display_name_for(lily, bob).real_name == "王大卫"
    assert display_name_for(bob, lily).real_name == "李小明"
    assert not selectors.friend_requests_received(user=bob).exists()


def test_find_by_username(lily, bob):
    request = send(bob, "LILY_CHEN")
    assert request.source == "username" and request.to_user == lily


def test_people_who_turned_off_finding_cannot_be_found_that_way(lily, bob):
    services.privacy_update(user=bob, findable_by_mobile=False)
    raises_code("user_not_found", send, sender=lily, identifier="13900002222")
    assert send(lily, bob.username).to_user == bob  # still findable by username
    services.privacy_update(user=lily, findable_by_username=False)
    raises_code("user_not_found", send, sender=bob, identifier="lily_chen")


def test_a_qr_link_works_even_when_not_findable_and_expires(lily, bob):
    services.privacy_update(user=bob, findable_by_mobile=False, findable_by_username=False)
    link = services.friend_link_create(user=bob)
    assert services.friend_link_create(user=bob) == link  # the same code while it is valid
    request = services.friend_request_send(sender=lily, link_token=link.token)
    assert (request.to_user, request.source) == (bob, "link")
    FriendLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    raises_code(
        "link_expired", services.friend_request_send, sender=make_user("carol_x"), link_token=link.token
    )
    raises_code("link_expired", services.friend_request_send, sender=lily, link_token="no-such-token")


def test_no_duplicate_pending_requests(lily, bob):
    send(lily, bob.mobile)
    raises_code("request_pending", send, sender=lily, identifier=bob.mobile)
    assert FriendRequest.objects.count() == 1


def test_crossing_requests_make_friends_at_once(lily, bob):
    send(lily, bob.mobile)
    result = send(bob, "lily_chen")
    assert result.status == "accepted"
    assert selectors.are_friends(lily, bob)
    assert set(FriendRequest.objects.values_list("status", flat=True)) == {"accepted"}


def test_requests_expire_after_seven_days(lily, bob):
    request = send(lily, bob.mobile)
    FriendRequest.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert not selectors.friend_requests_received(user=bob).exists()
    raises_code("request_expired", accept, user=bob, request=request)
    assert send(lily, bob.mobile).status == "pending"  # a new request may be sent
    assert request.expires_at - request.created_at == dt.timedelta(days=7)


def test_decline_and_ignore(lily, bob):
    request = send(lily, bob.mobile)
    declined = services.friend_request_answer(user=bob, request_id=request.pk, action="decline")
    assert declined.status == "declined" and not selectors.are_friends(lily, bob)
    raises_code("request_answered", accept, user=bob, request=request)
    again = send(lily, bob.mobile)
    services.friend_request_answer(user=bob, request_id=again.pk, action="ignore")
    assert not selectors.friend_requests_received(user=bob).exists()
    raises_code(
        "action_invalid", services.friend_request_answer, user=bob, request_id=again.pk, action="maybe"
    )


def test_only_the_recipient_answers_and_only_the_sender_cancels(lily, bob):
    request = send(lily, bob.mobile)
    raises_code("request_not_found", accept, user=lily, request=request)
    raises_code("request_not_found", accept, user=make_user("carol_x"), request=request)
    raises_code("request_not_found", services.friend_request_cancel, user=bob, request_id=request.pk)
    services.friend_request_cancel(user=lily, request_id=request.pk)
    raises_code("request_answered", accept, user=bob, request=request)


@pytest.mark.parametrize(
    ("identifier", "code"),
    [("13900009999", "user_not_found"), ("nobody_here", "user_not_found"), ("", "user_not_found")],
)
def test_requests_to_unknown_people(lily, identifier, code):
    raises_code(code, send, sender=lily, identifier=identifier)


def test_request_to_self_and_to_a_friend(lily, bob):
    raises_code("request_to_self", send, sender=lily, identifier="lily_chen")
    make_friends(lily, bob)
    raises_code("already_friends", send, sender=lily, identifier=bob.mobile)


def test_oversize_message(lily, bob):
    err = raises_code("message_too_long", send, sender=lily, identifier=bob.mobile, message="好" * 101)
    assert "message" in err.fields
    assert not FriendRequest.objects.exists()
    assert send(lily, bob.mobile, "好" * 100).message == "好" * 100


def test_daily_request_limit(lily, settings):
    settings.LIFECIRCLE = {**settings.LIFECIRCLE, "FRIEND_REQUESTS_PER_DAY": 2}
    for i in range(2):
        send(lily, make_user(f"friend_{i}x").username)
    err = raises_code("friend_request_limit", send, sender=lily, identifier=make_user("friend_9x").username)
    assert err.status == 429


def test_remarks_are_private_to_their_owner(lily, bob):
    make_friends(lily, bob)
    services.friend_remark_set(user=lily, friend_id=bob.pk, remark=" 大卫 哥 ")
    assert str(display_name_for(lily, bob)) == "大卫 哥 (王大卫)"
    carol = make_user("carol_x")
    assert display_name_for(carol, bob).remark == ""
    raises_code("remark_too_long", services.friend_remark_set, user=lily, friend_id=bob.pk, remark="x" * 41)
    raises_code("friend_not_found", services.friend_remark_set, user=lily, friend_id=carol.pk, remark="x")


def test_unfriending_masks_the_real_name_again_and_empties_tags(lily, bob):
    make_friends(lily, bob)
    tag = services.tag_create(user=lily, name="Family", member_ids=[bob.pk])
    services.friend_remove(user=bob, friend_id=lily.pk)
    assert not selectors.are_friends(lily, bob) and not selectors.are_friends(bob, lily)
    assert display_name_for(lily, bob).real_name == "**卫"
    assert list(tag.members.all()) == []
    raises_code("friend_not_found", services.friend_remove, user=bob, friend_id=lily.pk)


def test_tags_hold_only_friends(lily, bob):
    raises_code("not_friends", services.tag_create, user=lily, name="Work", member_ids=[bob.pk])
    make_friends(lily, bob)
    tag = services.tag_create(user=lily, name="Work", member_ids=[bob.pk])
    raises_code("tag_exists", services.tag_create, user=lily, name="Work")
    raises_code("tag_name_invalid", services.tag_create, user=lily, name="")
    services.tag_update(user=lily, tag_id=tag.pk, name="Colleagues", member_ids=[])
    tag.refresh_from_db()
    assert tag.name == "Colleagues" and not tag.members.exists()
    raises_code("tag_not_found", services.tag_delete, user=bob, tag_id=tag.pk)


def test_mutual_friends(lily, bob):
    carol, dave, erin = (make_user(n) for n in ("carol_x", "dave_x", "erin_x"))
    for f in (carol, dave):
        make_friends(lily, f)
        make_friends(bob, f)
    make_friends(lily, erin)
    assert selectors.mutual_friend_ids(lily, bob) == {carol.pk, dave.pk}
