"""Creating, starting and ending live events."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.core.errors import ApplicationError, NotFound, validation_error
from lifecircle.core.text import plain_text
from lifecircle.live import fanout
from lifecircle.live.models import LiveEvent
from lifecircle.live.wordfilter import blocked_words_in
from lifecircle.notifications.models import Notification
from lifecircle.notifications.services import notifications_create_many
from lifecircle.social import selectors as social
from lifecircle.social.models import PostFilter
from lifecircle.wallet.services import account_set_hot, wallet_account_for


def _clean_stream_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > 500 or not url.isprintable() or "\\" in url:  # browsers read \ as /
        raise validation_error(
            "stream_url", "stream_url_invalid", _("Enter the stream's http(s) address (an .m3u8 playlist).")
        )
    if url.startswith("/") and not url.startswith("//"):
        return url  # served by this site (the demo stream)
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise validation_error(
            "stream_url", "stream_url_invalid", _("Enter the stream's http(s) address (an .m3u8 playlist).")
        ) from None
    return url


def event_create(
    *,
    host: User,
    title: str,
    scheduled_at: dt.datetime,
    description: str = "",
    stream_url: str = "",
    audience: str = LiveEvent.Audience.PUBLIC,
) -> LiveEvent:
    title = plain_text(title)
    if not title or len(title) > 80:
        raise validation_error(
            "title", "title_invalid", _("Give the event a title of at most 80 characters.")
        )
    description = plain_text(description, multiline=True)
    if len(description) > 2000:
        raise validation_error(
            "description", "description_too_long", _("A description has at most 2,000 characters.")
        )
    for field, text in (("title", title), ("description", description)):
        if blocked_words_in(text):  # shown in everyone's list of events: the danmaku rules apply
            raise validation_error(
                field, f"{field}_blocked", _("This contains words that are not allowed here.")
            )
    if audience not in LiveEvent.Audience.values:
        raise validation_error("audience", "audience_invalid", _("Choose one of the offered values."))
    if scheduled_at is None:
        raise validation_error("scheduled_at", "scheduled_at_invalid", _("Enter a valid date and time."))
    if timezone.is_naive(scheduled_at):  # a time without a zone is the local time
        scheduled_at = timezone.make_aware(scheduled_at)
    now = timezone.now()
    if not now - dt.timedelta(days=1) <= scheduled_at <= now + dt.timedelta(days=366):
        raise validation_error(
            "scheduled_at", "scheduled_at_invalid", _("Enter a date and time within the next year.")
        )
    return LiveEvent.objects.create(
        host=host,
        title=title,
        description=description,
        scheduled_at=scheduled_at,
        stream_url=_clean_stream_url(stream_url),
        audience=audience,
    )


def _hosted(host: User, event_id: int) -> LiveEvent:
    event = LiveEvent.objects.select_for_update().filter(pk=event_id, host=host).first()
    if event is None:
        raise NotFound("event_not_found", _("No such live event."))
    return event


def event_start(*, host: User, event_id: int) -> LiveEvent:
    """Scheduled → live. The host's friends are told ("… is live now"; not those the host
    hides posts from, nor anyone blocked either way). The host's wallet account becomes hot, so
    gifts from thousands of viewers at once spread over its shards instead of queueing on one row."""
    with transaction.atomic():
        event = _hosted(host, event_id)
        if event.status == LiveEvent.Status.LIVE:
            return event
        if event.status != LiveEvent.Status.SCHEDULED:
            raise ApplicationError("event_ended", _("This event has ended."), status=409)
        event.status = LiveEvent.Status.LIVE
        event.started_at = timezone.now()
        event.save(update_fields=["status", "started_at"])
        fanout.publish_on_commit(event.pk, {"op": "status", "status": event.status})
        told = social.friend_ids(user=host) - social.blocked_ids_either_way(user=host)
        told -= social.post_filter_ids(user=host, kind=PostFilter.Kind.HIDE_MINE)
        notifications_create_many(
            user_ids=told, kind=Notification.Kind.LIVE_STARTED, actor_id=host.pk, subject_id=event.pk
        )
    account_set_hot(account=wallet_account_for(host), hot=True)
    return event


def event_end(*, host: User, event_id: int) -> LiveEvent:
    """Live → ended (or a scheduled event called off). Its danmaku stay, for the replay."""
    with transaction.atomic():
        event = _hosted(host, event_id)
        if event.status == LiveEvent.Status.ENDED:
            return event
        event.status = LiveEvent.Status.ENDED
        event.ended_at = timezone.now()
        event.save(update_fields=["status", "ended_at"])
        fanout.publish_on_commit(event.pk, {"op": "status", "status": event.status})
    if not LiveEvent.objects.filter(host=host, status=LiveEvent.Status.LIVE).exists():
        account_set_hot(account=wallet_account_for(host), hot=False)
    return event
