"""Conversations and messages."""

from __future__ import annotations

import datetime as dt

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.chat import selectors
from lifecircle.chat.keystore import keystore
from lifecircle.chat.models import Conversation, ConversationMember, Message
from lifecircle.chat.services.events import message_out, publish_to_members
from lifecircle.core.errors import ApplicationError, NotFound, PermissionDenied, validation_error
from lifecircle.core.images import image_clean
from lifecircle.core.text import plain_text
from lifecircle.social import selectors as social

CARD_KINDS = {Message.Kind.RED_PACKET, Message.Kind.COLLECTION, Message.Kind.PAY_REQUEST, Message.Kind.IOU}


def _conf(name: str):
    return settings.LIFECIRCLE[name]


def _not_found() -> NotFound:
    return NotFound("conversation_not_found", _("No such conversation."))


def conversation_direct_open(*, user: User, other_id: int) -> Conversation:
    """The one-to-one chat with a friend (made on first use). Strangers and blocked people
    cannot be chatted with."""
    if other_id == user.pk:
        raise validation_error("user_id", "chat_self", _("You cannot chat with yourself."))
    if not social.are_friends(user, other_id) or social.is_blocked_between(user, other_id):
        raise PermissionDenied("not_friends", _("You can only chat with your friends."))
    low, high = sorted((user.pk, other_id))
    with transaction.atomic():
        conv, created = Conversation.objects.get_or_create(
            direct_key=f"{low}:{high}", defaults={"kind": Conversation.Kind.DIRECT}
        )
        if created:
            ConversationMember.objects.bulk_create(
                [ConversationMember(conversation=conv, user_id=uid) for uid in (low, high)]
            )
    return conv


def conversation_group_open(*, user: User, group_id: int) -> Conversation:
    """A social group's chat (made on first use), for its members."""
    group = social.group_for_member(user=user, group_id=group_id)
    if group is None:
        raise NotFound("group_not_found", _("No such group."))
    conv, _created = Conversation.objects.get_or_create(
        group=group, defaults={"kind": Conversation.Kind.GROUP}
    )
    return conv


def _may_send(user: User, conv: Conversation) -> None:
    if conv.kind == Conversation.Kind.DIRECT:
        other = next(uid for uid in selectors.member_ids(conv) if uid != user.pk)
        if not social.are_friends(user, other) or social.is_blocked_between(user, other):
            raise PermissionDenied("not_friends", _("You can only chat with your friends."))


def message_send(
    *,
    sender: User,
    conversation_id: int,
    text: str = "",
    image: bytes | None = None,
    burn_seconds: int | None = None,
    client_id: str = "",
) -> Message:
    """Send text or an image, optionally burn-after-reading. ``client_id`` (the sender's own
    id for the message) makes a retried send return the first message instead of a copy.

    Burn content is encrypted with a fresh key that goes only to the key store; the
    database keeps ciphertext, the media store an encrypted file."""
    conv = selectors.conversation_for_member(user=sender, conversation_id=conversation_id)
    if conv is None:
        raise _not_found()
    client_id = (client_id or "")[:64]
    if client_id:
        existing = Message.objects.filter(sender=sender, client_id=client_id).first()
        if existing is not None:
            if existing.conversation_id != conv.pk:
                raise ApplicationError("client_id_reused", _("This message id was already used."), status=422)
            return existing
    _may_send(sender, conv)
    text = plain_text(text, multiline=True)
    if len(text) > _conf("CHAT_TEXT_MAX"):
        raise validation_error("text", "text_too_long", _("A message has at most 5,000 characters."))
    if not text and image is None:
        raise validation_error("text", "message_empty", _("Write a message or add a photo."))
    if burn_seconds is not None and burn_seconds not in _conf("CHAT_BURN_SECONDS"):
        raise validation_error("burn_seconds", "burn_seconds_invalid", _("Choose 5, 10, 30 or 60 seconds."))
    clean = None
    if image is not None:
        clean = image_clean(
            data=image, field="image", max_bytes=_conf("CHAT_IMAGE_MAX_BYTES"), max_side=2048, thumb_side=240
        )
    now = timezone.now()
    message = Message(
        conversation=conv,
        sender=sender,
        client_id=client_id,
        created_at=now,
        kind=Message.Kind.IMAGE if clean else Message.Kind.TEXT,
    )
    key = None
    if burn_seconds is not None:
        key = Fernet.generate_key()
        fernet = Fernet(key)
        message.burn_seconds = burn_seconds
        message.burn_expires_at = now + dt.timedelta(seconds=_conf("CHAT_BURN_UNOPENED_SECONDS"))
        message.burn_ciphertext = fernet.encrypt(text.encode()) if text else None
    else:
        message.text = text
    try:
        with transaction.atomic():
            message.save()
            if clean is not None:
                if key is not None:
                    message.burn_image.save(
                        f"{message.pk}.bin", ContentFile(Fernet(key).encrypt(clean.full.read())), save=False
                    )
                else:
                    message.image.save(
                        f"{message.pk}.{clean.full.name.rsplit('.', 1)[1]}", clean.full, save=False
                    )
                message.save(update_fields=["image", "burn_image"])
            if key is not None:
                keystore().put(message.pk, key)
            Conversation.objects.filter(pk=conv.pk).update(
                last_message_id=Greatest(F("last_message_id"), message.pk)
            )
            ConversationMember.objects.update_or_create(
                conversation=conv, user=sender, defaults={"last_read_id": message.pk}
            )
            publish_to_members(
                {"type": "chat.message", "message": message_out(message)}, selectors.member_ids(conv)
            )
    except IntegrityError:
        if client_id:  # the same client id raced in twice: the first one won
            return Message.objects.get(sender=sender, client_id=client_id)
        raise
    return message


