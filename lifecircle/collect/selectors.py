"""Every read of collections and pay requests, with who may see what.

A collection is seen by its participants — the organiser and the members asked to pay — with
every share and who paid it (as in a group chat, the group sees who has paid). Other members
of the chat the card was posted in see only that a collection exists (``collection_outsider``).
A pay request is seen by the member who asked and the friend who was asked; its state is read
with the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from lifecircle.accounts.models import User
from lifecircle.accounts.selectors import DisplayName, display_names_for
from lifecircle.collect.models import Collection, PayRequest, Share
from lifecircle.core.converters import id_in_range
from lifecircle.core.pagination import newest_first_page

PAGE = 20


def _signed_in(viewer) -> bool:
    return viewer is not None and getattr(viewer, "is_authenticated", False)


def _participating(viewer) -> Q:
    return Q(organiser=viewer) | Q(Exists(Share.objects.filter(collection=OuterRef("pk"), member=viewer)))


def collection_for_participant(*, viewer: User, collection_id: int) -> Collection | None:
    """The collection if ``viewer`` organised it or is asked to pay in it, else None (others
    cannot tell it exists)."""
    if not _signed_in(viewer) or not id_in_range(collection_id):
        return None
    return (
        Collection.objects.select_related("organiser", "organiser__identity")
        .filter(_participating(viewer), pk=collection_id)
        .first()
    )


def collections_for(*, viewer: User, cursor: str | None = None, limit: int = PAGE):
    """The viewer's collections (organised or asked to pay in), newest first, with the next
    page's cursor (``core.pagination``)."""
    qs = Collection.objects.select_related("organiser", "organiser__identity").filter(_participating(viewer))
    return newest_first_page(qs, cursor=cursor, limit=limit)


@dataclass
class ShareLine:
    share: Share
    name: DisplayName
    is_organiser: bool
    paid_by_name: DisplayName | None = None  # set when a friend paid on the member's behalf


@dataclass
class CollectionView:
    collection: Collection
    organiser_name: DisplayName
    is_organiser: bool
    lines: list[ShareLine] = field(default_factory=list)
    my_line: ShareLine | None = None
    my_request: PayRequest | None = None  # the viewer's pending request to a friend, if any
    my_request_payer: DisplayName | None = None
    due_fen: int = 0  # what the others owe in all (the organiser's own share is settled)
    received_fen: int = 0
    paid_count: int = 0
    count: int = 0

    @property
    def outstanding_fen(self) -> int:
        return self.due_fen - self.received_fen

    @property
    def percent(self) -> int:
        return 100 if not self.due_fen else self.received_fen * 100 // self.due_fen

    @property
    def can_pay(self) -> bool:
        return (
            self.collection.is_open
            and self.my_line is not None
            and not self.my_line.is_organiser
            and not self.my_line.share.is_paid
        )


def collection_views(*, viewer: User, collections: list[Collection]) -> list[CollectionView]:
    """Views of collections the viewer participates in (pass only those): four queries for
    any number of collections."""
    if not collections:
        return []
    shares = list(Share.objects.filter(collection__in=collections).order_by("collection_id", "position"))
    user_ids = {s.member_id for s in shares} | {s.paid_by_id for s in shares if s.paid_by_id}
    user_ids |= {c.organiser_id for c in collections}
    now = timezone.now()
    requests = {
        r.share_id: r
        for r in PayRequest.objects.filter(
            share__in=[s for s in shares if s.member_id == viewer.pk],
            status=PayRequest.Status.PENDING,
            expires_at__gt=now,
        )
    }
    user_ids |= {r.payer_id for r in requests.values()}
    names = display_names_for(viewer, User.objects.select_related("identity").filter(pk__in=user_ids))
    views = {
        c.pk: CollectionView(
            collection=c, organiser_name=names[c.organiser_id], is_organiser=c.organiser_id == viewer.pk
        )
        for c in collections
    }
    for s in shares:
        v = views[s.collection_id]
        is_organiser = s.member_id == v.collection.organiser_id
        line = ShareLine(
            share=s,
            name=names[s.member_id],
            is_organiser=is_organiser,
            paid_by_name=names.get(s.paid_by_id) if s.paid_by_id not in (None, s.member_id) else None,
        )
        v.lines.append(line)
        if s.member_id == viewer.pk:
            v.my_line = line
            v.my_request = requests.get(s.pk)
            if v.my_request is not None:
                v.my_request_payer = names.get(v.my_request.payer_id)
        if not is_organiser:
            v.due_fen += s.amount_fen
            v.count += 1
            if s.is_paid:
                v.received_fen += s.amount_fen
                v.paid_count += 1
    return [views[c.pk] for c in collections]


