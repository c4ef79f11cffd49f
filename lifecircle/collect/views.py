"""Collection pages: start one (from a chat, or among chosen friends), its page with who has
paid, paying in place from the chat card (htmx; the PIN field appears when the server says
``pin_required``), asking a friend to pay on one's behalf, and that request's page.

Every money form carries a hidden ``idempotency_key`` drawn when it is shown, so a double tap
or a resubmitted page pays once."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecircle.accounts.models import User
from lifecircle.accounts.selectors import display_names_for
from lifecircle.chat import selectors as chat_selectors
from lifecircle.collect import selectors, services
from lifecircle.collect.cards import load_collections, load_pay_requests
from lifecircle.core.converters import form_id
from lifecircle.core.errors import ApplicationError
from lifecircle.core.money import format_fen, parse_yuan
from lifecircle.core.views import post_action
from lifecircle.social import selectors as social

PIN_CODES = {"pin_required", "pin_incorrect"}
FRESH_KEY_CODES = {"pin_locked", "idempotency_key_reused"}  # the same key cannot succeed any more


def _errors(exc: ApplicationError) -> dict:
    return {"error": exc, "field_errors": {k: [str(m) for m in v] for k, v in exc.fields.items()}}


def _pay_error(exc: ApplicationError, key: str) -> dict:
    """After a refused payment: show why; keep the key so the retry (e.g. with the PIN now) is
    the same payment."""
    return {
        "error": exc,
        "pin_needed": exc.code in PIN_CODES,
        "retry_key": None if exc.code in FRESH_KEY_CODES else key,
    }


# --- list and new -------------------------------------------------------------------------
@login_required
def home(request):
    try:
        collections, next_cursor = selectors.collections_for(
            viewer=request.user, cursor=request.GET.get("cursor") or None
        )
    except ApplicationError:  # a mangled page link: back to the first page
        return redirect("collect:home")
    return render(
        request,
        "collect/home.html",
        {
            "views": selectors.collection_views(viewer=request.user, collections=collections),
            "next_cursor": next_cursor,
            "waiting": selectors.pay_requests_waiting_for(viewer=request.user),
        },
    )


def _candidates(viewer, conv) -> list[tuple[User, object]]:
    """Who the organiser may ask: the chat's members, or their friends; never across a block."""
    if conv is not None:
        ids = set(chat_selectors.member_ids(conv)) - {viewer.pk} - social.blocked_ids_either_way(user=viewer)
        users = list(
            User.objects.select_related("identity").filter(pk__in=ids, is_active=True).order_by("pk")
        )
    else:
        users = [f.friend for f in social.friendships_for(user=viewer) if f.friend.is_active]
    names = display_names_for(viewer, users)
    return [(u, names[u.pk]) for u in users]


def _create(request, conv):
    post = request.POST
    split = post.get("split", "even")
    # Document order: the organiser's own box comes first, so they carry an even split's odd fen.
    chosen = [form_id(v) for v in post.getlist("member")]
    if split == "custom":
        shares = [
            services.ShareSpec(uid, parse_yuan(post.get(f"amount_{uid}"), field="shares")) for uid in chosen
        ]
        total = None
    else:
        shares, total = None, parse_yuan(post.get("total"), field="total_fen")
    return services.collection_create(
        organiser=request.user,
        title=post.get("title", ""),
        split=split,
        member_ids=chosen,
        total_fen=total,
        shares=shares,
        conversation_id=conv.pk if conv is not None else None,
        client_key=post.get("client_key", "")[:64],
    )


@login_required
def new(request):
    raw = request.GET.get("conversation") or request.POST.get("conversation")
    conv = None
    if raw:
        conv = chat_selectors.conversation_for_member(user=request.user, conversation_id=form_id(raw) or 0)
        if conv is None:
            raise Http404
    candidates = _candidates(request.user, conv)
    post = request.POST
    context = {
        "conv": conv,
        "candidates": candidates,
        "client_key": post.get("client_key") or uuid.uuid4().hex,
        "form": post,
        "chosen": {form_id(v) for v in post.getlist("member")} if post else None,
        "split": post.get("split", "even"),
    }
    if request.method == "POST":
        try:
            collection = _create(request, conv)
        except ApplicationError as exc:
            context.update(_errors(exc))
            return render(request, "collect/new.html", context, status=exc.status)
        messages.success(request, _("Collection started."))
        if collection.conversation_id:
            return redirect("chat:conversation", conversation_id=collection.conversation_id)
        return redirect("collect:detail", collection_id=collection.pk)
    return render(request, "collect/new.html", context)


