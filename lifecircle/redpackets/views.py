"""Red-packet pages: send one into a chat (with the PIN), open it from its card in place
(htmx), and the list of who got how much. Each POST calls one service."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lifecircle.accounts.services import pin_is_set
from lifecircle.chat.selectors import conversation_for_member
from lifecircle.core.converters import form_id
from lifecircle.core.errors import ApplicationError
from lifecircle.core.money import parse_yuan
from lifecircle.core.text import ascii_digits
from lifecircle.redpackets import selectors, services
from lifecircle.redpackets.models import RedPacket, RedPacketGrab
from lifecircle.wallet.selectors import wallet_balance


def _shares(value) -> int:
    text = str(value or "").strip()
    return int(text) if ascii_digits(text) and len(text) <= 5 else 0


def _chat_title(viewer, conv) -> str:
    if conv.group_id:
        return conv.group.name
    from lifecircle.accounts.models import User
    from lifecircle.accounts.selectors import display_names_for
    from lifecircle.chat.selectors import member_ids

    others = User.objects.select_related("identity").filter(pk__in=member_ids(conv)).exclude(pk=viewer.pk)
    return ", ".join(n.primary for n in display_names_for(viewer, others).values())


@login_required
def new(request):
    """GET ?conversation=<id> shows the form; POST sends the packet and returns to the chat."""
    conversation_id = form_id(request.POST.get("conversation") or request.GET.get("conversation"))
    conv = (
        conversation_for_member(user=request.user, conversation_id=conversation_id)
        if conversation_id
        else None
    )
    if conv is None:
        raise Http404
    context = {
        "conv": conv,
        "title": _chat_title(request.user, conv),
        "max_shares": selectors.eligible_grabbers(conv),
        "form": request.POST or {"kind": RedPacket.Kind.LUCKY, "shares": "1"},
        "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
        "balance_fen": wallet_balance(viewer=request.user),
        "pin_set": pin_is_set(user=request.user),
        "kinds": RedPacket.Kind.choices,
        "max_fen": settings.LIFECIRCLE["RED_PACKET_MAX_FEN"],
    }
    status = 200
    if request.method == "POST":
        try:
            packet = services.red_packet_send(
                sender=request.user,
                conversation_id=conv.pk,
                kind=request.POST.get("kind", ""),
                total_fen=parse_yuan(request.POST.get("amount"), field="total_fen"),
                share_count=_shares(request.POST.get("shares")),
                greeting=request.POST.get("greeting", "")[:200],
                pin=request.POST.get("pin", ""),
                idempotency_key=request.POST.get("idempotency_key"),
            )
        except ApplicationError as exc:
            context["error"] = exc
            context["field_errors"] = {k: [str(m) for m in v] for k, v in exc.fields.items()}
            if exc.code in {"pin_incorrect", "pin_locked", "idempotency_key_reused"}:
                context["idempotency_key"] = uuid.uuid4().hex
            status = exc.status
        else:
            return redirect("chat:conversation", conversation_id=packet.conversation_id)
    return render(request, "redpackets/new.html", context, status=status)


@login_required
def detail(request, packet_id: int):
    packet = selectors.packet_get_for_viewer(viewer=request.user, packet_id=packet_id)
    if packet is None:
        raise Http404
    view = selectors.packet_view(viewer=request.user, packet=packet)
    return render(request, "redpackets/detail.html", {"view": view, "packet": packet})


@login_required
@require_POST
def grab(request, packet_id: int):
    """From the card in a chat (htmx): the card again, showing the amount or why not.
    Without htmx: the packet's page."""
    error = None
    try:
        services.red_packet_grab(user=request.user, packet_id=packet_id)
    except ApplicationError as exc:
        error = exc
    if not request.headers.get("HX-Request"):
        if error is not None:
            messages.error(request, str(error.message))
            if error.status == 404:
                raise Http404
        return redirect("redpackets:detail", packet_id=packet_id)
    packet = selectors.packet_get_for_viewer(viewer=request.user, packet_id=packet_id)
    if packet is None:
        raise Http404
    mine = RedPacketGrab.objects.filter(packet=packet, user=request.user).values_list("amount_fen", flat=True)
    card = selectors.card_state(viewer=request.user, packet=packet, my_amount_fen=next(iter(mine), None))
    if error is not None and card["state"] == "open":
        card["error"] = str(error.message)
    return render(request, "redpackets/_card.html", {"card": card})
