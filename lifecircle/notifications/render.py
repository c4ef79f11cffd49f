"""A notification as a line of text, in the reader's language, with names as they see them."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
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
    Notification.Kind.LIVE_STARTED: lambda name, amount: _("%(name)s is live now.") % {"name": name},
    Notification.Kind.RED_PACKET_REFUND: lambda name, amount: (
        _("%(amount)s unclaimed from your red packet was returned to your wallet.") % {"amount": amount}
    ),
    Notification.Kind.COLLECTION_REQUEST: lambda name, amount: (
        _("%(name)s asks you to pay %(amount)s.") % {"name": name, "amount": amount}
    ),
    Notification.Kind.COLLECTION_REMINDER: lambda name, amount: (
        _("Reminder: %(name)s is still waiting for your %(amount)s.") % {"name": name, "amount": amount}
    ),
    Notification.Kind.COLLECTION_PAID: lambda name, amount: (
        _("%(name)s paid %(amount)s into your collection.") % {"name": name, "amount": amount}
    ),
    Notification.Kind.PAY_REQUEST: lambda name, amount: (
        _("%(name)s asks you to pay %(amount)s for them.") % {"name": name, "amount": amount}
    ),
    Notification.Kind.PAY_REQUEST_PAID: lambda name, amount: (
        _("%(name)s paid %(amount)s for you.") % {"name": name, "amount": amount}
    ),
    Notification.Kind.IOU_PROPOSED: lambda name, amount: (
        _("%(name)s proposed an IOU of %(amount)s.") % {"name": name, "amount": amount}
    ),
    Notification.Kind.IOU_CONFIRMED: lambda name, amount: (
        _("%(name)s confirmed the IOU of %(amount)s.") % {"name": name, "amount": amount}
    ),
    Notification.Kind.IOU_REPAID: lambda name, amount: (
        _("%(name)s repaid %(amount)s on an IOU.") % {"name": name, "amount": amount}
    ),
    Notification.Kind.IOU_DUE: lambda name, amount: (
        _("Your IOU with %(name)s for %(amount)s is due today.") % {"name": name, "amount": amount}
    ),
}

# Where a notification about a subject leads: kind -> URL name taking the subject id.
SUBJECT_URLS = {
    Notification.Kind.LIVE_STARTED: "live:event",
    Notification.Kind.RED_PACKET_REFUND: "redpackets:detail",
    Notification.Kind.COLLECTION_REQUEST: "collect:detail",
    Notification.Kind.COLLECTION_REMINDER: "collect:detail",
    Notification.Kind.COLLECTION_PAID: "collect:detail",
    Notification.Kind.PAY_REQUEST: "collect:pay_request",
    Notification.Kind.PAY_REQUEST_PAID: "collect:pay_request",
    Notification.Kind.IOU_PROPOSED: "ious:detail",
    Notification.Kind.IOU_CONFIRMED: "ious:detail",
    Notification.Kind.IOU_REPAID: "ious:detail",
    Notification.Kind.IOU_DUE: "ious:detail",
}


def _subject_url(n: Notification) -> str | None:
    name = SUBJECT_URLS.get(n.kind)
    if name is None or n.subject_id is None:
        return None
    try:
        return reverse(name, args=[n.subject_id])
    except NoReverseMatch:
        return None


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
                "subject_id": n.subject_id,
                "url": _subject_url(n),
                "created_at": n.created_at,
                "read": n.read_at is not None,
            }
        )
    return lines
