"""Telling open chats that a card changed, after commit: ``{"type": "chat.card",
"conversation_id", "kind", "id"}`` to every member of the card's conversation. Chat pages
re-read the conversation on any ``chat.*`` event for it, so the card shows the new progress
without a reload; the event itself carries no amounts or names."""

from __future__ import annotations

from lifecircle.chat import selectors as chat_selectors
from lifecircle.chat.models import Conversation
from lifecircle.realtime import groups
from lifecircle.realtime.events import publish_on_commit


def card_changed(*, conversation_id: int | None, kind: str, subject_id: int) -> None:
    if conversation_id is None:
        return
    conv = Conversation.objects.filter(pk=conversation_id).first()
    if conv is None:
        return
    publish_on_commit(
        {"type": "chat.card", "conversation_id": conv.pk, "kind": kind, "id": subject_id},
        to=[groups.user(uid) for uid in chat_selectors.member_ids(conv)],
    )