def card_post(
    *, sender: User, conversation_id: int, kind: str, subject_id: int, summary: dict | None = None
) -> Message:
    """Post a money card (a red packet, collection, pay request or IOU; see
    ``lifecircle.chat.cards``) into a conversation the sender may write to. Call it inside the
    transaction that creates the card, so the card and its money appear together or not at
    all; members get the ``chat.message`` event after commit."""
    if kind not in CARD_KINDS:
        raise ValueError(f"not a card kind: {kind}")
    conv = selectors.conversation_for_member(user=sender, conversation_id=conversation_id)
    if conv is None:
        raise _not_found()
    _may_send(sender, conv)
    with transaction.atomic():
        message = Message.objects.create(
            conversation=conv,
            sender=sender,
            kind=kind,
            payload={**(summary or {}), "id": subject_id},
            created_at=timezone.now(),
        )
        Conversation.objects.filter(pk=conv.pk).update(
            last_message_id=Greatest(F("last_message_id"), message.pk)
        )
        ConversationMember.objects.update_or_create(
            conversation=conv, user=sender, defaults={"last_read_id": message.pk}
        )
        publish_to_members(
            {"type": "chat.message", "message": message_out(message)}, selectors.member_ids(conv)
        )
    return message


def message_recall(*, user: User, message_id: int) -> Message:
    """The sender takes a message back within ``CHAT_RECALL_SECONDS``; its content is deleted."""
    from lifecircle.chat.services.burn import _destroy_content

    message = Message.objects.filter(pk=message_id, sender=user).first()
    if (
        message is None
        or selectors.conversation_for_member(user=user, conversation_id=message.conversation_id) is None
    ):
        raise NotFound("message_not_found", _("No such message."))
    if message.recalled_at is not None:
        return message
    if message.kind in CARD_KINDS:
        raise ApplicationError("card_not_recallable", _("A money card cannot be recalled."))
    if (timezone.now() - message.created_at).total_seconds() > _conf("CHAT_RECALL_SECONDS"):
        raise ApplicationError("recall_too_late", _("Messages can only be recalled within 2 minutes."))
    with transaction.atomic():
        message.recalled_at = timezone.now()
        message.text = ""
        _destroy_content(message)
        message.save()
        publish_to_members(
            {"type": "chat.recalled", "conversation_id": message.conversation_id, "message_id": message.pk},
            selectors.member_ids(message.conversation),
        )
    return message


def conversation_mark_read(*, user: User, conversation_id: int, up_to_id: int) -> int:
    """Move the user's read marker forward (never back); others in a one-to-one chat get a
    read receipt."""
    conv = selectors.conversation_for_member(user=user, conversation_id=conversation_id)
    if conv is None:
        raise _not_found()
    up_to_id = min(int(up_to_id), conv.last_message_id)
    with transaction.atomic():
        member, _created = ConversationMember.objects.get_or_create(conversation=conv, user=user)
        if up_to_id > member.last_read_id:
            member.last_read_id = up_to_id
            member.save(update_fields=["last_read_id"])
            publish_to_members(
                {"type": "chat.read", "conversation_id": conv.pk, "user_id": user.pk, "up_to_id": up_to_id},
                selectors.member_ids(conv),
            )
    return member.last_read_id
