"""Chat frames on the one WebSocket (``/ws/``); see docs/websocket-protocol.md.

- ``chat.send`` ``{conversation_id, text, burn_seconds?, client_id}`` → ``chat.sent``
  ``{client_id, message}`` to this socket; every member's sockets (the sender's other tabs
  too) get ``chat.message``. Images go through the HTTP API.
- ``chat.sync`` ``{after_id}`` → ``chat.sync`` ``{messages, more}``: everything after the
  client's last seen id, oldest first, in pages — the catch-up after a reconnect.
- ``chat.read`` ``{conversation_id, up_to_id}`` → members get ``chat.read``.
"""

from __future__ import annotations

from channels.db import database_sync_to_async

from lifecircle.chat import selectors, services
from lifecircle.chat.services.events import message_out
from lifecircle.core.converters import id_in_range
from lifecircle.core.errors import ApplicationError
from lifecircle.realtime.handlers import register


def _int(value) -> int | None:
    """An id from a frame (0 allowed: "from the start"), or None."""
    return value if (value == 0 and type(value) is int) or id_in_range(value) else None


@register("chat.send")
async def chat_send(consumer, frame) -> None:
    from django.utils.translation import gettext_lazy as _

    conversation_id, burn = _int(frame.get("conversation_id")), frame.get("burn_seconds")
    text, client_id = frame.get("text"), frame.get("client_id", "")
    if (
        conversation_id is None
        or not isinstance(text, str)
        or not isinstance(client_id, str)
        or (burn is not None and _int(burn) is None)
    ):
        await consumer.error(
            "frame_invalid", _("A chat.send frame needs conversation_id and text."), frame.get("ref")
        )
        return

    def send():
        message = services.message_send(
            sender=consumer.user,
            conversation_id=conversation_id,
            text=text,
            burn_seconds=burn,
            client_id=client_id,
        )
        return message_out(message)

    try:
        message = await database_sync_to_async(send)()
    except ApplicationError as exc:
        await consumer.fail(exc, frame.get("ref"))
        return
    await consumer.send_json({"type": "chat.sent", "client_id": client_id or None, "message": message})


@register("chat.sync")
async def chat_sync(consumer, frame) -> None:
    after_id = _int(frame.get("after_id", 0))
    if after_id is None:
        from django.utils.translation import gettext_lazy as _

        await consumer.error("frame_invalid", _("chat.sync needs after_id, a message id."), frame.get("ref"))
        return

    def fetch():
        messages, more = selectors.messages_after(user=consumer.user, after_id=after_id)
        return [message_out(m) for m in messages], more

    messages, more = await database_sync_to_async(fetch)()
    await consumer.send_json({"type": "chat.sync", "messages": messages, "more": more})


@register("chat.read")
async def chat_read(consumer, frame) -> None:
    conversation_id, up_to_id = _int(frame.get("conversation_id")), _int(frame.get("up_to_id"))
    if conversation_id is None or up_to_id is None:
        from django.utils.translation import gettext_lazy as _

        await consumer.error(
            "frame_invalid", _("chat.read needs conversation_id and up_to_id."), frame.get("ref")
        )
        return
    try:
        await database_sync_to_async(services.conversation_mark_read)(
            user=consumer.user, conversation_id=conversation_id, up_to_id=up_to_id
        )
    except ApplicationError as exc:
        await consumer.fail(exc, frame.get("ref"))
