"""Creating and reading notifications. Each one is pushed live (after commit) to every open
socket of its recipient as ``{"type": "notification", "id", "kind", "unread"}``; the event
carries no content — a client fetches the rendered line through the API."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from lifecircle.notifications.models import Notification
from lifecircle.realtime import groups
from lifecircle.realtime.events import publish_on_commit


def notification_create(
    *,
    user_id: int,
    kind: str,
    actor_id: int | None = None,
    post_id: int | None = None,
    comment_id: int | None = None,
    amount_fen: int | None = None,
    subject_id: int | None = None,
) -> Notification | None:
    if actor_id is not None and actor_id == user_id:
        return None  # nobody is notified of their own actions
    with transaction.atomic():
        notification = Notification.objects.create(
            user_id=user_id,
            kind=kind,
            actor_id=actor_id,
            post_id=post_id,
            comment_id=comment_id,
            amount_fen=amount_fen,
            subject_id=subject_id,
        )
        unread = Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()
        publish_on_commit(
            {"type": "notification", "id": notification.pk, "kind": kind, "unread": unread},
            to=[groups.user(user_id)],
        )
    return notification


def notifications_create_many(*, user_ids, kind: str, actor_id: int, subject_id: int | None = None) -> int:
    """The same notification for many people at once (a host going live tells their friends):
    one insert, one unread count query, one push per person after commit."""
    from django.db.models import Count

    user_ids = sorted({uid for uid in user_ids if uid != actor_id})
    if not user_ids:
        return 0
    with transaction.atomic():
        Notification.objects.bulk_create(
            [
                Notification(user_id=uid, kind=kind, actor_id=actor_id, subject_id=subject_id)
                for uid in user_ids
            ],
            batch_size=1000,
        )
        unread = dict(
            Notification.objects.filter(user_id__in=user_ids, read_at__isnull=True)
            .values_list("user_id")
            .annotate(n=Count("id"))
            .values_list("user_id", "n")
        )
        for uid in user_ids:
            publish_on_commit(
                {"type": "notification", "kind": kind, "unread": unread.get(uid, 0)}, to=[groups.user(uid)]
            )
    return len(user_ids)


def notifications_mark_read(*, user, up_to_id: int | None = None) -> int:
    """Mark the user's notifications read (all, or those up to ``up_to_id``); pushes the new
    unread count so every open tab updates its badge."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if up_to_id is not None:
        qs = qs.filter(pk__lte=up_to_id)
    with transaction.atomic():
        count = qs.update(read_at=timezone.now())
        unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
        publish_on_commit({"type": "notification.read", "unread": unread}, to=[groups.user(user.pk)])
    return count
