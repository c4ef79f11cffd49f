"""Every read of red packets. A packet is seen by its sender, by the members of its chat, and
by whoever grabbed from it; everyone else cannot tell it exists. Reads check the clock, so a
packet past its time shows as expired whether or not the sweeper has refunded it yet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.accounts.selectors import display_names_for
from lifecircle.chat.models import Conversation, ConversationMember
from lifecircle.core.converters import id_in_range
from lifecircle.redpackets.models import RedPacket, RedPacketGrab
from lifecircle.social.models import GroupMembership
from lifecircle.social.selectors import is_blocked_between

DEFAULT_GREETING = _("Best wishes")


def greeting_of(packet: RedPacket) -> str:
    return packet.greeting or str(DEFAULT_GREETING)


@dataclass(frozen=True)
class Membership:
    member: bool  # a party to the one-to-one chat, or a current member of the group
    joined_at: dt.datetime | None = None  # when they joined the group (None one-to-one)

    def was_there_for(self, packet: RedPacket) -> bool:
        """In the chat when the packet was sent (as in WeChat, red packets sent before someone
        joined are not theirs to open)."""
        return self.joined_at is None or self.joined_at <= packet.created_at


def membership(*, user_id: int, conversation: Conversation | None) -> Membership:
    """One query: whether the user is in the chat, and since when."""
    if conversation is None:
        return Membership(False)
    if conversation.kind == Conversation.Kind.GROUP:
        joined = (
            GroupMembership.objects.filter(group_id=conversation.group_id, user_id=user_id)
            .values_list("joined_at", flat=True)
            .first()
        )
        return Membership(joined is not None, joined)
    return Membership(ConversationMember.objects.filter(conversation=conversation, user_id=user_id).exists())


def is_member(*, user_id: int, conversation: Conversation | None) -> bool:
    return membership(user_id=user_id, conversation=conversation).member


def eligible_grabbers(conversation: Conversation) -> int:
    """How many people may grab a packet sent here: the other person in a one-to-one chat;
    every current member of a group (the sender too, as in WeChat)."""
    if conversation.kind == Conversation.Kind.GROUP:
        return GroupMembership.objects.filter(group_id=conversation.group_id).count()
    return 1


def packet_get_for_viewer(*, viewer: User, packet_id) -> RedPacket | None:
    if viewer is None or not viewer.is_authenticated or not id_in_range(packet_id):
        return None
    packet = RedPacket.objects.select_related("conversation").filter(pk=packet_id).first()
    if packet is None:
        return None
    if packet.sender_id == viewer.pk or is_member(user_id=viewer.pk, conversation=packet.conversation):
        return packet
    if RedPacketGrab.objects.filter(packet=packet, user=viewer).exists():
        return packet
    return None


def status_of(packet: RedPacket, now=None) -> str:
    """``open``, ``empty`` (all taken) or ``expired`` (time is up with shares left)."""
    if packet.remaining_count == 0:
        return "empty"
    if packet.is_expired(now):
        return "expired"
    return "open"


@dataclass
class GrabLine:
    user_id: int
    name: str
    amount_fen: int
    created_at: object
    best_luck: bool = False


@dataclass
class PacketView:
    packet: RedPacket
    sender_name: str
    greeting: str
    status: str
    taken_count: int
    taken_fen: int
    grabs: list[GrabLine] = field(default_factory=list)
    my_amount_fen: int | None = None
    can_grab: bool = False


def _may_grab(viewer: User, packet: RedPacket) -> bool:
    conv = packet.conversation
    if conv is None:
        return False
    if conv.kind == Conversation.Kind.DIRECT and viewer.pk == packet.sender_id:
        return False
    m = membership(user_id=viewer.pk, conversation=conv)
    return m.member and m.was_there_for(packet) and not is_blocked_between(viewer, packet.sender_id)


def packet_view(*, viewer: User, packet: RedPacket, now=None) -> PacketView:
    """The packet as WeChat shows it: who got how much and when, names as the viewer sees
    them, and "Best luck" on the largest share of a lucky packet once it is fully grabbed or
    expired (the earliest of equal shares)."""
    now = now or timezone.now()
    grabs = list(RedPacketGrab.objects.filter(packet=packet).order_by("created_at", "id"))
    users = User.objects.select_related("identity").filter(
        pk__in={g.user_id for g in grabs} | {packet.sender_id}
    )
    names = display_names_for(viewer, users)
    status = status_of(packet, now)
    lines = [GrabLine(g.user_id, names[g.user_id].primary, g.amount_fen, g.created_at) for g in grabs]
    if lines and packet.kind == RedPacket.Kind.LUCKY and status != "open":
        max(lines, key=lambda line: line.amount_fen).best_luck = True  # max keeps the first of equals
    mine = next((g.amount_fen for g in grabs if g.user_id == viewer.pk), None)
    return PacketView(
        packet=packet,
        sender_name=names[packet.sender_id].primary,
        greeting=greeting_of(packet),
        status=status,
        taken_count=len(grabs),
        taken_fen=sum(g.amount_fen for g in grabs),
        grabs=lines,
        my_amount_fen=mine,
        can_grab=mine is None and status == "open" and _may_grab(viewer, packet),
    )


def card_state(
    *, viewer: User, packet: RedPacket, my_amount_fen: int | None, now=None, joined_at=None
) -> dict:
    """What a chat card shows one viewer (no list of grabs: a page of cards stays cheap).
    ``joined_at``: when the viewer joined the group, for packets sent before that."""
    status = status_of(packet, now)
    if my_amount_fen is not None:
        state = "grabbed"
    elif status != "open":
        state = status
    elif packet.conversation and packet.conversation.kind == "direct" and packet.sender_id == viewer.pk:
        state = "sent"  # waiting for the other person
    elif joined_at is not None and packet.created_at < joined_at:
        state = "before_joining"  # not theirs to open, as in WeChat
    else:
        state = "open"
    return {
        "id": packet.pk,
        "greeting": greeting_of(packet),
        "kind": packet.kind,
        "state": state,
        "amount_fen": my_amount_fen,
        "taken": packet.share_count - packet.remaining_count,
        "shares": packet.share_count,
        "error": None,
    }


def cards_load(viewer: User, ids: list[int]) -> dict[int, dict]:
    """The chat card loader (``lifecircle.chat.cards``): a few queries for any number of cards;
    packets the viewer may not see are left out."""
    packets = list(RedPacket.objects.select_related("conversation").filter(pk__in=ids))
    of_chat = {
        conv.pk: membership(user_id=viewer.pk, conversation=conv)
        for conv in {p.conversation for p in packets if p.conversation is not None}
    }
    no_chat = Membership(False)
    mine = dict(
        RedPacketGrab.objects.filter(packet_id__in=ids, user=viewer).values_list("packet_id", "amount_fen")
    )
    now = timezone.now()
    return {
        p.pk: card_state(
            viewer=viewer,
            packet=p,
            my_amount_fen=mine.get(p.pk),
            now=now,
            joined_at=of_chat.get(p.conversation_id, no_chat).joined_at,
        )
        for p in packets
        if p.sender_id == viewer.pk or of_chat.get(p.conversation_id, no_chat).member or p.pk in mine
    }
