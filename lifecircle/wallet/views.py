"""Wallet pages. Each POST calls one service; an ApplicationError is shown on the form.

Every money form carries a hidden ``idempotency_key`` drawn when the form is shown, so a
double-click or a resubmitted page repeats the first result instead of paying twice."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lifecircle.accounts.services import pin_is_set
from lifecircle.core.converters import form_id
from lifecircle.core.errors import ApplicationError
from lifecircle.core.money import fen_to_yuan_str, parse_yuan
from lifecircle.wallet import selectors, services
from lifecircle.wallet.models import EntryKind


def _error_context(exc: ApplicationError) -> dict:
    return {"error": exc, "field_errors": {k: [str(m) for m in v] for k, v in exc.fields.items()}}


def _form_context(request, **extra) -> dict:
    return {
        # GET ?to=… (the Transfer button on a friend's page) fills in the recipient.
        "form": request.POST or {"recipient": (request.GET.get("to") or "")[:40]},
        "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
        "cards": selectors.bank_card_list(viewer=request.user),
        "balance_fen": selectors.wallet_balance(viewer=request.user),
        "pin_set": pin_is_set(user=request.user),
        **extra,
    }


@login_required
def home(request):
    page = selectors.statement_for_viewer(viewer=request.user, limit=5)
    return render(
        request,
        "wallet/home.html",
        {
            "balance_fen": selectors.wallet_balance(viewer=request.user),
            "lines": page.lines,
            "pin_set": pin_is_set(user=request.user),
        },
    )


def _money_form(request, template: str, action):
    """GET shows the form; POST runs ``action()`` (returns an entry) and shows its receipt."""
    if request.method == "POST":
        try:
            entry = action()
        except ApplicationError as exc:
            context = _form_context(request, **_error_context(exc))
            if exc.code in {"pin_incorrect", "pin_locked", "idempotency_key_reused"}:
                context["idempotency_key"] = uuid.uuid4().hex
            return render(request, template, context, status=exc.status)
        if getattr(entry, "replayed", False):
            messages.info(request, _("This request was already processed; here is its receipt."))
        else:
            messages.success(request, _("Done."))
        return redirect("wallet:receipt", entry_id=entry.pk)
    return render(request, template, _form_context(request))


@login_required
def topup(request):
    return _money_form(
        request,
        "wallet/topup.html",
        lambda: services.topup_create(
            user=request.user,
            card_id=form_id(request.POST.get("card_id")),
            amount_fen=parse_yuan(request.POST.get("amount")),
            idempotency_key=request.POST.get("idempotency_key"),
        ),
    )


@login_required
def withdraw(request):
    return _money_form(
        request,
        "wallet/withdraw.html",
        lambda: services.withdrawal_create(
            user=request.user,
            card_id=form_id(request.POST.get("card_id")),
            amount_fen=parse_yuan(request.POST.get("amount")),
            pin=request.POST.get("pin", ""),
            idempotency_key=request.POST.get("idempotency_key"),
        ),
    )


@login_required
def transfer(request):
    return _money_form(
        request,
        "wallet/transfer.html",
        lambda: services.transfer_create(
            sender=request.user,
            recipient=request.POST.get("recipient", "").strip(),
            amount_fen=parse_yuan(request.POST.get("amount")),
            pin=request.POST.get("pin", ""),
            note=request.POST.get("note", ""),
            idempotency_key=request.POST.get("idempotency_key"),
        ),
    )


@login_required
def transfer_recipient(request):
    """htmx: the recipient as the sender may see them, under the recipient field."""
    from lifecircle.accounts.selectors import display_name_for

    q = (request.GET.get("recipient") or "").strip()[:40]
    context = {}
    if q:
        try:
            user = services.recipient_resolve(sender=request.user, recipient=q)
            context["name"] = display_name_for(request.user, user)
        except ApplicationError as exc:
            context["error"] = exc
    return render(request, "wallet/_recipient.html", context)


@login_required
def cards(request):
    context = {}
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                services.bank_card_remove(user=request.user, card_id=form_id(request.POST.get("card_id")))
                messages.success(request, _("Card removed."))
            else:
                services.bank_card_add(
                    user=request.user,
                    number=request.POST.get("number", ""),
                    holder_name=request.POST.get("holder_name", ""),
                )
                messages.success(request, _("Card linked."))
            return redirect((request.POST.get("next") == "topup" and "wallet:topup") or "wallet:cards")
        except ApplicationError as exc:
            context.update(_error_context(exc))
            status = exc.status
    context["cards"] = selectors.bank_card_list(viewer=request.user)
    return render(request, "wallet/cards.html", context, status=status)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def statement(request):
    kind = request.GET.get("kind") or None
    if kind not in EntryKind.values:
        kind = None
    filters = {
        "kind": kind,
        "date_from": _date(request.GET.get("from")),
        "date_to": _date(request.GET.get("to")),
    }
    try:
        page = selectors.statement_for_viewer(
            viewer=request.user, cursor=request.GET.get("cursor"), **filters
        )
    except ApplicationError:
        return redirect("wallet:statement")
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "wallet/statement.html",
        {
            "page": page,
            "kinds": EntryKind.choices,
            "filters": filters,
            "query": query.urlencode(),
        },
    )


@login_required
def receipt(request, entry_id: int):
    try:
        line = selectors.entry_get_for_viewer(viewer=request.user, entry_id=entry_id)
    except ApplicationError as exc:
        return render(request, "wallet/receipt.html", _error_context(exc), status=exc.status)
    return render(request, "wallet/receipt.html", {"line": line, "entry": line.entry})


@login_required
def micropay_settings(request):
    conf = settings.LIFECIRCLE
    context: dict = {
        "cap_fen": conf["WALLET_MICROPAY_DAILY_FEN"],
        "max_fen": conf["WALLET_MICROPAY_MAX_FEN"],
        "max_count": conf["WALLET_MICROPAY_DAILY_COUNT"],
    }
    status = 200
    if request.method == "POST":
        try:
            services.micropayment_settings_update(
                user=request.user,
                enabled=request.POST.get("enabled") == "on",
                daily_limit_fen=parse_yuan(request.POST.get("daily_limit"), field="daily_limit"),
                pin=request.POST.get("pin") or None,
            )
            messages.success(request, _("Password-free payment settings saved."))
            return redirect("wallet:micropay")
        except ApplicationError as exc:
            context.update(_error_context(exc))
            status = exc.status
    enabled, limit = services.micropayment_limits(user=request.user)
    count, total = services.micropayment_usage_today(user=request.user)
    context.update(
        enabled=enabled, limit_fen=limit, limit_yuan=fen_to_yuan_str(limit), used_count=count, used_fen=total
    )
    return render(request, "wallet/micropay.html", context, status=status)
