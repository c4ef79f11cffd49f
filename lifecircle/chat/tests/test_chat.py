import datetime as dt
import io

import pytest
from django.db import connection
from django.utils import timezone
from PIL import Image

from lifecircle.chat import selectors, services
from lifecircle.chat.keystore import keystore
from lifecircle.chat.models import BurnView, Message
from lifecircle.core.testing.asserts import raises_code
from lifecircle.core.testing.factories import make_friends, make_user
from lifecircle.social import services as social

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys_in_tmp(settings, tmp_path):
    settings.BURN_KEY_DIR = tmp_path / "burn-keys"


@pytest.fixture
def pair(db):
    a, b = make_user("amy_chat"), make_user("ben_chat")
    make_friends(a, b)
    return a, b, services.conversation_direct_open(user=a, other_id=b.pk)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (50, 40), "red").save(out, format="JPEG")
    return out.getvalue()


# --- membership and blocks ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("relation", "code"),
    [
        ("friend", None),
        ("stranger", "not_friends"),
        ("blocked", "not_friends"),
        ("blocker", "not_friends"),
        ("self", "chat_self"),
    ],
)
def test_who_may_open_a_one_to_one_chat(relation, code):
    a, b = make_user("amy_chat"), make_user("ben_chat")
    if relation in ("friend", "blocked", "blocker"):
        make_friends(a, b)
    if relation == "blocked":
        social.block_create(user=b, target_id=a.pk)
    if relation == "blocker":
        social.block_create(user=a, target_id=b.pk)
    other = a if relation == "self" else b
    if code is None:
        conv = services.conversation_direct_open(user=a, other_id=other.pk)
        assert services.conversation_direct_open(user=b, other_id=a.pk) == conv  # one chat per pair
    else:
        raises_code(code, services.conversation_direct_open, user=a, other_id=other.pk)


def test_unfriending_or_blocking_stops_sending_but_not_reading(pair):
    a, b, conv = pair
    services.message_send(sender=a, conversation_id=conv.pk, text="hi")
    social.friend_remove(user=b, friend_id=a.pk)
    raises_code("not_friends", services.message_send, sender=a, conversation_id=conv.pk, text="still there?")
    assert len(selectors.history(conv=conv)[0]) == 1


def test_group_chats_are_for_current_members_only():
    owner, m, outsider = make_user("owner_chat"), make_user("member_chat"), make_user("outsider_chat")
    make_friends(owner, m)
    group = social.group_create(owner=owner, name="G", member_ids=[m.pk])
    conv = services.conversation_group_open(user=m, group_id=group.pk)
    services.message_send(sender=m, conversation_id=conv.pk, text="hello group")
    raises_code("group_not_found", services.conversation_group_open, user=outsider, group_id=group.pk)
    raises_code(
        "conversation_not_found", services.message_send, sender=outsider, conversation_id=conv.pk, text="x"
    )
    social.group_leave(user=m, group_id=group.pk)
    raises_code("conversation_not_found", services.message_send, sender=m, conversation_id=conv.pk, text="x")
    assert selectors.conversation_for_member(user=m, conversation_id=conv.pk) is None


# --- messages -------------------------------------------------------------------------------
def test_bad_messages_change_nothing(pair):
    a, _b, conv = pair
    raises_code("text_too_long", services.message_send, sender=a, conversation_id=conv.pk, text="字" * 5001)
    raises_code("message_empty", services.message_send, sender=a, conversation_id=conv.pk, text="  ")
    raises_code(
        "image_invalid", services.message_send, sender=a, conversation_id=conv.pk, image=b"%PDF not an image"
    )
    raises_code(
        "burn_seconds_invalid",
        services.message_send,
        sender=a,
        conversation_id=conv.pk,
        text="x",
        burn_seconds=7,
    )
    assert not Message.objects.exists()
    assert services.message_send(sender=a, conversation_id=conv.pk, text="字" * 5000).text == "字" * 5000


def test_a_retried_send_with_the_same_client_id_is_one_message(pair):
    a, _b, conv = pair
    first = services.message_send(sender=a, conversation_id=conv.pk, text="once", client_id="c-1")
    again = services.message_send(sender=a, conversation_id=conv.pk, text="once", client_id="c-1")
    assert first.pk == again.pk and Message.objects.count() == 1


