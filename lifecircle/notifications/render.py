"""A notification as a line of text, in the reader's language, with names as they see them."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.selectors import display_names_for
from lifecircle.core.money import format_fen
from lifecircle.notifications.models import Notification

# One line per kind, formatted with the actor's name and the amount (each uses what it needs).
TEMPLATES = {
    Notification.Kind.LIKE: _("%(name)s liked your post."),
    Notification.Kind.COMMENT: _("%(name)s commented on your post."),
    Notification.Kind.REPLY: _("%(name)s replied to your comment."),
    Notification.Kind.TIP: _("%(name)s tipped you %(amount)s."),
    Notification.Kind.FRIEND_REQUEST: _("%(name)s wants to be your friend."),
    Notification.Kind.FRIEND_ACCEPTED: _("%(name)s accepted your friend request."),
    Notification.Kind.MONEY_RECEIVED: _("You received %(amount)s from %(name)s."),
    Notification.Kind.LIVE_STARTED: _("%(name)s is live now."),
    Notification.Kind.RED_PACKET_REFUND: _(
        "%(amount)s unclaimed from your red packet was returned to your wallet."
    ),
    Notification.Kind.COLLECTION_REQUEST: _("%(name)s asks you to pay %(amount)s."),
    Notification.Kind.COLLECTION_REMINDER: _("Reminder: %(name)s is still waiting for your %(amount)s."),
    Notification.Kind.COLLECTION_PAID: _("%(name)s paid %(amount)s into your collection."),
    Notification.Kind.PAY_REQUEST: _("%(name)s asks you to pay %(amount)s for them."),
    Notification.Kind.PAY_REQUEST_PAID: _("%(name)s paid %(amount)s for you."),
    Notification.Kind.IOU_PROPOSED: _("%(name)s proposed an IOU of %(amount)s."),
    Notification.Kind.IOU_CONFIRMED: _("%(name)s confirmed the IOU of %(amount)s."),
    Notification.Kind.IOU_REPAID: _("%(name)s repaid %(amount)s on an IOU."),
    Notification.Kind.IOU_DUE: _("Your IOU with %(name)s for %(amount)s is due today."),
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
                "text": str(TEMPLATES[n.kind]) % {"name": name, "amount": amount},
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
