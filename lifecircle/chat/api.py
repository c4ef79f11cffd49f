"""/api/v1/chat: conversations, history, sending (with images), read markers, recall and
burn-after-reading. Real-time frames are on the WebSocket (lifecircle.chat.consumers)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from lifecircle.chat import selectors, services
from lifecircle.chat.models import Message
from lifecircle.chat.services.events import message_out
from lifecircle.core.errors import NotFound
from lifecircle.core.schemas import InputSchema

router = Router(tags=["chat"])


class OpenDirectIn(InputSchema):
    user_id: int


class OpenGroupIn(InputSchema):
    group_id: int


class ReadIn(InputSchema):
    up_to_id: int


class ConversationOut(Schema):
    id: int
    kind: str
    group_id: int | None
    other_user_id: int | None
    unread: int
    last_message_id: int


class BurnOut(Schema):
    seconds: int
    gone: bool


class MessageOut(Schema):
    id: int
    conversation_id: int
    sender_id: int
    kind: str
    client_id: str | None
    created_at: dt.datetime
    recalled: bool
    text: str | None
    image_url: str | None
    payload: dict
    burn: BurnOut | None


class HistoryOut(Schema):
    messages: list[MessageOut]
    next_before_id: int | None
    read_by_other_up_to: int | None = None


class OpenedOut(Schema):
    message_id: int
    text: str | None
    image_url: str | None
    expires_at: dt.datetime


def _conv(user, conversation_id: int):
    conv = selectors.conversation_for_member(user=user, conversation_id=conversation_id)
    if conv is None:
        raise NotFound("conversation_not_found", _("No such conversation."))
    return conv


@router.get("/conversations", response=list[ConversationOut])
def conversations(request):
    return [
        {
            "id": row["conversation"].pk,
            "kind": row["conversation"].kind,
            "group_id": row["conversation"].group_id,
            "other_user_id": row["other_user_id"],
            "unread": row["unread"],
            "last_message_id": row["conversation"].last_message_id,
        }
        for row in selectors.conversations_for(user=request.auth)
    ]


@router.post("/conversations/direct", response=ConversationOut)
def open_direct(request, data: OpenDirectIn):
    conv = services.conversation_direct_open(user=request.auth, other_id=data.user_id)
    return {
        "id": conv.pk,
        "kind": conv.kind,
        "group_id": None,
        "other_user_id": data.user_id,
        "unread": 0,
        "last_message_id": conv.last_message_id,
    }


@router.post("/conversations/group", response=ConversationOut)
def open_group(request, data: OpenGroupIn):
    conv = services.conversation_group_open(user=request.auth, group_id=data.group_id)
    return {
        "id": conv.pk,
        "kind": conv.kind,
        "group_id": conv.group_id,
        "other_user_id": None,
        "unread": 0,
        "last_message_id": conv.last_message_id,
    }


@router.get("/conversations/{conversation_id}/messages", response=HistoryOut)
def history(request, conversation_id: int, before_id: int | None = None):
    conv = _conv(request.auth, conversation_id)
    messages, next_before = selectors.history(conv=conv, before_id=before_id)
    receipt = selectors.read_receipt(conv=conv, viewer=request.auth) if conv.kind == "direct" else None
    return {
        "messages": [message_out(m) for m in messages],
        "next_before_id": next_before,
        "read_by_other_up_to": receipt,
    }


@router.post("/conversations/{conversation_id}/messages", response={201: MessageOut})
def send(
    request,
    conversation_id: int,
    text: str = Form(""),
    burn_seconds: int | None = Form(None),
    client_id: str = Form(""),
    image: UploadedFile | None = File(None),
):
    """Multipart: ``text`` and/or ``image``; ``burn_seconds`` (5, 10, 30, 60) makes it
    burn-after-reading; ``client_id`` deduplicates retries."""
    data = image.read(settings.LIFECIRCLE["CHAT_IMAGE_MAX_BYTES"] + 1) if image else None
    message = services.message_send(
        sender=request.auth,
        conversation_id=conversation_id,
        text=text,
        image=data,
        burn_seconds=burn_seconds,
        client_id=client_id,
    )
    return 201, message_out(message)


@router.post("/conversations/{conversation_id}/read", response={204: None})
def read(request, conversation_id: int, data: ReadIn):
    services.conversation_mark_read(
        user=request.auth, conversation_id=conversation_id, up_to_id=data.up_to_id
    )
    return 204, None


@router.post("/messages/{message_id}/recall", response=MessageOut)
def recall(request, message_id: int):
    return message_out(services.message_recall(user=request.auth, message_id=message_id))


@router.post("/messages/{message_id}/open", response=OpenedOut)
def open_burn(request, message_id: int):
    """Open a burn-after-reading message: your countdown starts (or continues); the content is
    returned while it runs, then it is gone for good."""
    opened = services.burn_open(user=request.auth, message_id=message_id)
    return {
        "message_id": message_id,
        "text": opened.text,
        "expires_at": opened.expires_at,
        "image_url": f"/api/v1/chat/messages/{message_id}/burn-image" if opened.image else None,
    }


def _image_response(data: bytes) -> HttpResponse:
    kind = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
    response = HttpResponse(data, content_type=kind)
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/messages/{message_id}/burn-image")
def burn_image(request, message_id: int):
    opened = services.burn_open(user=request.auth, message_id=message_id)
    if opened.image is None:
        raise NotFound("message_gone", _("This message has burned after reading."))
    return _image_response(opened.image)


@router.get("/messages/{message_id}/image")
def image(request, message_id: int):
    message = Message.objects.filter(
        pk=message_id, burn_seconds__isnull=True, recalled_at__isnull=True
    ).first()
    if message is None or not message.image or _conv_or_none(request.auth, message.conversation_id) is None:
        raise NotFound("message_not_found", _("No such message."))
    with message.image.open("rb") as fh:
        return _image_response(fh.read())


def _conv_or_none(user, conversation_id):
    return selectors.conversation_for_member(user=user, conversation_id=conversation_id)
