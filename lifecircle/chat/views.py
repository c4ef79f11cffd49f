"""Chat pages: the conversation list with unread badges, a conversation that updates live
(htmx refreshes it when the socket reports a change), compose with a photo and the
burn-after-reading toggle, and opening a burn message with a visible countdown."""

from __future__ import annotations

import base64
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lifecircle.accounts.models import User
from lifecircle.accounts.selectors import display_names_for
from lifecircle.chat import selectors, services
from lifecircle.chat.cards import cards_for
from lifecircle.core.errors import ApplicationError
from lifecircle.core.text import ascii_digits


def _title(viewer, conv, names) -> str:
    if conv.kind == "group":
        return conv.group.name
    other = next((uid for uid in selectors.member_ids(conv) if uid != viewer.pk), None)
    return names[other].primary if other in names else ""


@login_required
def inbox(request):
    rows = selectors.conversations_for(user=request.user)
    others = User.objects.select_related("identity").filter(
        pk__in=[r["other_user_id"] for r in rows if r["other_user_id"]]
    )
    names = display_names_for(request.user, others)
    items = [
        {
            "conv": r["conversation"],
            "unread": r["unread"],
            "title": r["conversation"].group.name
            if r["conversation"].group_id
            else names[r["other_user_id"]].primary,
        }
        for r in rows
    ]
    return render(request, "chat/inbox.html", {"items": items})


def _open(request, open_conversation, on_error: str, **error_kwargs):
    """Open (or make) a conversation and go to it; on a refusal, say why where we came from."""
    try:
        conv = open_conversation()
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect(on_error, **error_kwargs)
    return redirect("chat:conversation", conversation_id=conv.pk)


@login_required
@require_POST
def open_direct(request, user_id: int):
    return _open(
        request,
        lambda: services.conversation_direct_open(user=request.user, other_id=user_id),
        "social:person",
        user_id=user_id,
    )


@login_required
@require_POST
def open_group(request, group_id: int):
    return _open(
        request,
        lambda: services.conversation_group_open(user=request.user, group_id=group_id),
        "social:groups",
    )


def _messages_context(request, conv) -> dict:
    history, _cursor = selectors.history(conv=conv)
    history.reverse()  # oldest at the top, as a chat reads
    senders = User.objects.select_related("identity").filter(pk__in={m.sender_id for m in history})
    names = display_names_for(request.user, senders)
    receipt = selectors.read_receipt(conv=conv, viewer=request.user) if conv.kind == "direct" else 0
    if history:
        services.conversation_mark_read(user=request.user, conversation_id=conv.pk, up_to_id=history[-1].pk)
    # Burn messages this viewer has open (inside their countdown) show their content again.
    from django.utils import timezone

    from lifecircle.chat.models import BurnView

    running = set(
        BurnView.objects.filter(
            user=request.user, expires_at__gt=timezone.now(), message__in=[m.pk for m in history]
        ).values_list("message_id", flat=True)
    )
    opened = {}
    for message_id in running:
        try:
            o = services.burn_open(user=request.user, message_id=message_id)
        except ApplicationError:
            continue
        opened[message_id] = {"opened": o, "image": base64.b64encode(o.image).decode() if o.image else None}
    return {
        "conv": conv,
        "history": [(m, names.get(m.sender_id)) for m in history],
        "receipt": receipt,
        "now_burn": {m.pk: selectors.burn_is_gone(m) for m in history if m.is_burn},
        "opened": opened,
        "cards": cards_for(request.user, history),
    }


@login_required
def conversation(request, conversation_id: int):
    conv = selectors.conversation_for_member(user=request.user, conversation_id=conversation_id)
    if conv is None:
        raise Http404
    context = _messages_context(request, conv)
    if request.headers.get("HX-Request"):
        return render(request, "chat/_messages.html", context)
    others = User.objects.select_related("identity").filter(pk__in=selectors.member_ids(conv))
    context.update(
        title=_title(request.user, conv, display_names_for(request.user, others)),
        client_id=uuid.uuid4().hex,
        burn_choices=settings.LIFECIRCLE["CHAT_BURN_SECONDS"],
    )
    return render(request, "chat/conversation.html", context)


@login_required
@require_POST
def send(request, conversation_id: int):
    upload = request.FILES.get("image")
    burn = request.POST.get("burn_seconds") if request.POST.get("burn") == "on" else None
    try:
        services.message_send(
            sender=request.user,
            conversation_id=conversation_id,
            text=request.POST.get("text", ""),
            image=upload.read(settings.LIFECIRCLE["CHAT_IMAGE_MAX_BYTES"] + 1) if upload else None,
            burn_seconds=int(burn) if burn and ascii_digits(burn) else (10 if burn is not None else None),
            client_id=request.POST.get("client_id", ""),
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("chat:conversation", conversation_id=conversation_id)


@login_required
@require_POST
def open_burn(request, message_id: int):
    """Open a burn-after-reading message: the countdown starts; the content is shown inline
    (an image as a data URL, so it is never a fetchable address) until it ends."""
    try:
        opened = services.burn_open(user=request.user, message_id=message_id)
    except ApplicationError as exc:
        return render(request, "chat/_burn.html", {"gone": True, "error": exc, "message_id": message_id})
    image = base64.b64encode(opened.image).decode() if opened.image else None
    return render(request, "chat/_burn.html", {"opened": opened, "image": image, "message_id": message_id})


@login_required
@require_POST
def recall(request, message_id: int):
    try:
        message = services.message_recall(user=request.user, message_id=message_id)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("chat:inbox")
    return redirect("chat:conversation", conversation_id=message.conversation_id)
