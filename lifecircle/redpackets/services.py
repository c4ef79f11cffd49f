"""Every write about red packets: send, grab, refund (and the sweep that refunds).

Money
=====
* **Send**: the PIN, then one entry ``sender −total, pool shard +total``; the packet row and
  its chat card are written in the same transaction (``entry_post``'s ``after``), and so is the
  idempotency record: a retry with the same key returns the same packet.
* **Grab**: lock the packet row (``FOR NO KEY UPDATE``), check it is still open, decide the
  share (``rules``), post ``pool shard −share, grabber +share``, insert the grab (unique per
  packet and person) and lower ``remaining_*`` — one transaction. So a packet never grants more
  than its share count, the shares sum exactly to the total, and no one grabs twice.
* **Pool shards**: the pool is ``POOL_SHARDS`` system accounts; each packet keeps its money in
  one, picked at random when it is sent. Grabs of different packets therefore lock different
  pool rows (a single pool row would serialise every grab on the platform); the credit to the
  grabber is an ordinary wallet credit.
* **Expiry**: reads and grabs check the clock (``RedPacket.is_expired``), so an expired packet
  cannot be grabbed even if no sweeper ran. ``red_packets_sweep`` (the
  ``redpackets-refund`` sweep) refunds what is left to the sender: under the packet lock, at most one
  refund entry per packet, ever (``refund_entry`` is unique and checked under the lock).
"""

from __future__ import annotations

import datetime as dt
import logging
import random

from django.conf import settings
from django.db import IntegrityError
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.accounts.services import pin_verify
from lifecircle.chat.models import Conversation, Message
from lifecircle.chat.selectors import conversation_for_member, member_ids
from lifecircle.chat.services import card_post
from lifecircle.core.converters import id_in_range
from lifecircle.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, validation_error
from lifecircle.core.money import amount_check, format_fen
from lifecircle.core.text import plain_text
from lifecircle.notifications.models import Notification
from lifecircle.notifications.services import notification_create
from lifecircle.realtime import groups
from lifecircle.realtime.events import publish_on_commit
from lifecircle.redpackets import rules, selectors
from lifecircle.redpackets.models import RedPacket, RedPacketGrab
from lifecircle.social import selectors as social
from lifecircle.wallet.models import Account, EntryKind
from lifecircle.wallet.services import (
    Leg,
    entry_post,
    in_retried_transaction,
    system_account,
    wallet_account_for,
)
from lifecircle.wallet.services.accounts import SYSTEM_ACCOUNT_SHARDS
from lifecircle.wallet.services.idempotency import idempotent

logger = logging.getLogger(__name__)

POOL_SHARDS = SYSTEM_ACCOUNT_SHARDS["red_packet_pool"]
GREETING_MAX = 30


def pool_code(shard: int) -> str:
    return f"red_packet_pool_{shard:02d}"


def _conf(name: str) -> int:
    return settings.LIFECIRCLE[name]


# --- errors -----------------------------------------------------------------------------------
def packet_not_found() -> NotFound:
    return NotFound("red_packet_not_found", _("No such red packet."))


def _expired() -> ApplicationError:
    return ApplicationError("red_packet_expired", _("This red packet has expired."), status=410)


def _empty() -> Conflict:
    return Conflict("red_packet_empty", _("All shares of this red packet have been taken."))


def _already() -> Conflict:
    return Conflict("red_packet_already_grabbed", _("You already opened this red packet."))


# --- send -------------------------------------------------------------------------------------
def greeting_clean(greeting: str | None) -> str:
    greeting = plain_text(greeting)
    if len(greeting) > GREETING_MAX:
        raise validation_error("greeting", "greeting_too_long", _("A greeting has at most 30 characters."))
    return greeting


def _check_send(*, sender: User, conversation_id, kind, total_fen, share_count, greeting) -> tuple:
    if not id_in_range(conversation_id):
        raise NotFound("conversation_not_found", _("No such conversation."))
    conv = conversation_for_member(user=sender, conversation_id=conversation_id)
    if conv is None:
        raise NotFound("conversation_not_found", _("No such conversation."))
    if conv.kind == Conversation.Kind.DIRECT:
        other = next((uid for uid in member_ids(conv) if uid != sender.pk), None)
        if other is None or not social.are_friends(sender, other) or social.is_blocked_between(sender, other):
            raise PermissionDenied("not_friends", _("You can only chat with your friends."))
    if kind not in RedPacket.Kind.values:
        raise validation_error("kind", "red_packet_kind_invalid", _("Choose lucky draw or equal shares."))
    if isinstance(share_count, bool) or not isinstance(share_count, int) or share_count < 1:
        raise validation_error(
            "share_count", "red_packet_shares_invalid", _("Enter a number of shares of at least 1.")
        )
    if share_count > selectors.eligible_grabbers(conv):
        message = (
            _("In a one-to-one chat a red packet has one share.")
            if conv.kind == Conversation.Kind.DIRECT
            else _("There cannot be more shares than members of the group.")
        )
        raise validation_error("share_count", "red_packet_too_many_shares", message)
    total_fen = amount_check(total_fen, field="total_fen")
    if total_fen > _conf("RED_PACKET_MAX_FEN"):
        raise validation_error(
            "total_fen",
            "red_packet_too_large",
            _("A red packet holds at most %(max)s.") % {"max": format_fen(_conf("RED_PACKET_MAX_FEN"))},
        )
    if total_fen < share_count:
        raise validation_error(
            "total_fen", "red_packet_share_too_small", _("Each share must be at least ¥0.01.")
        )
    if kind == RedPacket.Kind.FIXED and total_fen % share_count:
        raise validation_error(
            "total_fen",
            "red_packet_total_uneven",
            _("For equal shares, the total must divide evenly by the number of shares."),
        )
    return conv, total_fen, greeting_clean(greeting)


