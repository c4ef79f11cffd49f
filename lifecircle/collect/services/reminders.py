"""Reminding unpaid members, once, ``COLLECTION_REMIND_AFTER_SECONDS`` (24 h) after a
collection was made: the ``collect-remind`` sweep (``lifecircle/core/sweeps.py``).

Idempotent: each share is marked ``reminded_at`` by a conditional update in the transaction
that creates its notification, so two runs — even at the same time — remind once."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lifecircle.collect.models import Collection, Share
from lifecircle.notifications.models import Notification
from lifecircle.notifications.services import notification_create
from lifecircle.social.selectors import is_blocked_between

BATCH = 500


def collection_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind every unpaid member of an open collection older than the reminder delay who
    was not reminded yet. Returns how many were reminded."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.LIFECIRCLE["COLLECTION_REMIND_AFTER_SECONDS"])
    due = Share.objects.filter(
        paid_at__isnull=True,
        reminded_at__isnull=True,
        collection__status=Collection.Status.OPEN,
        collection__created_at__lte=cutoff,
    )
    reminded = 0
    seen: set[int] = set()
    while True:
        batch = list(
            due.exclude(pk__in=seen)
            .order_by("pk")
            .values_list("pk", "member_id", "amount_fen", "collection_id", "collection__organiser_id")[:BATCH]
        )
        if not batch:
            return reminded
        for share_id, member_id, amount_fen, collection_id, organiser_id in batch:
            seen.add(share_id)
            with transaction.atomic():
                # Conditions on the row itself (not through a join): PostgreSQL re-checks them
                # after waiting for a parallel run's lock, so only one run claims the share.
                claimed = Share.objects.filter(
                    pk=share_id, paid_at__isnull=True, reminded_at__isnull=True
                ).update(reminded_at=now)
                # Never across a block that appeared since: the share is settled as reminded,
                # silently.
                if claimed and not is_blocked_between(member_id, organiser_id):
                    notification_create(
                        user_id=member_id,
                        kind=Notification.Kind.COLLECTION_REMINDER,
                        actor_id=organiser_id,
                        amount_fen=amount_fen,
                        subject_id=collection_id,
                    )
                    reminded += 1