# --- one collection -------------------------------------------------------------------------
def _detail(request, collection_id: int, *, status: int = 200, **extra):
    card = load_collections(request.user, [collection_id]).get(collection_id)
    if card is None or getattr(card["view"], "outsider", False):
        raise Http404
    view = card["view"]
    friends = []
    if view.can_pay and view.my_request is None:
        friends = [
            (u, n)
            for u, n in _candidates(request.user, None)
            if u.pk != view.collection.organiser_id
            and not social.is_blocked_between(u.pk, view.collection.organiser_id)
        ]
    return render(
        request,
        "collect/detail.html",
        {"card": card, "v": view, "friends": friends, "on_page": True, **extra},
        status=status,
    )


@login_required
def detail(request, collection_id: int):
    return _detail(request, collection_id)


@login_required
@require_POST
def pay(request, collection_id: int):
    """Pay one's share: the card in place (htmx) or the collection's page."""
    key = request.POST.get("idempotency_key", "")
    extra: dict = {}
    status = 200
    try:
        payment = services.collection_pay(
            payer=request.user,
            collection_id=collection_id,
            idempotency_key=key,
            pin=request.POST.get("pin") or None,
        )
    except ApplicationError as exc:
        extra, status = _pay_error(exc, key), exc.status
        payment = None
    if request.headers.get("HX-Request"):
        card = load_collections(request.user, [collection_id]).get(collection_id)
        if card is None:
            raise Http404
        # 200 even on a refusal: htmx swaps only successful responses, and the card says why.
        return render(request, "collect/_collection_card.html", {"card": card, **extra})
    if payment is None:
        return _detail(request, collection_id, status=status, **extra)
    messages.success(request, _("You paid %(amount)s.") % {"amount": format_fen(payment.share.amount_fen)})
    return redirect("collect:detail", collection_id=collection_id)


@login_required
@require_POST
def close(request, collection_id: int):
    response, _result = post_action(
        request,
        lambda: services.collection_close(organiser=request.user, collection_id=collection_id),
        success=_("Collection closed."),
        redirect_to=reverse("collect:detail", args=[collection_id]),
    )
    return response


@login_required
@require_POST
def ask(request, collection_id: int):
    """Ask a friend to pay one's share; the request appears in the chat with that friend."""
    try:
        pay_request = services.pay_request_create(
            requester=request.user,
            collection_id=collection_id,
            payer_id=form_id(request.POST.get("payer_id")),
        )
    except ApplicationError as exc:
        if selectors.collection_for_participant(viewer=request.user, collection_id=collection_id) is None:
            raise Http404 from None
        return _detail(request, collection_id, status=exc.status, ask_error=exc)
    messages.success(request, _("Request sent."))
    if pay_request.conversation_id:
        return redirect("chat:conversation", conversation_id=pay_request.conversation_id)
    return redirect("collect:pay_request", pay_request_id=pay_request.pk)


# --- pay requests ---------------------------------------------------------------------------
def _request_page(request, pay_request_id: int, *, status: int = 200, **extra):
    card = load_pay_requests(request.user, [pay_request_id]).get(pay_request_id)
    if card is None:
        raise Http404
    return render(
        request, "collect/pay_request.html", {"card": card, "on_page": True, **extra}, status=status
    )


@login_required
def pay_request(request, pay_request_id: int):
    return _request_page(request, pay_request_id)


@login_required
@require_POST
def pay_request_pay(request, pay_request_id: int):
    key = request.POST.get("idempotency_key", "")
    extra: dict = {}
    status = 200
    try:
        services.pay_request_pay(
            payer=request.user,
            pay_request_id=pay_request_id,
            pin=request.POST.get("pin") or None,
            idempotency_key=key,
        )
    except ApplicationError as exc:
        extra, status = _pay_error(exc, key), exc.status
    if request.headers.get("HX-Request"):
        card = load_pay_requests(request.user, [pay_request_id]).get(pay_request_id)
        if card is None:
            raise Http404
        return render(request, "collect/_pay_request_card.html", {"card": card, **extra})
    if extra:
        return _request_page(request, pay_request_id, status=status, **extra)
    messages.success(request, _("Paid. Thank you!"))
    return redirect("collect:pay_request", pay_request_id=pay_request_id)


@login_required
@require_POST
def pay_request_cancel(request, pay_request_id: int):
    try:
        services.pay_request_cancel(user=request.user, pay_request_id=pay_request_id)
    except ApplicationError as exc:
        if request.headers.get("HX-Request"):
            card = load_pay_requests(request.user, [pay_request_id]).get(pay_request_id)
            if card is None:
                raise Http404 from None
            return render(request, "collect/_pay_request_card.html", {"card": card, "error": exc})
        return _request_page(request, pay_request_id, status=exc.status, error=exc)
    if request.headers.get("HX-Request"):
        card = load_pay_requests(request.user, [pay_request_id]).get(pay_request_id)
        return render(request, "collect/_pay_request_card.html", {"card": card})
    messages.success(request, _("Request withdrawn."))
    return redirect("collect:pay_request", pay_request_id=pay_request_id)
