"""Sending, moderating and gifting in a live room.

A danmaku is checked (the event is live and the viewer may see it, 1–100 characters, mode /
colour / size, the sensitive-word filter, a mute), rate-limited (a burst of 3, then one every
2 s per viewer), stored with its offset in the stream, and published to the room after commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.core.converters import id_in_range
from lifecircle.core.errors import (
    ApplicationError,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    validation_error,
)
from lifecircle.core.money import amount_check
from lifecircle.core.text import plain_text
from lifecircle.live import fanout, selectors
from lifecircle.live.models import Danmaku, LiveEvent, LiveMute
from lifecircle.live.ratelimit import danmaku_wait_ms
from lifecircle.live.wordfilter import blocked_words_in
from lifecircle.wallet.services import micropayment_create
from lifecircle.wallet.services.idempotency import idempotency_key_clean

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MUTE_MAX_MINUTES = 7 * 24 * 60


def event_not_found() -> NotFound:
    return NotFound("event_not_found", _("No such live event."))


def _live_event_for(user: User, event_id: int) -> LiveEvent:
    event = selectors.event_for_viewer(viewer=user, event_id=event_id)
    if event is None:
        raise event_not_found()
    if event.status != LiveEvent.Status.LIVE:
        raise ApplicationError("event_not_live", _("This event is not live."), status=409)
    return event


def _offset_ms(event: LiveEvent, now: dt.datetime) -> int:
    return max(0, int((now - event.started_at).total_seconds() * 1000))


def _existing(event: LiveEvent, user: User, client_id: str) -> Danmaku | None:
    if not client_id:
        return None
    return Danmaku.objects.select_related("user").filter(event=event, user=user, client_id=client_id).first()


def _store_and_publish(event: LiveEvent, user: User, client_id: str, **fields) -> Danmaku:
    """Store a danmaku at its offset in the stream and send it to the room after commit; the
    same client id racing in twice returns the first one."""
    try:
        with transaction.atomic():
            d = Danmaku.objects.create(
                event=event,
                user=user,
                client_id=client_id,
                offset_ms=_offset_ms(event, timezone.now()),
                **fields,
            )
            d.user = user
            fanout.publish_on_commit(event.pk, selectors.danmaku_item(d))
    except IntegrityError:
        found = _existing(event, user, client_id)
        if found is None:
            raise
        return found
    return d


def _refuse_if_muted(event: LiveEvent, user: User) -> None:
    until = selectors.mute_until(event_id=event.pk, user_id=user.pk)
    if until is not None:
        local = timezone.localtime(until)
        # The time alone today; with the date when the mute runs past today.
        when = (
            local.strftime("%H:%M")
            if local.date() == timezone.localdate()
            else formats.date_format(local, "SHORT_DATETIME_FORMAT")
        )
        raise PermissionDenied(
            "danmaku_muted",
            format_lazy(_("You are muted in this room until {time}."), time=when),
            extra={"until": until.isoformat()},
        )


def danmaku_send(
    *,
    user: User,
    event_id: int,
    text: str,
    mode: str = Danmaku.Mode.SCROLL,
    color: str = "#ffffff",
    size: str = Danmaku.Size.MEDIUM,
    client_id: str = "",
) -> Danmaku:
    """Send a danmaku; ``client_id`` makes a retried frame return the first danmaku."""
    event = _live_event_for(user, event_id)
    client_id = client_id or ""
    if len(client_id) > 64 or not client_id.isprintable():
        raise validation_error("client_id", "client_id_invalid", _("A client id has at most 64 characters."))
    existing = _existing(event, user, client_id)
    if existing is not None:
        return existing
    text = plain_text(text)
    if not text:
        raise validation_error("text", "danmaku_empty", _("Write something first."))
    if len(text) > settings.LIFECIRCLE["LIVE_DANMAKU_MAX_CHARS"]:
        raise validation_error("text", "danmaku_too_long", _("A danmaku has at most 100 characters."))
    if mode not in Danmaku.Mode.values:
        raise validation_error("mode", "mode_invalid", _("Choose one of the offered values."))
    if size not in Danmaku.Size.values:
        raise validation_error("size", "size_invalid", _("Choose one of the offered values."))
    if not isinstance(color, str) or not COLOR.match(color):
        raise validation_error("color", "color_invalid", _("Choose a colour like #ff8800."))
    if blocked_words_in(text):
        raise validation_error(
            "text", "danmaku_blocked", _("This danmaku contains words that are not allowed here.")
        )
    _refuse_if_muted(event, user)
    wait = danmaku_wait_ms(event_id=event.pk, user_id=user.pk)
    if wait:
        raise TooManyRequests(
            "danmaku_rate_limited",
            _("Slow down: one danmaku every 2 seconds."),
            extra={"retry_after_ms": wait},
        )
    return _store_and_publish(event, user, client_id, text=text, mode=mode, color=color.lower(), size=size)


def gift_send(
    *, user: User, event_id: int, amount_fen: int, idempotency_key: str, pin: str | None = None
) -> Danmaku:
    """Tip the host in one tap: a password-free micro-payment (the PIN past the limits) into
    the host's hot account, shown to the room as a highlighted danmaku. Retrying with the same
    key pays once and shows one gift."""
    idempotency_key = idempotency_key_clean(idempotency_key)
    event = _live_event_for(user, event_id)
    if not event.gifts_enabled:
        raise ApplicationError("gifts_disabled", _("Gifts are turned off for this event."), status=409)
    if event.host_id == user.pk:
        raise validation_error("amount_fen", "gift_to_self", _("You cannot send a gift to yourself."))
    amount_fen = amount_check(amount_fen, field="amount_fen")
    if amount_fen not in settings.LIFECIRCLE["LIVE_GIFT_AMOUNTS_FEN"]:
        raise validation_error(
            "amount_fen", "gift_amount_invalid", _("Choose one of the gift amounts offered.")
        )
    _refuse_if_muted(event, user)
    client_id = "gift:" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:48]
    # The payment first: a retry replays it (and a reused key with another amount is refused)
    # before the gift danmaku is looked up.
    entry = micropayment_create(
        payer=user,
        payee=event.host,
        amount_fen=amount_fen,
        purpose="gift",
        idempotency_key=idempotency_key,
        pin=pin,
        details={"event_id": event.pk},
    )
    existing = _existing(event, user, client_id)
    if existing is not None:
        return existing
    return _store_and_publish(
        event, user, client_id, text="", gift_fen=amount_fen, entry_id=entry.pk, color="#ffd23f"
    )


def _moderated_event(moderator: User, event_id: int) -> LiveEvent:
    event = selectors.event_for_viewer(viewer=moderator, event_id=event_id)
    if event is None:
        raise event_not_found()
    if not selectors.may_moderate(user=moderator, event=event):
        raise PermissionDenied("not_moderator", _("Only the host or an admin can do this."))
    return event


def danmaku_delete(*, moderator: User, danmaku_id: int) -> Danmaku:
    d = Danmaku.objects.filter(pk=danmaku_id).first() if id_in_range(danmaku_id) else None
    if d is None:
        raise NotFound("danmaku_not_found", _("No such danmaku."))
    _moderated_event(moderator, d.event_id)
    if d.deleted_at is None:
        with transaction.atomic():
            d.deleted_at = timezone.now()
            d.deleted_by = moderator
            d.save(update_fields=["deleted_at", "deleted_by"])
            fanout.publish_on_commit(d.event_id, {"op": "delete", "id": d.pk})
    return d


def viewer_mute(*, moderator: User, event_id: int, user_id: int, minutes: int) -> LiveMute:
    event = _moderated_event(moderator, event_id)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MUTE_MAX_MINUTES:
        raise validation_error("minutes", "minutes_invalid", _("Mute for 1 minute to 7 days."))
    if user_id == event.host_id:
        raise validation_error("user_id", "mute_host", _("The host cannot be muted."))
    if not id_in_range(user_id) or not User.objects.filter(pk=user_id, is_active=True).exists():
        raise NotFound("user_not_found", _("No such user."))
    until = timezone.now() + dt.timedelta(minutes=minutes)
    with transaction.atomic():
        mute, _created = LiveMute.objects.update_or_create(
            event=event, user_id=user_id, defaults={"until": until, "muted_by": moderator}
        )
        fanout.publish_on_commit(event.pk, {"op": "mute", "user_id": user_id, "until": until.isoformat()})
    return mute


def viewer_unmute(*, moderator: User, event_id: int, user_id: int) -> None:
    event = _moderated_event(moderator, event_id)
    if not id_in_range(user_id):
        raise NotFound("user_not_found", _("No such user."))
    with transaction.atomic():
        LiveMute.objects.filter(event=event, user_id=user_id).delete()
        fanout.publish_on_commit(event.pk, {"op": "unmute", "user_id": user_id})