def test_unread_counts_and_read_receipts(pair):
    a, b, conv = pair
    ids = [services.message_send(sender=a, conversation_id=conv.pk, text=f"m{i}").pk for i in range(3)]
    assert {r["conversation"].pk: r["unread"] for r in selectors.conversations_for(user=b)} == {conv.pk: 3}
    assert selectors.conversations_for(user=a)[0]["unread"] == 0  # own messages are read
    services.conversation_mark_read(user=b, conversation_id=conv.pk, up_to_id=ids[1])
    assert selectors.conversations_for(user=b)[0]["unread"] == 1
    assert selectors.read_receipt(conv=conv, viewer=a) == ids[1]
    services.conversation_mark_read(user=b, conversation_id=conv.pk, up_to_id=ids[0])  # never goes back
    assert selectors.read_receipt(conv=conv, viewer=a) == ids[1]


def test_history_pages_by_cursor(pair):
    a, _b, conv = pair
    ids = [services.message_send(sender=a, conversation_id=conv.pk, text=f"m{i}").pk for i in range(120)]
    page1, cursor = selectors.history(conv=conv)
    page2, cursor2 = selectors.history(conv=conv, before_id=cursor)
    page3, cursor3 = selectors.history(conv=conv, before_id=cursor2)
    assert [m.pk for m in page1 + page2 + page3] == ids[::-1] and cursor3 is None


def test_recall_within_two_minutes_only(pair):
    a, b, conv = pair
    message = services.message_send(sender=a, conversation_id=conv.pk, text="oops", image=jpeg())
    path = message.image.path
    raises_code("message_not_found", services.message_recall, user=b, message_id=message.pk)
    services.message_recall(user=a, message_id=message.pk)
    message.refresh_from_db()
    assert message.recalled_at and message.text == "" and not message.image
    import os

    assert not os.path.exists(path)
    late = services.message_send(sender=a, conversation_id=conv.pk, text="late")
    Message.objects.filter(pk=late.pk).update(created_at=timezone.now() - dt.timedelta(seconds=121))
    raises_code("recall_too_late", services.message_recall, user=a, message_id=late.pk)


# --- burn after reading ---------------------------------------------------------------------
SECRET = "our secret plan 秘密计划"


