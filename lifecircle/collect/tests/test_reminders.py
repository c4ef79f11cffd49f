"""Unpaid members are reminded once, 24 h after the collection was made (no sleeping: the
collection's created_at is moved into the past)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from lifecircle.collect import services
from lifecircle.collect.models import Collection, Share
from lifecircle.notifications.models import Notification

pytestmark = pytest.mark.django_db


def reminders():
    return sorted(
        Notification.objects.filter(kind=Notification.Kind.COLLECTION_REMINDER).values_list(
            "user__username", "amount_fen", "subject_id", "actor__username"
        )
    )


def started(d, hours_ago, members, total=90):
    c = services.collection_create(
        organiser=d.amy,
        title="Dinner",
        split="even",
        total_fen=total,
        member_ids=[m.pk for m in members],
        conversation_id=d.conv.pk,
    )
    Collection.objects.filter(pk=c.pk).update(created_at=timezone.now() - dt.timedelta(hours=hours_ago))
    return c


def test_unpaid_members_are_reminded_once_after_24_hours(dinner):
    d = dinner
    c = started(d, 25, [d.amy, d.ben, d.cat])
    services.collection_pay(payer=d.ben, collection_id=c.pk, idempotency_key="b")
    call_command("sweep", "--only", "collect-remind", verbosity=0)
    # Only Cat: Ben paid, and the organiser's own share is settled.
    assert reminders() == [("cat_c", 30, c.pk, "amy_c")]
    assert Share.objects.get(collection=c, member=d.cat).reminded_at is not None
    call_command("sweep", "--only", "collect-remind", verbosity=0)  # running it again reminds nobody twice
    assert services.collection_reminders_send() == 0
    assert len(reminders()) == 1


def test_not_before_24_hours(dinner):
    d = dinner
    started(d, 23, [d.ben, d.cat])
    assert services.collection_reminders_send() == 0
    assert reminders() == []
    # The clock decides: the same collection is due a day later.
    assert services.collection_reminders_send(now=timezone.now() + dt.timedelta(hours=2)) == 2


def test_closed_collections_remind_nobody(dinner):
    d = dinner
    c = started(d, 48, [d.ben, d.cat])
    services.collection_close(organiser=d.amy, collection_id=c.pk)
    assert services.collection_reminders_send() == 0


def test_the_command_reports_how_many(dinner, capsys):
    d = dinner
    started(d, 30, [d.ben, d.cat])
    call_command("sweep", "--only", "collect-remind")
    assert "collect-remind: 2" in capsys.readouterr().out


def test_nobody_is_reminded_across_a_block(dinner):
    from lifecircle.social import services as social

    d = dinner
    started(d, 30, [d.ben, d.cat])
    social.block_create(user=d.cat, target_id=d.amy.pk)
    assert services.collection_reminders_send() == 1
    assert [r[0] for r in reminders()] == ["ben_c"]
    assert services.collection_reminders_send() == 0
