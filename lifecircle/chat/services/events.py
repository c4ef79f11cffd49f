"""What a message looks like on the wire (API and WebSocket): never burn content."""

from __future__ import annotations

from lifecircle.chat import selectors
from lifecircle.chat.models import Message
from lifecircle.realtime import groups
from lifecircle.realtime.events import publish_on_commit


def message_out(message: Message) -> dict:
    gone = message.is_burn and selectors.burn_is_gone(message)
    out = {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "sender_id": message.sender_id,
        "kind": message.kind,
        "client_id": message.client_id or None,
        "created_at": message.created_at.isoformat(),
        "recalled": message.recalled_at is not None,
        "text": None,
        "image_url": None,
        "payload": message.payload or {},
        "burn": None,
    }
    if message.recalled_at is not None:
        return out
    if message.is_burn:
        out["burn"] = {"seconds": message.burn_seconds, "gone": gone}
        return out
    out["text"] = message.text or None
    if message.image:
        out["image_url"] = f"/api/v1/chat/messages/{message.pk}/image"
    return out


def publish_to_members(event: dict, member_ids) -> None:
    publish_on_commit(event, to=[groups.user(uid) for uid in member_ids])
