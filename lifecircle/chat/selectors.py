"""Every read of chat, for members only. Burn-after-reading content is never part of a
message as listed: it is read through ``burn_open`` by a recipient, inside their countdown."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from lifecircle.accounts.models import User
from lifecircle.chat.models import Conversation, ConversationMember, Message
from lifecircle.social.models import GroupMembership

PAGE = 50


def conversation_for_member(*, user: User, conversation_id: int) -> Conversation | None:
    """The conversation if ``user`` belongs to it — a party to the one-to-one chat, or a
    current member of the group — else None (others cannot tell it exists)."""
    conv = Conversation.objects.select_related("group").filter(pk=conversation_id).first()
    if conv is None:
        return None
    if conv.kind == Conversation.Kind.GROUP:
        ok = GroupMembership.objects.filter(group_id=conv.group_id, user=user).exists()
    else:
        ok = ConversationMember.objects.filter(conversation=conv, user=user).exists()
    return conv if ok else None


def member_ids(conv: Conversation) -> list[int]:
    if conv.kind == Conversation.Kind.GROUP:
        return list(GroupMembership.objects.filter(group_id=conv.group_id).values_list("user_id", flat=True))
    return list(ConversationMember.objects.filter(conversation=conv).values_list("user_id", flat=True))


def _visible_conversations(user: User):
    groups = GroupMembership.objects.filter(user=user).values("group_id")
    return Conversation.objects.filter(
        Q(kind=Conversation.Kind.DIRECT, members__user=user)
        | Q(kind=Conversation.Kind.GROUP, group_id__in=groups)
    ).distinct()


def conversations_for(*, user: User) -> list[dict]:
    """The user's conversations, most recent first, each with its unread count (messages
    from others after what the user has read). Three queries for any number of chats."""
    last_read = ConversationMember.objects.filter(conversation=OuterRef("pk"), user=user).values(
        "last_read_id"
    )[:1]
    convs = list(
        _visible_conversations(user)
        .select_related("group")
        .annotate(my_last_read=Coalesce(Subquery(last_read), 0))
        .order_by("-last_message_id", "-id")
    )
    unread = _unread_counts(user, convs)
    others = dict(
        ConversationMember.objects.filter(conversation__in=[c.pk for c in convs if c.kind == "direct"])
        .exclude(user=user)
        .values_list("conversation_id", "user_id")
    )
    return [
        {"conversation": c, "unread": unread.get(c.pk, 0), "other_user_id": others.get(c.pk)} for c in convs
    ]


def _unread_counts(user: User, convs) -> dict[int, int]:
    q = Q()
    for c in convs:
        q |= Q(conversation_id=c.pk, id__gt=c.my_last_read)
    if not convs:
        return {}
    rows = (
        Message.objects.filter(q)
        .exclude(sender=user)
        .filter(recalled_at__isnull=True)
        .values("conversation_id")
        .annotate(n=Count("id"))
    )
    return {r["conversation_id"]: r["n"] for r in rows}


def history(
    *, conv: Conversation, before_id: int | None = None, limit: int = PAGE
) -> tuple[list[Message], int | None]:
    """Newest first; ``before_id`` is the cursor for older pages."""
    qs = Message.objects.filter(conversation=conv).order_by("-id")
    if before_id is not None:
        qs = qs.filter(id__lt=before_id)
    rows = list(qs[: limit + 1])
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].pk
    return rows, None


def messages_after(*, user: User, after_id: int, limit: int = 200) -> tuple[list[Message], bool]:
    """Catch-up after a reconnect: every message in any of the user's conversations with an
    id above ``after_id``, oldest first — no gaps, no duplicates."""
    rows = list(
        Message.objects.filter(conversation__in=_visible_conversations(user), id__gt=after_id).order_by("id")[
            : limit + 1
        ]
    )
    return rows[:limit], len(rows) > limit


def read_receipt(*, conv: Conversation, viewer: User) -> int:
    """In a one-to-one chat: the last message id the other person has read."""
    other = ConversationMember.objects.filter(conversation=conv).exclude(user=viewer).first()
    return other.last_read_id if other else 0


def burn_is_gone(message: Message, now=None) -> bool:
    """Reads check the clock: a burn message is gone once burned, or 24 h after sending."""
    now = now or timezone.now()
    return message.burned_at is not None or (
        message.burn_expires_at is not None and message.burn_expires_at <= now
    )
