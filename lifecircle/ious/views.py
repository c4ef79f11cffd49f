"""IOU pages: my IOUs, write one (from a one-to-one chat), one IOU with its actions, and the
printable IOU. The card in the chat and on the IOU page confirms, cancels and repays in place
(htmx swaps the re-rendered card); without JavaScript the same forms post and redirect."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lifecircle.core.converters import form_id
from lifecircle.core.errors import ApplicationError, validation_error
from lifecircle.core.money import parse_yuan
from lifecircle.ious import selectors, services
from lifecircle.ious.present import capitals

_RATE = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


def _error_context(exc: ApplicationError) -> dict:
    return {"error": exc, "field_errors": {k: [str(m) for m in v] for k, v in exc.fields.items()}}


def rate_percent_to_bp(text: str | None) -> int:
    """ "3.65" (percent a year) → 365 basis points; at most two decimals."""
    raw = (text or "").strip().rstrip("%").strip() or "0"
    if not _RATE.match(raw):
        raise validation_error(
            "rate",
            "rate_invalid",
            gettext_lazy("Enter the annual rate in percent with at most two decimals, e.g. 3.65."),
        )
    whole, _dot, frac = raw.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def _date(value: str | None, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise validation_error(field, "date_invalid", gettext_lazy("Enter a valid date.")) from None


def _cap_context() -> dict:
    from django.conf import settings

    conf = settings.LIFECIRCLE
    return {
        "cap": services.percent(selectors.rate_cap_bp()),
        "multiple": conf["IOU_RATE_CAP_MULTIPLE"],
        "lpr": services.percent(conf["IOU_LPR_1Y_BP"]),
    }


def _verified_friends(user):
    from lifecircle.accounts.selectors import display_names_for
    from lifecircle.social import selectors as social

    friends = [f.friend for f in social.friendships_for(user=user) if f.friend.is_verified]
    names = display_names_for(user, friends)
    return [(f, names[f.pk]) for f in friends]


def _conversation_other(user, conversation_id: int):
    """The other member of the viewer's one-to-one chat, or None."""
    from lifecircle.accounts.models import User
    from lifecircle.chat import selectors as chat

    conv = (
        chat.conversation_for_member(user=user, conversation_id=conversation_id) if conversation_id else None
    )
    if conv is None or conv.kind != "direct":
        return None, None
    other_id = next((uid for uid in chat.member_ids(conv) if uid != user.pk), None)
    return conv, User.objects.select_related("identity").filter(pk=other_id).first()


@login_required
def iou_list(request):
    try:
        rows, next_cursor = selectors.ious_for(viewer=request.user, cursor=request.GET.get("cursor") or None)
    except ApplicationError:
        return redirect("ious:list")
    items = [selectors.iou_card(iou, request.user, key="") for iou in rows]
    return render(request, "ious/list.html", {"items": items, "next_cursor": next_cursor})


@login_required
def iou_new(request):
    from lifecircle.accounts.selectors import display_name_for
    from lifecircle.accounts.services import pin_is_set

    source = request.POST if request.method == "POST" else request.GET
    conv, other = _conversation_other(request.user, form_id(source.get("conversation")))
    today = timezone.localdate()
    context = {
        "conv": conv,
        "other": other,
        "other_name": display_name_for(request.user, other) if other else None,
        "friends": [] if other else _verified_friends(request.user),
        "today": today,
        "form": request.POST or {"role": "lender", "lent_on": today.isoformat(), "rate": "0"},
        "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
        "verified": request.user.is_verified,
        "pin_set": pin_is_set(user=request.user),
        **_cap_context(),
    }
    if request.method != "POST":
        return render(request, "ious/new.html", context)
    post = request.POST
    try:
        iou = services.iou_propose(
            proposer=request.user,
            counterparty_id=other.pk if other else form_id(post.get("counterparty_id")),
            role=post.get("role", ""),
            amount_fen=parse_yuan(post.get("amount")),
            purpose=post.get("purpose", ""),
            rate_bp=rate_percent_to_bp(post.get("rate")),
            lent_on=_date(post.get("lent_on"), "lent_on"),
            due_on=_date(post.get("due_on"), "due_on"),
            pin=post.get("pin", ""),
            auto_debit=post.get("auto_debit") == "on" and post.get("role") == "borrower",
            conversation_id=conv.pk if conv else None,
            idempotency_key=post.get("idempotency_key"),
        )
    except ApplicationError as exc:
        context.update(_error_context(exc))
        if exc.code == "idempotency_key_reused":
            context["idempotency_key"] = uuid.uuid4().hex
        return render(request, "ious/new.html", context, status=exc.status)
    messages.success(request, _("IOU sent. It takes effect when the other person confirms it."))
    if iou.conversation_id:
        return redirect("chat:conversation", conversation_id=iou.conversation_id)
    return redirect("ious:detail", iou_id=iou.pk)