def red_packet_send(
    *,
    sender: User,
    conversation_id: int,
    kind: str,
    total_fen: int,
    share_count: int,
    greeting: str = "",
    pin: str,
    idempotency_key: str | None,
) -> RedPacket:
    """Send a red packet into a chat the sender is in: the total leaves their wallet into a
    pool shard, and a card appears in the conversation. Needs the PIN; idempotent per
    (sender, key). Refusals are 4xx with nothing changed."""
    conv, total_fen, greeting = _check_send(
        sender=sender,
        conversation_id=conversation_id,
        kind=kind,
        total_fen=total_fen,
        share_count=share_count,
        greeting=greeting,
    )
    made: list[RedPacket] = []

    def run(claim):
        pin_verify(user=sender, pin=pin)
        code = pool_code(random.randrange(POOL_SHARDS))

        def after(entry) -> None:
            now = timezone.now()
            packet = RedPacket.objects.create(
                sender=sender,
                conversation=conv,
                kind=kind,
                total_fen=total_fen,
                share_count=share_count,
                greeting=greeting,
                pool_code=code,
                remaining_fen=total_fen,
                remaining_count=share_count,
                send_entry=entry,
                created_at=now,
                expires_at=now + dt.timedelta(seconds=_conf("RED_PACKET_EXPIRY_SECONDS")),
            )
            card_post(
                sender=sender,
                conversation_id=conv.pk,
                kind=Message.Kind.RED_PACKET,
                subject_id=packet.pk,
                summary={"greeting": greeting, "packet_kind": kind, "shares": share_count},
            )
            claim.complete(entry)
            made[:] = [packet]

        return entry_post(
            kind=EntryKind.RED_PACKET,
            legs=[Leg(wallet_account_for(sender), -total_fen), Leg(system_account(code), total_fen)],
            initiated_by=sender,
            note=greeting,
            details={"red_packet": "send", "conversation": conv.pk},
            after=after,
        )

    entry = idempotent(
        user=sender,
        operation="red_packet_send",
        key=idempotency_key,
        params={
            "conversation_id": conv.pk,
            "kind": kind,
            "total_fen": total_fen,
            "share_count": share_count,
            "greeting": greeting,
        },
        run=run,
    )
    if made:
        return made[0]
    packet = RedPacket.objects.select_related("conversation").get(send_entry=entry)
    packet.replayed = True
    return packet


# --- grab -------------------------------------------------------------------------------------
def _lock(packet_id: int) -> RedPacket:
    # NO KEY UPDATE: the grab's INSERT references the packet (a KEY SHARE lock), which a plain
    # FOR UPDATE held by another grabber would needlessly conflict with. (SQLite locks the file.)
    return RedPacket.objects.select_for_update(no_key=True).get(pk=packet_id)


def _card_changed(packet: RedPacket, *, to_ids, actor_id: int) -> None:
    """After commit, tell open chats that the card changed (the conversation page refreshes on
    any ``chat.*`` event of its conversation). The grabber's own card was swapped in place."""
    to = [groups.user(uid) for uid in to_ids if uid != actor_id]
    if to and packet.conversation_id:
        publish_on_commit(
            {
                "type": "chat.card",
                "conversation_id": packet.conversation_id,
                "kind": "red_packet",
                "id": packet.pk,
            },
            to=to,
        )


def _closed(packet: RedPacket, user: User, now=None) -> ApplicationError:
    """Why a packet that is all taken or expired refuses this grab (having grabbed it comes first)."""
    if RedPacketGrab.objects.filter(packet=packet, user=user).exists():
        return _already()
    return _empty() if packet.remaining_count == 0 else _expired()


def _accounts(user: User, code: str) -> tuple[Account, Account]:
    """The grabber's wallet and the packet's pool shard in one query (opened if missing)."""
    found = {a.code or a.user_id: a for a in Account.objects.filter(Q(user=user) | Q(code=code))}
    return found.get(user.pk) or wallet_account_for(user), found.get(code) or system_account(code)


