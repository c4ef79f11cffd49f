"""Checks and events shared by the IOU services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lifecircle.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from lifecircle.ious.models import Iou
from lifecircle.realtime import groups
from lifecircle.realtime.events import publish_on_commit


def parties_check(*, actor, other) -> None:
    """Both real-name verified, friends, and no block either way. Checked when an IOU is
    proposed and again when it is confirmed (and the money moves)."""
    from lifecircle.social import selectors as social

    if not actor.is_verified:
        raise PermissionDenied("identity_required", _("Verify your real name before you sign an IOU."))
    if social.has_blocked(other, actor):
        raise NotFound("counterparty_not_found", _("No such person."))
    if social.has_blocked(actor, other):
        raise PermissionDenied("counterparty_blocked", _("You blocked this person. Unblock them first."))
    if not social.are_friends(actor, other):
        raise PermissionDenied("not_friends", _("IOUs are only between friends."))
    if not other.is_verified:
        raise ApplicationError(
            "counterparty_not_verified",
            _("The other person has not verified their real name, so they cannot sign an IOU."),
        )


def proposal_state_check(iou: Iou, *, now) -> None:
    """A proposal can still be confirmed: not confirmed, cancelled or expired (by the clock)."""
    if iou.status in (Iou.Status.ACTIVE, Iou.Status.REPAID):
        raise Conflict("iou_already_confirmed", _("This IOU has already been confirmed."))
    if iou.status == Iou.Status.CANCELLED:
        raise Conflict("iou_cancelled", _("This IOU was cancelled."))
    if iou.status == Iou.Status.EXPIRED or now >= iou.expires_at:
        raise Conflict("iou_expired", _("This IOU proposal has expired. Write a new one."))


def card_changed(iou: Iou, *, actor_id: int | None = None) -> None:
    """After commit, tell the parties' open chats that the IOU card changed (the conversation
    page refreshes on any ``chat.*`` event of its conversation and re-reads the card). The
    party who acted is left out: their card was just swapped in place, and a refresh racing
    it could wipe a PIN they are typing into the next form."""
    if iou.conversation_id is None:
        return
    to = [uid for uid in (iou.lender_id, iou.borrower_id) if uid != actor_id]
    publish_on_commit(
        {
            "type": "chat.card",
            "conversation_id": iou.conversation_id,
            "message_id": iou.message_id,
            "kind": "iou",
            "id": iou.pk,
        },
        to=[groups.user(uid) for uid in to],
    )
