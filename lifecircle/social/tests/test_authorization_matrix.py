"""Who may do what: each endpoint × {anonymous, stranger, requester, friend, blocked, group
member, group owner} with the status they get.

The world: T (the person acted upon) has a friend F, a pending request from R, and blocked
B. Group G is owned by O with members M and N (friends of O, strangers to T); X is a friend
of both O and M, not in G. S is a stranger to everyone."""

import pytest
from django.test import Client

from lifecircle.accounts import services as account_services
from lifecircle.core.testing.factories import make_friends, make_user
from lifecircle.social import services
from lifecircle.social.models import FriendRequest

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "stranger", "requester", "friend", "blocked", "group_member", "group_owner"]
ACTOR = {
    "stranger": "S",
    "requester": "R",
    "friend": "F",
    "blocked": "B",
    "group_member": "M",
    "group_owner": "O",
}


@pytest.fixture
def world(db):
    w = {
        k: make_user(f"user_{k.lower()}x", verified=True)
        for k in ("T", "F", "R", "B", "O", "M", "N", "X", "S")
    }
    make_friends(w["T"], w["F"])
    services.friend_request_send(sender=w["R"], identifier=w["T"].username)
    services.block_create(user=w["T"], target_id=w["B"].pk)
    for k in ("M", "N", "X"):
        make_friends(w["O"], w[k])
    make_friends(w["M"], w["X"])
    w["G"] = services.group_create(owner=w["O"], name="G", member_ids=[w["M"].pk, w["N"].pk])
    w["request"] = FriendRequest.objects.get(from_user=w["R"])
    return w


def call(world, role, method, path, body=None):
    client = Client()
    headers = {}
    if role != "anonymous":
        _token, raw = account_services.api_token_create(user=world[ACTOR[role]], name="t")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    fn = getattr(client, method)
    if body is None:
        return fn(path, **headers)
    return fn(path, body, content_type="application/json", **headers)


# endpoint name → (method, path template, body template, {role: status})
MATRIX = {
    "view person": (
        "get",
        "/api/v1/friends/{T}",
        None,
        dict(
            anonymous=401,
            stranger=200,
            requester=200,
            friend=200,
            blocked=404,
            group_member=200,
            group_owner=200,
        ),
    ),
    "user name": (
        "get",
        "/api/v1/users/{T}",
        None,
        dict(
            anonymous=401,
            stranger=200,
            requester=200,
            friend=200,
            blocked=404,
            group_member=200,
            group_owner=200,
        ),
    ),
    "send request": (
        "post",
        "/api/v1/friends/requests",
        {"identifier": "{T_username}"},
        dict(
            anonymous=401,
            stranger=201,
            requester=409,
            friend=409,
            blocked=404,
            group_member=201,
            group_owner=201,
        ),
    ),
    "cancel request": (
        "delete",
        "/api/v1/friends/requests/{request}",
        None,
        dict(
            anonymous=401,
            stranger=404,
            requester=204,
            friend=404,
            blocked=404,
            group_member=404,
            group_owner=404,
        ),
    ),
    "accept request": (
        "post",
        "/api/v1/friends/requests/{request}/accept",
        None,
        dict(
            anonymous=401,
            stranger=404,
            requester=404,
            friend=404,
            blocked=404,
            group_member=404,
            group_owner=404,
        ),
    ),
    "mutual friends": (
        "get",
        "/api/v1/friends/{T}/mutual",
        None,
        dict(
            anonymous=401,
            stranger=404,
            requester=404,
            friend=200,
            blocked=404,
            group_member=404,
            group_owner=404,
        ),
    ),
    "set remark": (
        "patch",
        "/api/v1/friends/{T}",
        {"remark": "x"},
        dict(
            anonymous=401,
            stranger=404,
            requester=404,
            friend=200,
            blocked=404,
            group_member=404,
            group_owner=404,
        ),
    ),
    "remove friend": (
        "delete",
        "/api/v1/friends/{T}",
        None,
        dict(
            anonymous=401,
            stranger=404,
            requester=404,
            friend=204,
            blocked=404,
            group_member=404,
            group_owner=404,
        ),
    ),
    "hide my posts": (
        "put",
        "/api/v1/privacy/friends/{T}",
        {"hide_my_posts": True},
        dict(
            anonymous=401,
            stranger=404,
            requester=404,
            friend=200,
            blocked=404,
            group_member=404,
            group_owner=404,
        ),
    ),
    "block": (
        "post",
        "/api/v1/blocks",
        {"user_id": "{T}"},
        dict(
            anonymous=401,
            stranger=201,
            requester=201,
            friend=201,
            blocked=201,
            group_member=201,
            group_owner=201,
        ),
    ),
    "view group": (
        "get",
        "/api/v1/groups/{G}",
        None,
        dict(
            anonymous=401,
            stranger=404,
            requester=404,
            friend=404,
            blocked=404,
            group_member=200,
            group_owner=200,
        ),
    ),
    "edit notice": (
        "patch",
        "/api/v1/groups/{G}",
        {"notice": "hello"},
        dict(
            anonymous=401,
            stranger=404,
            requester=404,
            friend=404,
            blocked=404,
            group_member=403,
            group_owner=200,
        ),
    ),
    "invite": (
        "post",
        "/api/v1/groups/{G}/members",
        {"user_ids": ["{X}"]},
        dict(
            anonymous=401,
            stranger=404,
            requester=404,
            friend=404,
            blocked=404,
            group_member=200,
            group_owner=200,
        ),
    ),
    "remove member": (
        "delete",
        "/api/v1/groups/{G}/members/{N}",
        None,
        dict(
            anonymous=401,
            stranger=404,
            requester=404,
            friend=404,
            blocked=404,
            group_member=403,
            group_owner=204,
        ),
    ),
    "hand over": (
        "post",
        "/api/v1/groups/{G}/owner",
        {"user_id": "{M}"},
        dict(
            anonymous=401,
            stranger=404,
            requester=404,
            friend=404,
            blocked=404,
            group_member=403,
            group_owner=200,
        ),
    ),
    "my friends": (
        "get",
        "/api/v1/friends",
        None,
        dict(
            anonymous=401,
            stranger=200,
            requester=200,
            friend=200,
            blocked=200,
            group_member=200,
            group_owner=200,
        ),
    ),
}


def fill(template, world):
    ids = {k: world[k].pk for k in ("T", "G", "N", "M", "X")} | {"request": world["request"].pk}
    if isinstance(template, str):
        if template == "{T_username}":
            return world["T"].username
        if template.startswith("{") and template.endswith("}") and template[1:-1] in ids:
            return ids[template[1:-1]]
        return template.format(**ids)
    if isinstance(template, list):
        return [fill(t, world) for t in template]
    if isinstance(template, dict):
        return {k: fill(v, world) for k, v in template.items()}
    return template


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", MATRIX)
def test_authorization_matrix(world, endpoint, role):
    method, path, body, expected = MATRIX[endpoint]
    r = call(world, role, method, fill(path, world), fill(body, world) if body else None)
    assert r.status_code == expected[role], (endpoint, role, r.content[:300])
    if r.status_code >= 400:
        assert set(r.json()) >= {"code", "message", "fields"}
