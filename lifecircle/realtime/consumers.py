"""The one WebSocket endpoint, ``/ws/``: see docs/websocket-protocol.md.

A client opens one socket and receives every event addressed to it; it sends JSON frames
``{"type": …}`` that are dispatched to handlers registered by the apps
(:func:`lifecircle.realtime.handlers.register`).
"""

from __future__ import annotations

import json

from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import translation
from django.utils.translation import gettext_lazy

from lifecircle.realtime import groups
from lifecircle.realtime.handlers import DISCONNECT_HOOKS, EVENT_HOOKS, HANDLERS

CLOSE_UNAUTHENTICATED = 4401
MAX_FRAME_BYTES = 64 * 1024


class LifeCircleConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)  # before accept: the handshake gets a 403
            return
        self.user = user
        self.language = user.language or self._accept_language()
        self.user_group = groups.user(user.pk)
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user_id": user.pk})

    def _accept_language(self) -> str:
        for key, value in self.scope.get("headers", []):
            if key == b"accept-language":
                for lang, _q in translation.trans_real.parse_accept_lang_header(value.decode("latin-1")):
                    try:
                        return translation.get_supported_language_variant(lang)
                    except LookupError:
                        continue
        return "en"

    async def disconnect(self, code):
        for hook in DISCONNECT_HOOKS:
            await hook(self)
        if hasattr(self, "user_group"):
            await self.channel_layer.group_discard(self.user_group, self.channel_name)

    async def send_json(self, content) -> None:
        await self.send(text_data=json.dumps(content, ensure_ascii=False, separators=(",", ":")))

    async def error(self, code: str, message, ref=None, extra: dict | None = None) -> None:
        """An error frame; ``message`` (a lazy translation) is rendered in the socket's language."""
        with translation.override(self.language):
            frame = {"type": "error", "code": code, "message": str(message), **(extra or {})}
        if ref is not None:
            frame["ref"] = ref
        await self.send_json(frame)

    async def fail(self, exc, ref=None) -> None:
        """An error frame for a service's ``ApplicationError`` (its code, message and extras)."""
        await self.error(exc.code, exc.message, ref, exc.extra)

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None or len(text_data) > MAX_FRAME_BYTES:
            await self.error("frame_invalid", gettext_lazy("Send JSON text frames of at most 64 KiB."))
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self.error("frame_invalid", gettext_lazy("The frame is not valid JSON."))
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.error("frame_invalid", gettext_lazy('A frame is a JSON object with a "type".'))
            return
        handler = HANDLERS.get(frame["type"])
        if handler is None:
            await self.error("unknown_type", gettext_lazy("Unknown frame type."), frame.get("ref"))
            return
        await handler(self, frame)

    async def event_push(self, message):
        """An event published to one of this socket's groups."""
        event = message["event"]
        if event.get("type") == "auth.revoked":
            await self._maybe_close(event)
            return
        hook = EVENT_HOOKS.get(event.get("type"))
        if hook is not None:
            await hook(self, event)
            return
        await self.send_json(event)

    async def _maybe_close(self, event) -> None:
        """Close if this socket's credentials ended (its token revoked, its session logged
        out, or — with neither named — every credential, after a password change)."""
        tokens, session_key = event.get("token_ids"), event.get("session_key")
        mine = self.scope.get("session").session_key if self.scope.get("session") is not None else None
        if (
            (tokens is None and session_key is None)
            or (tokens and self.scope.get("token_id") in tokens)
            or (session_key and session_key == mine)
        ):
            await self.close(code=CLOSE_UNAUTHENTICATED)
