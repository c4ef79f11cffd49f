"""Blocking: the blocked person can no longer request, message, see posts, tip or find the
blocker. Blocking also ends the friendship and any pending requests between them."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.core.errors import NotFound, validation_error
from lifecircle.social.models import Block, FriendRequest
from lifecircle.social.services.friends import _unfriend


def block_create(*, user: User, target_id: int) -> Block:
    if target_id == user.pk:
        raise validation_error("user_id", "block_self", _("You cannot block yourself."))
    target = User.objects.filter(pk=target_id, is_active=True).first()
    if target is None:
        raise NotFound("user_not_found", _("No such user."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                block = Block.objects.create(blocker=user, blocked=target)
        except IntegrityError:
            block = Block.objects.get(blocker=user, blocked=target)
        _unfriend(user.pk, target.pk)
        FriendRequest.objects.filter(
            Q(from_user=user, to_user=target) | Q(from_user=target, to_user=user),
            status=FriendRequest.Status.PENDING,
        ).update(status=FriendRequest.Status.CANCELLED, answered_at=timezone.now())
    return block


def block_remove(*, user: User, target_id: int) -> None:
    """Unblock. The friendship does not come back: they can send a new request."""
    deleted, _rows = Block.objects.filter(blocker=user, blocked_id=target_id).delete()
    if not deleted:
        raise NotFound("block_not_found", _("You have not blocked this person."))