def all_database_values() -> str:
    """Every value of every row of every table, as text (bytes decoded loosely)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value).decode("latin-1"))
                    else:
                        chunks.append(str(value))
    return "\n".join(chunks)


def test_burn_content_is_never_stored_readable(pair):
    a, _b, conv = pair
    message = services.message_send(
        sender=a, conversation_id=conv.pk, text=SECRET, burn_seconds=10, image=jpeg()
    )
    key = keystore().get(message.pk)
    assert key and SECRET not in all_database_values() and key.decode() not in all_database_values()
    assert message.text == "" and message.burn_ciphertext
    assert message.burn_image.read()[:3] != b"\xff\xd8\xff"  # the file is ciphertext, not a JPEG


def test_open_starts_the_countdown_then_everything_is_gone(pair, settings):
    a, b, conv = pair
    message = services.message_send(
        sender=a, conversation_id=conv.pk, text=SECRET, burn_seconds=10, image=jpeg()
    )
    image_path = message.burn_image.path
    opened = services.burn_open(user=b, message_id=message.pk)
    assert opened.text == SECRET and opened.image[:3] == b"\xff\xd8\xff"
    assert dt.timedelta(seconds=9) < opened.expires_at - timezone.now() <= dt.timedelta(seconds=10)
    raises_code(
        "message_gone", services.burn_open, user=a, message_id=message.pk
    )  # the sender cannot open it
    again = services.burn_open(user=b, message_id=message.pk)  # reopening does not restart the countdown
    assert again.expires_at == opened.expires_at
    BurnView.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))  # 10 s later
    raises_code("message_gone", services.burn_open, user=b, message_id=message.pk)  # reads check the clock
    message.refresh_from_db()
    assert message.burned_at and message.burn_ciphertext is None and not message.burn_image
    import os

    assert not os.path.exists(image_path)
    assert keystore().get(message.pk) is None
    assert SECRET not in all_database_values()


def test_unopened_burn_messages_are_gone_after_24_hours_without_a_sweeper(pair):
    a, b, conv = pair
    message = services.message_send(sender=a, conversation_id=conv.pk, text=SECRET, burn_seconds=5)
    Message.objects.filter(pk=message.pk).update(burn_expires_at=timezone.now() - dt.timedelta(seconds=1))
    message.refresh_from_db()
    assert selectors.burn_is_gone(message)  # before any sweep ran
    raises_code("message_gone", services.burn_open, user=b, message_id=message.pk)


def test_in_a_group_it_burns_when_the_last_recipients_countdown_ends():
    owner, m1, m2 = make_user("owner_chat"), make_user("member1_chat"), make_user("member2_chat")
    for m in (m1, m2):
        make_friends(owner, m)
    group = social.group_create(owner=owner, name="G", member_ids=[m1.pk, m2.pk])
    conv = services.conversation_group_open(user=owner, group_id=group.pk)
    message = services.message_send(sender=owner, conversation_id=conv.pk, text=SECRET, burn_seconds=5)
    services.burn_open(user=m1, message_id=message.pk)
    BurnView.objects.filter(user=m1).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.burn_due_sweep() == 0  # m2 has not opened it yet
    assert services.burn_open(user=m2, message_id=message.pk).text == SECRET  # m2's own countdown
    raises_code("message_gone", services.burn_open, user=m1, message_id=message.pk)  # m1's has ended
    BurnView.objects.filter(user=m2).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.burn_due_sweep() == 1
    assert keystore().get(message.pk) is None


def test_the_sweep_looks_only_at_messages_that_may_be_due(pair, django_assert_max_num_queries):
    """It runs every few seconds in every server process: many unopened (or still counting
    down) messages cost it one query, not a few each."""
    a, b, conv = pair
    pending = [
        services.message_send(sender=a, conversation_id=conv.pk, text=f"{SECRET} {i}", burn_seconds=5)
        for i in range(12)
    ]
    services.burn_open(user=b, message_id=pending[0].pk)  # counting down, not over yet
    with django_assert_max_num_queries(1):
        assert services.burn_due_sweep() == 0
    Message.objects.filter(pk=pending[1].pk).update(burn_expires_at=timezone.now() - dt.timedelta(seconds=1))
    BurnView.objects.filter(message=pending[0]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.burn_due_sweep() == 2
    assert Message.objects.filter(burned_at__isnull=True).count() == 10


def test_lists_and_previews_never_show_burn_content(pair, api_client):
    a, b, conv = pair
    services.message_send(sender=a, conversation_id=conv.pk, text=SECRET, burn_seconds=10)
    api_client.as_user(b)
    listed = api_client.get(f"/api/v1/chat/conversations/{conv.pk}/messages").content.decode()
    assert SECRET not in listed and '"burn": {"seconds": 10, "gone": false}' in listed
    assert SECRET not in api_client.get("/api/v1/chat/conversations").content.decode()


@pytest.mark.redis
def test_redis_holds_neither_the_key_nor_the_plaintext_once_burned(pair, settings):
    import redis

    a, b, conv = pair
    message = services.message_send(sender=a, conversation_id=conv.pk, text=SECRET, burn_seconds=5)
    key = keystore().get(message.pk)
    services.burn_open(user=b, message_id=message.pk)
    services.message_burn(message_id=message.pk)
    r = redis.Redis.from_url(settings.REDIS_URL)
    for name in r.scan_iter(count=1000):
        value = r.dump(name) or b""
        assert key not in value and SECRET.encode() not in value, name
    assert keystore().get(message.pk) is None


def test_the_live_event_and_notifications_never_carry_burn_content(pair, django_capture_on_commit_callbacks):
    import asyncio
    import json

    from channels.layers import get_channel_layer

    from lifecircle.notifications.models import Notification
    from lifecircle.realtime import groups

    a, b, conv = pair
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.message_send(sender=a, conversation_id=conv.pk, text=SECRET, burn_seconds=10)

    async def deliver():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(groups.user(b.pk), channel)
        for callback in callbacks:
            await asyncio.to_thread(callback)
        return (await asyncio.wait_for(layer.receive(channel), timeout=5))["event"]

    event = asyncio.run(deliver())
    assert event["type"] == "chat.message" and event["message"]["burn"] == {"seconds": 10, "gone": False}
    assert SECRET not in json.dumps(event, ensure_ascii=False) and event["message"]["text"] is None
    assert not any(SECRET in str(n.__dict__) for n in Notification.objects.all())