def collection_view(*, viewer: User, collection: Collection) -> CollectionView:
    return collection_views(viewer=viewer, collections=[collection])[0]


@dataclass
class Outsider:
    """What a chat member who is not part of a collection sees of its card."""

    collection: Collection
    organiser_name: DisplayName
    outsider: bool = True


def collection_cards_for(*, viewer: User, collection_ids: list[int]) -> dict[int, CollectionView | Outsider]:
    """For chat cards: a full view for participants; for other members of the card's chat, an
    ``Outsider``; nothing for anyone else."""
    from lifecircle.chat.selectors import conversation_for_member

    if not _signed_in(viewer):
        return {}
    rows = list(
        Collection.objects.select_related("organiser", "organiser__identity")
        .filter(pk__in=[i for i in collection_ids if id_in_range(i)])
        .annotate(participating=ExpressionWrapper(_participating(viewer), output_field=BooleanField()))
        .order_by("pk")
    )
    mine = [c for c in rows if c.participating]
    out: dict[int, CollectionView | Outsider] = {
        v.collection.pk: v for v in collection_views(viewer=viewer, collections=mine)
    }
    others = [c for c in rows if not c.participating and c.conversation_id]
    visible_convs = {
        conv_id
        for conv_id in {c.conversation_id for c in others}
        if conversation_for_member(user=viewer, conversation_id=conv_id) is not None
    }
    others = [c for c in others if c.conversation_id in visible_convs]
    if others:
        names = display_names_for(viewer, [c.organiser for c in others])
        for c in others:
            out[c.pk] = Outsider(collection=c, organiser_name=names[c.organiser_id])
    return out


# --- pay requests ---------------------------------------------------------------------------
def _requests():
    return PayRequest.objects.select_related(
        "share",
        "share__collection",
        "share__collection__organiser",
        "share__collection__organiser__identity",
        "requester",
        "requester__identity",
        "payer",
        "payer__identity",
    )


def pay_request_for_party(*, viewer: User, pay_request_id: int) -> PayRequest | None:
    """The request if ``viewer`` made it or was asked to pay it, else None."""
    if not _signed_in(viewer) or not id_in_range(pay_request_id):
        return None
    return _requests().filter(Q(requester=viewer) | Q(payer=viewer), pk=pay_request_id).first()


@dataclass
class PayRequestView:
    request: PayRequest
    state: str
    requester_name: DisplayName
    payer_name: DisplayName
    organiser_name: DisplayName
    is_payer: bool

    @property
    def collection(self) -> Collection:
        return self.request.share.collection

    @property
    def can_pay(self) -> bool:
        return self.is_payer and self.state == PayRequest.Status.PENDING

    @property
    def can_cancel(self) -> bool:
        return self.state == PayRequest.Status.PENDING


def pay_request_views(*, viewer: User, requests: list[PayRequest]) -> list[PayRequestView]:
    """Views of requests the viewer is a party to (pass only those, from ``_requests()``)."""
    now = timezone.now()
    users = {}
    for r in requests:
        for u in (r.requester, r.payer, r.share.collection.organiser):
            users[u.pk] = u
    names = display_names_for(viewer, users.values())
    return [
        PayRequestView(
            request=r,
            state=r.state(now),
            requester_name=names[r.requester_id],
            payer_name=names[r.payer_id],
            organiser_name=names[r.share.collection.organiser_id],
            is_payer=r.payer_id == viewer.pk,
        )
        for r in requests
    ]


def pay_request_cards_for(*, viewer: User, ids: list[int]) -> dict[int, PayRequestView]:
    if not _signed_in(viewer):
        return {}
    rows = list(
        _requests().filter(Q(requester=viewer) | Q(payer=viewer), pk__in=[i for i in ids if id_in_range(i)])
    )
    return {v.request.pk: v for v in pay_request_views(viewer=viewer, requests=rows)}


def pay_requests_waiting_for(*, viewer: User, limit: int = 20) -> list[PayRequestView]:
    """Friends' requests the viewer has not paid yet and can still pay, newest first."""
    rows = list(
        _requests()
        .filter(payer=viewer, status=PayRequest.Status.PENDING, expires_at__gt=timezone.now())
        .order_by("-created_at", "-id")[:limit]
    )
    return pay_request_views(viewer=viewer, requests=rows)
