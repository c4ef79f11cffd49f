"""Mangled page links and form values get a 4xx or a redirect, never a 500."""

import pytest
from django.test import Client

from lifecircle.core.testing.factories import make_friends, make_user
from lifecircle.social import services as social

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@pytest.fixture
def client_and_group():
    owner, friend = make_user("owner_x"), make_user("friend_x")
    make_friends(owner, friend)
    group = social.group_create(owner=owner, name="G", member_ids=[friend.pk])
    c = Client()
    c.force_login(owner)
    return c, group


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/circle/?cursor=zzz", None),
        ("get", "/circle/u/1/?cursor=%FF%FE", None),
        ("get", f"/circle/p/{HUGE}/", None),
        ("get", f"/friends/u/{HUGE}/", None),
        ("post", f"/friends/u/{HUGE}/remark/", {"remark": "x"}),
        ("post", f"/friends/u/{HUGE}/block/", {}),
        ("post", "/friends/groups/{group}/remove/", {"user_id": HUGE}),
        ("post", "/friends/groups/{group}/owner/", {"user_id": "abc"}),
        ("post", "/friends/groups/{group}/invite/", {"user_ids": [HUGE]}),
        ("post", "/friends/tags/", {"action": "delete", "tag_id": HUGE}),
        ("post", "/friends/tags/", {"name": "T", "member_ids": [HUGE, "x"]}),
        ("get", f"/wallet/entries/{HUGE}/", None),
        ("post", "/circle/p/1/comment/", {"text": "x", "reply_to_id": HUGE}),
    ],
)
def test_no_500(client_and_group, method, path, data):
    c, group = client_and_group
    path = path.replace("{group}", str(group.pk))
    r = getattr(c, method)(path, data) if data is not None else getattr(c, method)(path)
    assert r.status_code < 500, (path, r.status_code)


@pytest.mark.parametrize("digit", ["²", "٣", "１"])
def test_digits_that_are_not_ascii_are_refused_not_crashed(client_and_group, digit):
    """``str.isdigit()`` is true for ², Arabic-Indic and full-width digits, which ``int()`` either
    rejects (a 500) or reads as a number nobody typed: forms take ASCII digits only."""
    from lifecircle.chat.services import conversation_group_open

    c, group = client_and_group
    conv = conversation_group_open(user=group.owner, group_id=group.pk)
    from lifecircle.redpackets.models import RedPacket
    from lifecircle.wallet.models import BankCard

    r = c.post("/redpackets/new/", {"conversation": conv.pk, "kind": "lucky", "shares": digit, "amount": "1"})
    assert r.status_code == 400 and not RedPacket.objects.exists()
    r = c.post("/wallet/cards/", {"number": f"622202020011223344{digit}", "holder_name": "X"})
    assert r.status_code < 500 and b"not a valid bank card number" in r.content
    assert not BankCard.objects.exists()
    r = c.post(f"/chat/c/{conv.pk}/send/", {"text": "hi", "burn": "on", "burn_seconds": digit})
    assert r.status_code == 302
