"""Every read about IOUs. An IOU exists only for its two parties: anyone else gets a 404 that
does not confirm it exists. Statuses that depend on time (overdue, an expired proposal) are read
from the clock here, so they are right whether or not the ``ious-due`` sweep has run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.core.converters import id_in_range
from lifecircle.core.errors import NotFound
from lifecircle.core.pagination import newest_first_page
from lifecircle.ious.interest import Owed, owed_on
from lifecircle.ious.models import Iou

PAGE_SIZE = 20


def today() -> dt.date:
    """The local date (``TIME_ZONE``): due dates and interest days are local calendar days."""
    return timezone.localdate()


def rate_cap_bp() -> int:
    conf = settings.LIFECIRCLE
    return conf["IOU_RATE_CAP_MULTIPLE"] * conf["IOU_LPR_1Y_BP"]


def iou_status(iou: Iou, *, now: dt.datetime | None = None) -> str:
    """The status a person sees: the stored one, except an active IOU past its due date is
    overdue and a proposal past its expiry is expired (both from the clock alone)."""
    now = now or timezone.now()
    if iou.status == Iou.Status.ACTIVE and timezone.localdate(now) > iou.due_on:
        return Iou.Status.OVERDUE
    if iou.status == Iou.Status.PROPOSED and now >= iou.expires_at:
        return Iou.Status.EXPIRED
    return iou.status


def iou_owed(iou: Iou, *, day: dt.date | None = None) -> Owed:
    """What the borrower owes on ``day`` (today by default): 0 unless the IOU is active."""
    day = day or today()
    if iou.status != Iou.Status.ACTIVE:
        return Owed(day=day, days=0, accrued_fen=0, interest_fen=0, principal_fen=0)
    return owed_on(
        principal_fen=iou.outstanding_principal_fen,
        rate_bp=iou.rate_bp,
        interest_from=iou.interest_from,
        interest_unpaid_fen=iou.interest_unpaid_fen,
        day=day,
    )


def _not_found() -> NotFound:
    return NotFound("iou_not_found", _("No such IOU."))


def _for_party(viewer) -> Q:
    return Q(lender=viewer) | Q(borrower=viewer)


def iou_get_for_viewer(*, viewer, iou_id) -> Iou:
    """The IOU if ``viewer`` is its lender or borrower, else ``iou_not_found`` (404)."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not id_in_range(iou_id):
        raise _not_found()
    iou = (
        Iou.objects.select_related("lender__identity", "borrower__identity")
        .filter(_for_party(viewer), pk=iou_id)
        .first()
    )
    if iou is None:
        raise _not_found()
    return iou


def ious_for(*, viewer, cursor: str | None = None, limit: int = PAGE_SIZE) -> tuple[list[Iou], str | None]:
    """The viewer's IOUs (as lender or borrower), newest first, ``limit`` a page."""
    limit = max(1, min(int(limit), 100))
    qs = (
        Iou.objects.select_related("lender__identity", "borrower__identity")
        .prefetch_related("repayments")
        .filter(_for_party(viewer))
    )
    return newest_first_page(qs, cursor=cursor, limit=limit)


@dataclass(frozen=True)
class Party:
    id: int
    nickname: str
    legal_name: str  # in full: only the two parties ever see an IOU


def parties(iou: Iou) -> tuple[Party, Party]:
    """(lender, borrower) with their full legal names. Call only after the party check
    (``iou_get_for_viewer`` or the card loader): an IOU names both parties in full to both,
    whatever their friendship is today, as the signed paper would."""

    def party(user) -> Party:
        identity = getattr(user, "identity", None)
        return Party(
            id=user.pk,
            nickname=user.nickname or user.username,
            legal_name=identity.legal_name if identity else "",
        )

    return party(iou.lender), party(iou.borrower)


@dataclass(frozen=True)
class Permissions:
    confirm: bool
    cancel: bool
    repay: bool


def iou_permissions(iou: Iou, viewer, *, status: str | None = None) -> Permissions:
    """What ``viewer`` may do now (the services re-check everything; this drives buttons)."""
    status = status or iou_status(iou)
    party = iou.role_of(viewer) is not None
    proposed = status == Iou.Status.PROPOSED
    return Permissions(
        confirm=party and proposed and viewer.pk != iou.proposer_id,
        cancel=party and (proposed or (status == Iou.Status.EXPIRED and iou.escrow_fen > 0)),
        repay=viewer.pk == iou.borrower_id and status in (Iou.Status.ACTIVE, Iou.Status.OVERDUE),
    )


def iou_cards_load(viewer, ids: list[int]) -> dict[int, dict]:
    """The chat card loader (``lifecircle.chat.cards``): the viewer's IOUs among ``ids``, each as
    the dict ``ious/_card.html`` renders. IOUs the viewer is not party to are left out."""
    import uuid

    rows = Iou.objects.select_related("lender__identity", "borrower__identity").filter(
        _for_party(viewer), pk__in=[i for i in ids if id_in_range(i)]
    )
    return {iou.pk: iou_card(iou, viewer, key=uuid.uuid4().hex) for iou in rows}


def iou_card(iou: Iou, viewer, *, key: str, **extra) -> dict:
    status = iou_status(iou)
    lender, borrower = parties(iou)
    return {
        "iou": iou,
        "status": status,
        "status_display": Iou.Status(status).label,
        "role": iou.role_of(viewer),
        "lender": lender,
        "borrower": borrower,
        "owed": iou_owed(iou),
        "can": iou_permissions(iou, viewer, status=status),
        "key": key,
        **extra,
    }
