"""Tips (打賞): one tap pays the author a random amount from ¥0.01 to ¥0.99.

The amount is drawn server-side (``secrets``, uniform over the 99 fen values) when a tap's
idempotency key is first seen, and stored on the ``Tip`` row that claims the key; a retried
tap or a double tap with the same key finds that row and pays — or replays — the same
amount through the wallet's password-free payment service, so the ledger moves it once.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.core.errors import ApplicationError, PermissionDenied
from lifecircle.feed.models import Tip
from lifecircle.feed.services.interactions import visible_post_or_404
from lifecircle.notifications.models import Notification
from lifecircle.notifications.services import notification_create
from lifecircle.wallet.services import micropayment_create
from lifecircle.wallet.services.idempotency import idempotency_key_clean


def tip_draw_fen() -> int:
    return secrets.randbelow(99) + 1


def tip_create(*, tipper: User, post_id: int, idempotency_key: str | None, pin: str | None = None) -> Tip:
    key = idempotency_key_clean(idempotency_key)
    post = visible_post_or_404(tipper, post_id)
    if post.author_id == tipper.pk:
        raise ApplicationError("tip_own_post", _("You cannot tip your own post."))
    if not post.tips_enabled:
        raise PermissionDenied("tips_off", _("The author has turned off tips for this post."))
    try:
        with transaction.atomic():
            tip = Tip.objects.create(post=post, tipper=tipper, amount_fen=tip_draw_fen(), idempotency_key=key)
    except IntegrityError:
        tip = Tip.objects.get(tipper=tipper, idempotency_key=key)
        if tip.post_id != post.pk:
            raise ApplicationError(
                "idempotency_key_reused",
                _("This Idempotency-Key was already used for a different request."),
                status=422,
            ) from None
    if tip.entry_id is not None:
        return tip  # a repeat of a tap that was paid
    entry = micropayment_create(
        payer=tipper,
        payee=post.author,
        amount_fen=tip.amount_fen,
        purpose="tip",
        idempotency_key=f"tip:{tip.pk}",
        pin=pin,
        details={"post_id": post.pk},
    )
    with transaction.atomic():
        updated = Tip.objects.filter(pk=tip.pk, entry_id__isnull=True).update(entry_id=entry.pk)
        if updated:
            notification_create(
                user_id=post.author_id,
                kind=Notification.Kind.TIP,
                actor_id=tipper.pk,
                post_id=post.pk,
                amount_fen=tip.amount_fen,
            )
    tip.entry_id = entry.pk
    return tip