def red_packet_grab(*, user: User, packet_id: int) -> RedPacketGrab:
    """Open a red packet: credit the grabber one share. Refused (nothing changed) when the
    packet is unknown to the user (404), the user is not in its chat (403), it is the
    sender's own packet in a one-to-one chat (403), the user already grabbed (409), all
    shares are taken (409) or it has expired (410)."""
    packet = None
    if id_in_range(packet_id):
        packet = RedPacket.objects.select_related("conversation").filter(pk=packet_id).first()
    if packet is None:
        raise packet_not_found()
    conv = packet.conversation
    in_chat = selectors.membership(user_id=user.pk, conversation=conv)
    if not in_chat.member:
        if packet.sender_id == user.pk or RedPacketGrab.objects.filter(packet=packet, user=user).exists():
            raise PermissionDenied(
                "red_packet_not_member", _("Only members of this chat can open this red packet.")
            )
        raise packet_not_found()  # others cannot tell it exists
    if conv.kind == Conversation.Kind.DIRECT and user.pk == packet.sender_id:
        raise PermissionDenied(
            "red_packet_not_for_you",
            _("In a one-to-one chat only the other person can open your red packet."),
        )
    if not in_chat.was_there_for(packet):
        raise PermissionDenied(
            "red_packet_before_joining", _("This red packet was sent before you joined the group.")
        )
    if social.is_blocked_between(user, packet.sender_id):  # money never moves across a block
        raise PermissionDenied(
            "red_packet_blocked",
            _("You cannot open a red packet from someone who blocked you or whom you blocked."),
        )
    # Cheap refusals before queueing for the packet's lock (re-checked under it). A second
    # grab by the same person is refused by the unique constraint inside the transaction.
    if packet.remaining_count == 0 or packet.is_expired():
        raise _closed(packet, user)
    wallet, pool = _accounts(user, packet.pool_code)

    def grab() -> RedPacketGrab:
        locked = _lock(packet.pk)
        now = timezone.now()
        if locked.remaining_count == 0 or locked.is_expired(now):
            raise _closed(locked, user, now)
        if locked.kind == RedPacket.Kind.LUCKY:
            share = rules.lucky_share(locked.remaining_fen, locked.remaining_count)
        else:
            share = rules.fixed_share(locked.remaining_fen, locked.remaining_count)
        entry = entry_post(
            kind=EntryKind.RED_PACKET,
            legs=[Leg(pool, -share), Leg(wallet, share)],
            initiated_by=user,
            note=locked.greeting,
            details={"red_packet": locked.pk, "role": "grab"},
        )
        # Unique per (packet, person): a second grab racing the first fails here and rolls back.
        made = RedPacketGrab.objects.create(
            packet=locked, user=user, amount_fen=share, entry=entry, created_at=now
        )
        RedPacket.objects.filter(pk=locked.pk).update(
            remaining_fen=F("remaining_fen") - share, remaining_count=F("remaining_count") - 1
        )
        # Live cards: the sender's shows the count going up; once the last share is gone
        # everyone's shows "All taken". (Not every member on every grab: a 500-member group
        # would get 500 events per grab.)
        _card_changed(
            locked,
            to_ids=member_ids(conv) if locked.remaining_count == 1 else [locked.sender_id],
            actor_id=user.pk,
        )
        return made

    try:
        return in_retried_transaction(grab)
    except IntegrityError:
        if RedPacketGrab.objects.filter(packet=packet, user=user).exists():
            raise _already() from None
        raise


# --- expiry -----------------------------------------------------------------------------------
def red_packet_refund(*, packet_id: int, now=None) -> bool:
    """Return what is left of an expired packet to its sender, once: True if this call
    refunded it. Safe to run from many sweepers at once."""
    now = now or timezone.now()

    def refund() -> bool:
        locked = _lock(packet_id)
        if locked.refund_entry_id is not None or locked.remaining_count == 0 or locked.expires_at > now:
            return False
        amount = locked.remaining_fen
        entry = entry_post(
            kind=EntryKind.RED_PACKET,
            legs=[
                Leg(system_account(locked.pool_code), -amount),
                Leg(wallet_account_for(locked.sender), amount),
            ],
            initiated_by=None,
            note=locked.greeting,
            details={"red_packet": locked.pk, "role": "refund"},
        )
        RedPacket.objects.filter(pk=locked.pk).update(refund_entry=entry, refunded_fen=amount)
        notification_create(
            user_id=locked.sender_id,
            kind=Notification.Kind.RED_PACKET_REFUND,
            amount_fen=amount,
            subject_id=locked.pk,
        )
        return True

    return in_retried_transaction(refund)


def red_packets_sweep(*, now=None, batch: int = 500) -> int:
    """Refund every expired packet with shares left (idempotent: a second run refunds
    nothing). The ``redpackets-refund`` sweep; reads never depend on it."""
    now = now or timezone.now()
    refunded = 0
    last_id = 0
    while True:
        ids = list(
            RedPacket.objects.filter(
                refund_entry__isnull=True, remaining_count__gt=0, expires_at__lte=now, pk__gt=last_id
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return refunded
        for packet_id in ids:
            if red_packet_refund(packet_id=packet_id, now=now):
                refunded += 1
        last_id = ids[-1]
