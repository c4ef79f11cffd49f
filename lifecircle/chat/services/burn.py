"""Burn-after-reading (閱後即焚).

A recipient's countdown starts when they open the message (``burn_open``); the message is
gone for everyone when the last recipient's countdown ends, or 24 h after sending if someone
never opened it. "Gone" means: the key is destroyed in the key store, the ciphertext is
cleared in the database and the encrypted image file is deleted — and every read checks the
clock first, so nothing depends on the sweeper having run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.chat import selectors
from lifecircle.chat.keystore import keystore
from lifecircle.chat.models import BurnView, Message
from lifecircle.chat.services.events import publish_to_members
from lifecircle.core.errors import NotFound


def _gone() -> NotFound:
    return NotFound("message_gone", _("This message has burned after reading."))


@dataclass(frozen=True)
class Opened:
    message: Message
    text: str | None
    image: bytes | None
    expires_at: dt.datetime


def burn_open(*, user: User, message_id: int) -> Opened:
    """A recipient opens a burn message: their countdown starts now (or continues), and they
    get the content while it runs."""
    message = (
        Message.objects.select_related("conversation")
        .filter(pk=message_id, burn_seconds__isnull=False)
        .first()
    )
    if message is None or message.sender_id == user.pk or message.recalled_at is not None:
        raise _gone()
    if selectors.conversation_for_member(user=user, conversation_id=message.conversation_id) is None:
        raise _gone()
    now = timezone.now()
    if selectors.burn_is_gone(message, now):
        message_burn(message_id=message.pk)
        raise _gone()
    view, _created = BurnView.objects.get_or_create(
        message=message,
        user=user,
        defaults={"opened_at": now, "expires_at": now + dt.timedelta(seconds=message.burn_seconds)},
    )
    if view.expires_at <= now:
        burn_due_sweep(message_ids=[message.pk])
        raise _gone()
    key = keystore().get(message.pk)
    if key is None:
        raise _gone()
    fernet = Fernet(key)
    try:
        text = fernet.decrypt(bytes(message.burn_ciphertext)).decode() if message.burn_ciphertext else None
        image = fernet.decrypt(message.burn_image.read()) if message.burn_image else None
    except (InvalidToken, FileNotFoundError, ValueError):
        raise _gone() from None
    if _created:
        publish_to_members(
            {
                "type": "chat.burn_opened",
                "conversation_id": message.conversation_id,
                "message_id": message.pk,
                "user_id": user.pk,
                "expires_at": view.expires_at.isoformat(),
            },
            [message.sender_id, user.pk],
        )
    return Opened(message=message, text=text, image=image, expires_at=view.expires_at)


def _destroy_content(message: Message) -> None:
    """Key first (without it the ciphertext is noise), then ciphertext and files."""
    keystore().destroy(message.pk)
    for field in (message.burn_image, message.image):
        if field:
            field.storage.delete(field.name)
            field.name = ""
    message.burn_ciphertext = None


def message_burn(*, message_id: int) -> bool:
    """Destroy a burn message's content now (idempotent). Returns whether it burned now."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id, burned_at__isnull=True).first()
        if message is None or not message.is_burn:
            return False
        _destroy_content(message)
        message.burned_at = timezone.now()
        message.save(update_fields=["burn_ciphertext", "burn_image", "image", "burned_at"])
        publish_to_members(
            {"type": "chat.burned", "conversation_id": message.conversation_id, "message_id": message.pk},
            selectors.member_ids(message.conversation),
        )
    return True


def burn_due_sweep(*, message_ids=None, now=None) -> int:
    """Burn every message whose time is up: 24 h unopened, or every recipient's countdown
    over. The ``chat-burn`` sweep (``lifecircle/core/sweeps.py``), and reads that find one due."""
    now = now or timezone.now()
    candidates = Message.objects.filter(burn_seconds__isnull=False, burned_at__isnull=True)
    if message_ids is not None:
        candidates = candidates.filter(pk__in=message_ids)
    else:
        # Only messages that may be due: past their 24 h, or with a countdown that has ended
        # (not every pending message, each with its own queries, every few seconds).
        candidates = candidates.filter(
            Q(burn_expires_at__lte=now)
            | Exists(BurnView.objects.filter(message=OuterRef("pk"), expires_at__lte=now))
        )
    burned = 0
    for message in candidates.select_related("conversation"):
        due = message.burn_expires_at <= now
        if not due:
            recipients = set(selectors.member_ids(message.conversation)) - {message.sender_id}
            views = dict(BurnView.objects.filter(message=message).values_list("user_id", "expires_at"))
            due = bool(recipients) and recipients <= views.keys() and max(views.values()) <= now
        if due and message_burn(message_id=message.pk):
            burned += 1
    return burned
