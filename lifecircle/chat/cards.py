"""Money cards in chat: red packets, collections, pay requests and IOUs appear in a
conversation as a message whose ``kind`` names the card and whose ``payload`` holds the card's
``id`` (plus a summary for clients, e.g. the amount and the greeting).

The app that owns a card registers how to show it: a template, and a loader that reads the
current state for one viewer of many cards at once (so "grabbed", "paid" or "repaid" is read
when shown, never frozen in the payload, and a page of cards costs a few queries). The card's
actions (grab, pay, confirm …) are that app's own views and API endpoints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CardType:
    template: str  # rendered with ``card`` (the loader's dict for one id) and ``message``
    load: Callable  # load(viewer, ids: list[int]) -> {id: dict}; ids the viewer may not see are left out


_REGISTRY: dict[str, CardType] = {}


def register(kind: str, *, template: str, load: Callable) -> None:
    """Call from the owning app's ``AppConfig.ready``."""
    _REGISTRY[kind] = CardType(template=template, load=load)


def card_kinds() -> set[str]:
    return set(_REGISTRY)


def cards_for(viewer, messages) -> dict[int, dict]:
    """{message id: {"template", "card"}} for the card messages among ``messages``."""
    by_kind: dict[str, list] = {}
    for m in messages:
        if m.kind in _REGISTRY and not m.recalled_at and (m.payload or {}).get("id"):
            by_kind.setdefault(m.kind, []).append(m)
    out: dict[int, dict] = {}
    for kind, items in by_kind.items():
        card_type = _REGISTRY[kind]
        loaded = card_type.load(viewer, sorted({int(m.payload["id"]) for m in items}))
        for m in items:
            card = loaded.get(int(m.payload["id"]))
            if card is not None:
                out[m.pk] = {"template": card_type.template, "card": card}
    return out
