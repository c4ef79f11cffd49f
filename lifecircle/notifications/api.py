from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from lifecircle.core.schemas import InputSchema
from lifecircle.notifications import selectors, services
from lifecircle.notifications.render import notification_lines

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    actor_id: int | None
    post_id: int | None
    comment_id: int | None
    amount_fen: int | None
    subject_id: int | None
    url: str | None
    created_at: dt.datetime
    read: bool


class NotificationsOut(Schema):
    unread: int
    items: list[NotificationOut]


class ReadIn(InputSchema):
    up_to_id: int | None = None


@router.get("", response=NotificationsOut)
def notifications(request, before_id: int | None = None):
    items = selectors.notification_list(user=request.auth, before_id=before_id)
    return {
        "unread": selectors.unread_count(user=request.auth),
        "items": notification_lines(viewer=request.auth, notifications=items),
    }


@router.post("/read", response=NotificationsOut)
def notifications_read(request, data: ReadIn):
    services.notifications_mark_read(user=request.auth, up_to_id=data.up_to_id)
    return notifications(request)
