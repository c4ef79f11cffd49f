"""Friend requests and friendships."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, validation_error
from lifecircle.core.text import plain_text
from lifecircle.notifications.models import Notification
from lifecircle.notifications.services import notification_create
from lifecircle.realtime import groups
from lifecircle.realtime.events import publish_on_commit
from lifecircle.social import selectors
from lifecircle.social.models import FriendLink, FriendRequest, Friendship, FriendTag

MESSAGE_MAX = 100
REMARK_MAX = 40


def _conf(name: str) -> int:
    return settings.LIFECIRCLE[name]


def _user_not_found() -> NotFound:
    return NotFound("user_not_found", _("No one can be found with this mobile number or username."))


def friendship_make(*, a: User, b: User) -> None:
    """Make ``a`` and ``b`` friends (both directions); nothing happens if they already are."""
    with transaction.atomic():
        for user, friend in ((a, b), (b, a)):
            Friendship.objects.get_or_create(user=user, friend=friend)


def friend_request_send(
    *,
    sender: User,
    identifier: str | None = None,
    link_token: str | None = None,
    message: str = "",
) -> FriendRequest:
    """Ask someone to be friends, found by mobile number or username (only if they let
    themselves be found that way) or through their QR/link token.

    If they had already asked ``sender``, this accepts their request instead. A blocked user
    cannot find the blocker (``user_not_found``); a user who blocked someone must unblock
    them first."""
    message = plain_text(message)
    if len(message) > MESSAGE_MAX:
        raise validation_error(
            "message", "message_too_long", _("A message has at most %(n)d characters.") % {"n": MESSAGE_MAX}
        )
    if link_token:
        link = selectors.friend_link_get(token=link_token)
        if link is None:
            raise NotFound("link_expired", _("This QR code or link has expired. Ask for a new one."))
        target, source = link.owner, FriendRequest.Source.LINK
        if selectors.has_blocked(target, sender):
            raise _user_not_found()
    else:
        found = selectors.user_find_for_request(viewer=sender, identifier=identifier or "")
        if found is None:
            raise _user_not_found()
        target, source = found
    if target.pk == sender.pk:
        raise validation_error("identifier", "request_to_self", _("You cannot add yourself as a friend."))
    if selectors.has_blocked(sender, target):
        raise ApplicationError("user_blocked", _("You blocked this person. Unblock them first."), status=400)
    if selectors.are_friends(sender, target):
        raise Conflict("already_friends", _("You are already friends."))
    now = timezone.now()
    with transaction.atomic():
        reverse = (
            FriendRequest.objects.select_for_update()
            .filter(from_user=target, to_user=sender, status=FriendRequest.Status.PENDING, expires_at__gt=now)
            .first()
        )
        if reverse is not None:
            return _accept(reverse, now)
        sent_today = FriendRequest.objects.filter(
            from_user=sender, created_at__gte=now - dt.timedelta(days=1)
        ).count()
        if sent_today >= _conf("FRIEND_REQUESTS_PER_DAY"):
            raise ApplicationError(
                "friend_request_limit",
                _("You have sent too many friend requests today. Try again tomorrow."),
                status=429,
            )
        # An expired pending request does not block a new one.
        FriendRequest.objects.filter(
            from_user=sender, to_user=target, status=FriendRequest.Status.PENDING, expires_at__lte=now
        ).update(status=FriendRequest.Status.CANCELLED)
        try:
            with transaction.atomic():
                request = FriendRequest.objects.create(
                    from_user=sender,
                    to_user=target,
                    message=message,
                    source=source,
                    created_at=now,
                    expires_at=now + dt.timedelta(days=_conf("FRIEND_REQUEST_TTL_DAYS")),
                )
        except IntegrityError:
            raise Conflict("request_pending", _("You already sent this person a request.")) from None
        notification_create(user_id=target.pk, kind=Notification.Kind.FRIEND_REQUEST, actor_id=sender.pk)
    return request


def _accept(request: FriendRequest, now) -> FriendRequest:
    request.status, request.answered_at = FriendRequest.Status.ACCEPTED, now
    request.save(update_fields=["status", "answered_at"])
    friendship_make(a=request.from_user, b=request.to_user)
    # A crossing request the other way is settled by the same friendship.
    FriendRequest.objects.filter(
        from_user=request.to_user, to_user=request.from_user, status=FriendRequest.Status.PENDING
    ).update(status=FriendRequest.Status.ACCEPTED, answered_at=now)
    notification_create(
        user_id=request.from_user_id, kind=Notification.Kind.FRIEND_ACCEPTED, actor_id=request.to_user_id
    )
    return request


ANSWERS = {"accept", "decline", "ignore"}


def friend_request_answer(*, user: User, request_id: int, action: str) -> FriendRequest:
    """Accept, decline or ignore a request sent to ``user``. Declined and ignored requests
    leave no trace for the sender; ignoring also hides it from the inbox."""
    if action not in ANSWERS:
        raise validation_error("action", "action_invalid", _("Choose accept, decline or ignore."))
    now = timezone.now()
    with transaction.atomic():
        request = (
            FriendRequest.objects.select_for_update()
            .select_related("from_user", "to_user")
            .filter(pk=request_id, to_user=user)
            .first()
        )
        if request is None:
            raise NotFound("request_not_found", _("No such friend request."))
        if request.status != FriendRequest.Status.PENDING:
            raise Conflict("request_answered", _("This request has already been answered."))
        if request.expires_at <= now:
            raise Conflict("request_expired", _("This request has expired."))
        if action == "accept":
            if selectors.is_blocked_between(request.from_user, user):
                raise PermissionDenied("user_blocked", _("You cannot become friends with this person."))
            return _accept(request, now)
        request.status = (
            FriendRequest.Status.DECLINED if action == "decline" else FriendRequest.Status.IGNORED
        )
        request.answered_at = now
        request.save(update_fields=["status", "answered_at"])
    return request


def friend_request_cancel(*, user: User, request_id: int) -> None:
    updated = FriendRequest.objects.filter(
        pk=request_id, from_user=user, status=FriendRequest.Status.PENDING
    ).update(status=FriendRequest.Status.CANCELLED, answered_at=timezone.now())
    if not updated:
        raise NotFound("request_not_found", _("No such friend request."))


def _unfriend(a_id: int, b_id: int) -> int:
    """End a friendship both ways (unfriending, blocking). Both people's open sockets are told
    to re-check what they hold open that the friendship allowed (``access.changed``: live
    rooms leave events they may no longer see)."""
    publish_on_commit({"type": "access.changed"}, to=[groups.user(a_id), groups.user(b_id)])
    deleted, _rows = Friendship.objects.filter(user_id=a_id, friend_id=b_id).delete()
    Friendship.objects.filter(user_id=b_id, friend_id=a_id).delete()
    for owner, member in ((a_id, b_id), (b_id, a_id)):
        FriendTag.members.through.objects.filter(friendtag__owner_id=owner, user_id=member).delete()
    return deleted


def friend_remove(*, user: User, friend_id: int) -> None:
    """Stop being friends, for both: remarks and tag memberships go too."""
    with transaction.atomic():
        if not _unfriend(user.pk, friend_id):
            raise NotFound("friend_not_found", _("This person is not your friend."))


def friend_remark_set(*, user: User, friend_id: int, remark: str) -> Friendship:
    remark = plain_text(remark)
    if len(remark) > REMARK_MAX:
        raise validation_error(
            "remark", "remark_too_long", _("A remark has at most %(n)d characters.") % {"n": REMARK_MAX}
        )
    friendship = selectors.friendship_get(user=user, friend_id=friend_id)
    if friendship is None:
        raise NotFound("friend_not_found", _("This person is not your friend."))
    friendship.remark = remark
    friendship.save(update_fields=["remark"])
    return friendship


def friend_link_create(*, user: User) -> FriendLink:
    """A QR/link token valid for ``FRIEND_LINK_TTL_DAYS``; an existing one with more than a
    day left is reused, so the QR code on the page stays the same while it is shown."""
    now = timezone.now()
    current = (
        FriendLink.objects.filter(owner=user, expires_at__gt=now + dt.timedelta(days=1))
        .order_by("-expires_at")
        .first()
    )
    if current is not None:
        return current
    return FriendLink.objects.create(
        owner=user,
        token=secrets.token_urlsafe(18),
        expires_at=now + dt.timedelta(days=_conf("FRIEND_LINK_TTL_DAYS")),
    )
