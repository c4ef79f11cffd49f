"""Creating and closing collections.

Who may be asked: with a chat, its members (a group's members, or the other person of a
one-to-one chat); without one, the organiser's friends. Never across a block, either way.
The organiser may include themself: their share counts as settled at once and no money moves.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.chat import selectors as chat_selectors
from lifecircle.chat.models import Message
from lifecircle.chat.services import card_post
from lifecircle.collect.models import Collection, PayRequest, Share
from lifecircle.collect.rules import split_even
from lifecircle.collect.services.errors import collection_not_found
from lifecircle.collect.services.events import card_changed
from lifecircle.core.converters import id_in_range
from lifecircle.core.errors import ApplicationError, NotFound, PermissionDenied, validation_error
from lifecircle.core.money import MAX_AMOUNT_FEN, amount_check
from lifecircle.core.text import plain_text
from lifecircle.notifications.models import Notification
from lifecircle.notifications.services import notification_create
from lifecircle.social import selectors as social
from lifecircle.wallet.services.idempotency import MAX_KEY_LENGTH, fingerprint

TITLE_MAX = 40
MAX_MEMBERS = 500  # a group's cap (GROUP_MAX_MEMBERS' default): one collection per whole group


@dataclass(frozen=True)
class ShareSpec:
    user_id: int
    amount_fen: int | None = None  # None for an even split


def title_clean(title: str | None) -> str:
    title = plain_text(title)
    if not title:
        raise validation_error("title", "title_required", _("Give the collection a title, e.g. Dinner."))
    if len(title) > TITLE_MAX:
        raise validation_error("title", "title_too_long", _("A title has at most 40 characters."))
    return title


def _member_ids_clean(organiser: User, ids: list) -> list[int]:
    if not isinstance(ids, list | tuple) or not ids:
        raise validation_error("members", "members_required", _("Choose at least one person to pay."))
    out: list[int] = []
    for raw in ids:
        if not id_in_range(raw):
            raise validation_error("members", "member_not_found", _("No such person."))
        if raw in out:
            raise validation_error("members", "member_duplicate", _("Each person can appear only once."))
        out.append(raw)
    if len(out) > MAX_MEMBERS:
        raise validation_error(
            "members", "too_many_members", _("A collection has at most %(n)d members.") % {"n": MAX_MEMBERS}
        )
    if not [uid for uid in out if uid != organiser.pk]:
        raise validation_error("members", "members_required", _("Choose at least one person to pay."))
    return out


def _members_check(organiser: User, ids: list[int], allowed: set[int] | None) -> None:
    """Every member other than the organiser exists, may be asked (in the chat, or a friend)
    and no block stands between them and the organiser. A fixed number of queries."""
    others = [uid for uid in ids if uid != organiser.pk]
    active = set(User.objects.filter(pk__in=others, is_active=True).values_list("pk", flat=True))
    blocked = social.blocked_ids_either_way(user=organiser)
    friends = social.friend_ids(user=organiser) if allowed is None else set()
    for uid in others:
        if uid not in active or (uid in blocked and not social.has_blocked(organiser, uid)):
            # Someone who blocked the organiser cannot be found at all, like a missing user.
            raise validation_error("members", "member_not_found", _("No such person."))
        if uid in blocked:
            raise validation_error(
                "members", "member_blocked", _("You blocked one of these people. Unblock them first.")
            )
        if allowed is not None and uid not in allowed:
            raise validation_error(
                "members", "member_not_in_chat", _("Only members of this chat can be asked to pay.")
            )
        if allowed is None and uid not in friends:
            raise validation_error("members", "member_not_friend", _("You can only ask your friends to pay."))


def _amounts(split: str, total_fen, specs: list[ShareSpec]) -> list[int]:
    if split == Collection.Split.EVEN:
        total = amount_check(total_fen, field="total_fen")
        if total < len(specs):
            raise validation_error(
                "total_fen",
                "total_too_small",
                _("Every share must be at least ¥0.01: the total is less than one fen per person."),
            )
        return split_even(total, len(specs))
    amounts = [amount_check(s.amount_fen, field="shares") for s in specs]
    if sum(amounts) > MAX_AMOUNT_FEN:
        raise validation_error("shares", "amount_too_large", _("This amount is too large."))
    return amounts


def collection_create(
    *,
    organiser: User,
    title: str,
    split: str,
    member_ids: list | None = None,
    total_fen: int | None = None,
    shares: list[ShareSpec] | None = None,
    conversation_id: int | None = None,
    client_key: str | None = None,
) -> Collection:
    """Ask members for money. ``split="even"``: ``total_fen`` among ``member_ids`` in the
    order given (the first ones carry the odd fen, see ``rules.split_even``);
    ``split="custom"``: ``shares`` gives each member's amount. Either may name the organiser,
    whose share is settled at once. With ``conversation_id`` the card goes into that chat and
    members must belong to it; otherwise members must be friends. Each member is notified.

    ``client_key`` (optional, e.g. the API's Idempotency-Key) makes a retry return the first
    collection; the same key with different parameters is ``idempotency_key_reused``."""
    title = title_clean(title)
    if split not in Collection.Split.values:
        raise validation_error("split", "split_invalid", _("Choose one of the offered values."))
    if split == Collection.Split.EVEN:
        specs = [ShareSpec(uid) for uid in _member_ids_clean(organiser, list(member_ids or []))]
    else:
        specs = list(shares or [])
        ids = _member_ids_clean(organiser, [s.user_id for s in specs])
        specs = [ShareSpec(uid, s.amount_fen) for uid, s in zip(ids, specs, strict=True)]
    amounts = _amounts(split, total_fen, specs)
    conv = None
    if conversation_id is not None:
        conv = (
            chat_selectors.conversation_for_member(user=organiser, conversation_id=conversation_id)
            if id_in_range(conversation_id)
            else None
        )
        if conv is None:
            raise NotFound("conversation_not_found", _("No such conversation."))
    allowed = set(chat_selectors.member_ids(conv)) if conv is not None else None
    _members_check(organiser, [s.user_id for s in specs], allowed)

    key = (client_key or "").strip()
    if len(key) > MAX_KEY_LENGTH:
        raise validation_error(
            "Idempotency-Key",
            "idempotency_key_invalid",
            _("The Idempotency-Key must be at most 255 printable characters."),
        )
    params = fingerprint(
        {
            "title": title,
            "split": split,
            "conversation_id": conv.pk if conv else None,
            "shares": [[s.user_id, a] for s, a in zip(specs, amounts, strict=True)],
        }
    )
    if key:
        existing = _existing(organiser, key, params)
        if existing is not None:
            return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            collection = Collection.objects.create(
                organiser=organiser,
                conversation=conv,
                title=title,
                split=split,
                total_fen=sum(amounts),
                created_at=now,
                client_key=key,
                client_fingerprint=params if key else "",
            )
            Share.objects.bulk_create(
                [
                    Share(
                        collection=collection,
                        member_id=spec.user_id,
                        position=i,
                        amount_fen=amount,
                        # The organiser's own share: settled, no money moves.
                        paid_at=now if spec.user_id == organiser.pk else None,
                        paid_by=organiser if spec.user_id == organiser.pk else None,
                    )
                    for i, (spec, amount) in enumerate(zip(specs, amounts, strict=True))
                ]
            )
            if conv is not None:
                card_post(
                    sender=organiser,
                    conversation_id=conv.pk,
                    kind=Message.Kind.COLLECTION,
                    subject_id=collection.pk,
                    summary={"title": title, "total_fen": collection.total_fen},
                )
            for spec, amount in zip(specs, amounts, strict=True):
                notification_create(
                    user_id=spec.user_id,
                    kind=Notification.Kind.COLLECTION_REQUEST,
                    actor_id=organiser.pk,
                    amount_fen=amount,
                    subject_id=collection.pk,
                )
    except IntegrityError:
        if key:  # a parallel request with the same key won
            existing = _existing(organiser, key, params)
            if existing is not None:
                return existing
        raise
    return collection


def _existing(organiser: User, key: str, params: str) -> Collection | None:
    existing = Collection.objects.filter(organiser=organiser, client_key=key).first()
    if existing is not None and existing.client_fingerprint != params:
        raise ApplicationError(
            "idempotency_key_reused",
            _("This Idempotency-Key was already used for a different request."),
            status=422,
        )
    if existing is not None:
        existing.replayed = True
    return existing


def collection_close(*, organiser: User, collection_id: int) -> Collection:
    """The organiser closes the collection: nobody can pay into it any more (what was paid
    stays paid) and pending requests to pay for a member are withdrawn. Closing twice is
    harmless. Locks the collection row, so a payment either lands before or is refused."""
    from lifecircle.collect.selectors import collection_for_participant

    collection = collection_for_participant(viewer=organiser, collection_id=collection_id)
    if collection is None:
        raise collection_not_found()
    if collection.organiser_id != organiser.pk:
        raise PermissionDenied("not_organiser", _("Only the organiser can do this."))
    with transaction.atomic():
        collection = Collection.objects.select_for_update().get(pk=collection.pk)
        if collection.status == Collection.Status.CLOSED:
            return collection
        now = timezone.now()  # read under the lock: every payment that got in came before it
        collection.status, collection.closed_at = Collection.Status.CLOSED, now
        collection.save(update_fields=["status", "closed_at"])
        withdrawn = list(
            PayRequest.objects.filter(share__collection=collection, status=PayRequest.Status.PENDING)
        )
        PayRequest.objects.filter(pk__in=[r.pk for r in withdrawn]).update(
            status=PayRequest.Status.CANCELLED, cancelled_at=now
        )
        card_changed(conversation_id=collection.conversation_id, kind="collection", subject_id=collection.pk)
        for r in withdrawn:
            card_changed(conversation_id=r.conversation_id, kind="pay_request", subject_id=r.pk)
    return collection
