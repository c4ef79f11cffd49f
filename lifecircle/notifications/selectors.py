from __future__ import annotations

from lifecircle.notifications.models import Notification


def notification_list(*, user, before_id: int | None = None, limit: int = 30):
    qs = Notification.objects.filter(user=user).select_related("actor", "actor__identity")
    if before_id is not None:
        qs = qs.filter(pk__lt=before_id)
    return list(qs[:limit])


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
