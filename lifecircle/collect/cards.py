"""The two chat cards of this app (see ``lifecircle.chat.cards``): a collection in the chat it
was posted in, and a pay request in the one-to-one chat between the member and the friend.
Loaders read the current state for one viewer, so progress and "paid" are never stale."""

from __future__ import annotations

import uuid

from lifecircle.collect import selectors


def load_collections(viewer, ids: list[int]) -> dict[int, dict]:
    views = selectors.collection_cards_for(viewer=viewer, collection_ids=ids)
    # Each rendered pay button carries a fresh Idempotency-Key: a double tap pays once.
    return {pk: {"view": v, "pay_key": uuid.uuid4().hex} for pk, v in views.items()}


def load_pay_requests(viewer, ids: list[int]) -> dict[int, dict]:
    views = selectors.pay_request_cards_for(viewer=viewer, ids=ids)
    return {pk: {"view": v, "pay_key": uuid.uuid4().hex} for pk, v in views.items()}
