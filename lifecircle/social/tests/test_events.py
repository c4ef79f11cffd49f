import asyncio

import pytest
from channels.layers import get_channel_layer

from lifecircle.core.testing.factories import make_user
from lifecircle.realtime import groups
from lifecircle.social import services

pytestmark = pytest.mark.django_db


def listen(user_id: int):
    layer = get_channel_layer()
    channel = asyncio.run(layer.new_channel())
    asyncio.run(layer.group_add(groups.user(user_id), channel))
    return layer, channel


def receive(layer, channel) -> dict:
    return asyncio.run(asyncio.wait_for(layer.receive(channel), timeout=2))["event"]


def test_request_and_acceptance_are_pushed_after_commit(django_capture_on_commit_callbacks):
    lily, bob = make_user("lily_chen"), make_user("bob_wong")
    bob_layer, bob_channel = listen(bob.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request = services.friend_request_send(sender=lily, identifier="bob_wong")
    assert len(callbacks) == 1  # nothing is sent before the transaction commits
    callbacks[0]()
    assert receive(bob_layer, bob_channel) == {"type": "friend.request", "request_id": request.pk, "from_user_id": lily.pk}
    lily_layer, lily_channel = listen(lily.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.friend_request_answer(user=bob, request_id=request.pk, action="accept")
    assert receive(lily_layer, lily_channel) == {"type": "friend.accepted", "request_id": request.pk, "user_id": bob.pk}
