import asyncio

import pytest
from channels.layers import get_channel_layer

from lifecircle.core.testing.factories import make_user
from lifecircle.realtime import groups
from lifecircle.social import services

pytestmark = pytest.mark.django_db


def deliver(callbacks, user_id: int) -> dict:
    """Subscribe to ``user_id``'s group, run the captured on-commit callbacks (which publish),
    and return the event that arrives — all in one event loop, as a consumer would."""

    async def run():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(groups.user(user_id), channel)
        await asyncio.sleep(0.1)
        for callback in callbacks:
            await asyncio.to_thread(callback)
        message = await asyncio.wait_for(layer.receive(channel), timeout=5)
        await layer.group_discard(groups.user(user_id), channel)
        return message["event"]

    return asyncio.run(run())


def test_request_and_acceptance_notify_live_after_commit(django_capture_on_commit_callbacks):
    lily, bob = make_user("lily_chen"), make_user("bob_wong")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request = services.friend_request_send(sender=lily, identifier="bob_wong")
    assert len(callbacks) == 1  # nothing is sent before the transaction commits
    event = deliver(callbacks, bob.pk)
    assert (event["type"], event["kind"], event["unread"]) == ("notification", "friend_request", 1)
    assert request.status == "pending"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.friend_request_answer(user=bob, request_id=request.pk, action="accept")
    event = deliver(callbacks, lily.pk)
    assert (event["type"], event["kind"], event["unread"]) == ("notification", "friend_accepted", 1)