def _card_context(request, iou_id: int, **extra) -> dict:
    iou = selectors.iou_get_for_viewer(viewer=request.user, iou_id=iou_id)
    return {"card": selectors.iou_card(iou, request.user, key=uuid.uuid4().hex, **extra)}


@login_required
def iou_detail(request, iou_id: int):
    try:
        context = _card_context(request, iou_id)
    except ApplicationError:
        raise Http404 from None
    return render(request, "ious/detail.html", context)


@login_required
def iou_print(request, iou_id: int):
    """The printable IOU: both parties' full legal names, the amount in figures and in capitals,
    rate, dates and the repayment history. Only the two parties can open it."""
    try:
        iou = selectors.iou_get_for_viewer(viewer=request.user, iou_id=iou_id)
    except ApplicationError:
        raise Http404 from None
    card = selectors.iou_card(iou, request.user, key="")
    return render(
        request,
        "ious/print.html",
        {
            "card": card,
            "iou": iou,
            "capitals": capitals(iou.principal_fen),
            "repayments": [(r, capitals(r.amount_fen)) for r in iou.repayments.all()],
            "rate": services.percent(iou.rate_bp),
            # The proposer signed when proposing, the other party when confirming.
            "lender_signed_at": iou.created_at if iou.proposer_id == iou.lender_id else iou.confirmed_at,
            "borrower_signed_at": iou.created_at if iou.proposer_id == iou.borrower_id else iou.confirmed_at,
        },
    )


ACTIONS = ("confirm", "cancel", "repay")


@login_required
@require_POST
def iou_action(request, iou_id: int, action: str):
    """confirm / cancel / repay from the card: returns the re-rendered card for htmx, or
    redirects to the IOU page without JavaScript."""
    if action not in ACTIONS:
        raise Http404
    post, extra = request.POST, {}
    try:
        if action == "confirm":
            services.iou_confirm(
                user=request.user,
                iou_id=iou_id,
                pin=post.get("pin", ""),
                auto_debit=post.get("auto_debit") == "on",
                idempotency_key=post.get("idempotency_key"),
            )
            extra["done"] = _("Confirmed. The money has moved.")
        elif action == "cancel":
            services.iou_cancel(user=request.user, iou_id=iou_id)
            extra["done"] = _("Cancelled.")
        else:
            repayment = services.iou_repay(
                user=request.user,
                iou_id=iou_id,
                amount_fen=parse_yuan(post.get("amount")),
                pin=post.get("pin", ""),
                idempotency_key=post.get("idempotency_key"),
            )
            from lifecircle.core.money import format_fen

            extra["done"] = _("You repaid %(amount)s.") % {"amount": format_fen(repayment.amount_fen)}
    except ApplicationError as exc:
        if exc.code == "iou_not_found":
            raise Http404 from None
        extra.update(_error_context(exc))
        extra["error_action"] = action
        if exc.code != "idempotency_key_reused":
            extra["retry_key"] = post.get("idempotency_key")  # the same action, tried again
        extra["form"] = post
    try:
        context = _card_context(request, iou_id, **extra)
    except ApplicationError:
        raise Http404 from None
    if request.headers.get("HX-Request"):
        return render(request, "ious/_card.html", context)
    if "error" in extra:
        messages.error(request, str(extra["error"].message))
    elif extra.get("done"):
        messages.success(request, extra["done"])
    return redirect("ious:detail", iou_id=iou_id)
