"""A notification as a line of text, in the reader's language, with names as they see them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lifecircle.accounts.selectors import display_names_for
from lifecircle.core.money import format_fen
from lifecircle.notifications.models import Notification

TEMPLATES = {
    Notification.Kind.LIKE: lambda name, amount: _("%(name)s liked your post.") % {"name": name},
    Notification.Kind.COMMENT: lambda name, amount: _("%(name)s commented on your post.") % {"name": name},
    Notification.Kind.REPLY: lambda name, amount: _("%(name)s replied to your comment.") % {"name": name},
    Notification.Kind.TIP: lambda name, amount: (
        _("%(name)s tipped you %(amount)s.") % {"name": name, "amount": amount}
    ),
    Notification.Kind.FRIEND_REQUEST: lambda name, amount: (
        _("%(name)s wants to be your friend.") % {"name": name}
    ),
    Notification.Kind.FRIEND_ACCEPTED: lambda name, amount: (
        _("%(name)s accepted your friend request.") % {"name": name}
    ),
    Notification.Kind.MONEY_RECEIVED: lambda name, amount: (
        _("You received %(amount)s from %(name)s.") % {"name": name, "amount": amount}
    ),
}


def notification_lines(*, viewer, notifications: list[Notification]) -> list[dict]:
    names = display_names_for(viewer, [n.actor for n in notifications if n.actor])
    lines = []
    for n in notifications:
        name = names[n.actor_id].primary if n.actor_id else ""
        amount = format_fen(n.amount_fen) if n.amount_fen is not None else ""
        lines.append(
            {
                "id": n.pk,
                "kind": n.kind,
                "text": TEMPLATES[n.kind](name, amount),
                "actor_id": n.actor_id,
                "post_id": n.post_id,
                "comment_id": n.comment_id,
                "amount_fen": n.amount_fen,
                "created_at": n.created_at,
                "read": n.read_at is not None,
            }
        )
    return lines
