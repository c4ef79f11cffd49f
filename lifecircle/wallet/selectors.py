"""Every read about money, with what the viewer may see: a user sees only their own wallet,
entries and cards; anyone else's entry is a 404 (never a 403 that confirms it exists)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.core.converters import id_in_range
from lifecircle.core.errors import NotFound, validation_error
from lifecircle.wallet.models import Account, BankCard, EntryKind, JournalEntry, Posting
from lifecircle.wallet.services.accounts import system_account_family
from lifecircle.wallet.services.ledger import account_balance

PAGE_SIZE = 20


def wallet_balance(*, viewer) -> int:
    account = Account.objects.filter(user=viewer).first()
    return account_balance(account) if account else 0


def bank_card_list(*, viewer):
    return BankCard.objects.filter(user=viewer, removed_at__isnull=True)


@dataclass
class StatementLine:
    entry: JournalEntry
    amount_fen: int  # signed, from the viewer's side
    counterparty: str


@dataclass
class StatementPage:
    lines: list[StatementLine]
    next_cursor: str | None


SYSTEM_LABELS = {
    "bank_clearing": _("Bank"),
    "escrow": _("Escrow"),
    "red_packet_pool": _("Red packets"),
    "fees": _("Fees"),
    "suspense": _("LifeCircle"),
}


def _counterparty(entry: JournalEntry, own_account_id: int, accounts=None) -> str:
    if accounts is None:
        accounts = [p.account for p in entry.postings.all()]
    others = [account for account in accounts if account.pk != own_account_id]
    names = []
    for account in others:
        if account.user_id:
            names.append(str(account.user))
        elif account.code == "bank_clearing":
            names.append(str(entry.details.get("card", SYSTEM_LABELS["bank_clearing"])))
        else:
            names.append(str(SYSTEM_LABELS.get(system_account_family(account.code), account.name)))
    return ", ".join(names)


def _local_day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def statement_for_viewer(
    *,
    viewer,
    cursor: str | None = None,
    kind: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = PAGE_SIZE,
) -> StatementPage:
    """The viewer's own entries, newest first, ``limit`` per page. ``cursor`` is the opaque
    ``next_cursor`` of the previous page; ``kind`` one of the entry kinds; dates are local and
    inclusive."""
    account = Account.objects.filter(user=viewer).first()
    if account is None:
        return StatementPage([], None)
    qs = (
        Posting.objects.filter(account=account)
        .select_related("entry")
        .prefetch_related(
            Prefetch("entry__postings", queryset=Posting.objects.select_related("account__user"))
        )
    )
    if cursor:
        try:
            before_id = int(cursor)
        except ValueError:
            before_id = 0
        if not id_in_range(before_id):
            raise validation_error("cursor", "cursor_invalid", _("This page link is not valid."))
        qs = qs.filter(id__lt=before_id)
    if kind:
        if kind not in EntryKind.values:
            raise validation_error("kind", "kind_invalid", _("Choose one of the offered values."))
        qs = qs.filter(entry__kind=kind)
    if date_from:
        qs = qs.filter(entry__created_at__gte=_local_day_start(date_from))
    if date_to:
        qs = qs.filter(entry__created_at__lt=_local_day_start(date_to + dt.timedelta(days=1)))
    limit = max(1, min(int(limit), 100))
    postings = list(qs.order_by("-id")[: limit + 1])
    more = len(postings) > limit
    postings = postings[:limit]
    lines = [StatementLine(p.entry, p.amount_fen, _counterparty(p.entry, account.pk)) for p in postings]
    return StatementPage(lines, str(postings[-1].id) if more else None)


def entry_get_for_viewer(*, viewer, entry_id: int) -> StatementLine:
    """A receipt: the entry, seen from the viewer's wallet. Entries the viewer's wallet is not
    part of do not exist for them."""
    if viewer is None or not id_in_range(entry_id):
        raise NotFound("entry_not_found", _("No such entry."))
    posting = (
        Posting.objects.filter(entry_id=entry_id, account__user=viewer)
        .select_related("entry", "entry__initiated_by")
        .prefetch_related(
            Prefetch("entry__postings", queryset=Posting.objects.select_related("account__user"))
        )
        .first()
    )
    if posting is None or viewer is None:
        raise NotFound("entry_not_found", _("No such entry."))
    return StatementLine(posting.entry, posting.amount_fen, _counterparty(posting.entry, posting.account_id))


def entry_line_for_owner(*, viewer, entry: JournalEntry) -> StatementLine:
    """The line of an entry a service just returned to ``viewer``. A freshly posted entry still
    carries its legs, so no query is needed; a replayed one is read like any receipt."""
    legs = getattr(entry, "legs", None)
    if legs is None:
        return entry_get_for_viewer(viewer=viewer, entry_id=entry.pk)
    own = [leg for leg in legs if leg.account.user_id == viewer.pk]
    if not own:
        raise NotFound("entry_not_found", _("No such entry."))
    accounts = [leg.account for leg in legs]
    return StatementLine(entry, own[0].amount_fen, _counterparty(entry, own[0].account.pk, accounts))
