"""Three friends in a group chat, and a one-to-one chat, ready for red packets."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from lifecircle.core.testing.factories import PIN, fund_wallet, make_friends, make_user


@dataclass
class Chats:
    amy: object
    ben: object
    cat: object
    outsider: object
    group_conv: object
    direct_conv: object  # amy and ben


def group_chat(owner, members, name="Friends"):
    from lifecircle.chat import services as chat
    from lifecircle.social import services as social

    for m in members:
        make_friends(owner, m)
    group = social.group_create(owner=owner, name=name, member_ids=[m.pk for m in members])
    return chat.conversation_group_open(user=owner, group_id=group.pk)


@pytest.fixture
def chats(db) -> Chats:
    from lifecircle.chat import services as chat

    amy = make_user("amy_rp", nickname="Amy", pin=PIN)
    ben = make_user("ben_rp", nickname="Ben", pin=PIN)
    cat = make_user("cat_rp", nickname="Cat", pin=PIN)
    outsider = make_user("olly_rp", nickname="Olly", pin=PIN)
    fund_wallet(amy, 500_00)
    group_conv = group_chat(amy, [ben, cat])
    direct_conv = chat.conversation_direct_open(user=amy, other_id=ben.pk)
    return Chats(amy, ben, cat, outsider, group_conv, direct_conv)
