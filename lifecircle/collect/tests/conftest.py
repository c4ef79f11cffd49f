"""Fixtures for collections: a dinner group of friends with a group chat and funded wallets."""

from dataclasses import dataclass

import pytest

from lifecircle.chat import services as chat
from lifecircle.core.testing.factories import PIN, fund_wallet, make_friends, make_user
from lifecircle.social import services as social


@dataclass
class Dinner:
    amy: object  # the organiser
    ben: object
    cat: object
    dan: object  # Ben's friend, not in the group
    conv: object  # the group chat of Amy, Ben and Cat


@pytest.fixture
def dinner(db):
    amy, ben, cat, dan = (make_user(n, pin=PIN) for n in ("amy_c", "ben_c", "cat_c", "dan_c"))
    make_friends(amy, ben)
    make_friends(amy, cat)
    make_friends(ben, dan)
    group = social.group_create(owner=amy, name="Dinner club", member_ids=[ben.pk, cat.pk])
    conv = chat.conversation_group_open(user=amy, group_id=group.pk)
    for u in (ben, cat, dan):
        fund_wallet(u, 100_00)
    return Dinner(amy, ben, cat, dan, conv)


def reconciles() -> bool:
    from django.core.management import call_command

    call_command("reconcile")  # raises CommandError when the books do not balance
    return True
