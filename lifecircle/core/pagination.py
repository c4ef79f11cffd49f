"""Keyset cursors: an opaque token for "after this (timestamp, id)" so pages stay stable
while new rows arrive (an offset would shift and repeat or skip rows)."""

from __future__ import annotations

import base64
import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lifecircle.core.errors import validation_error


def cursor_encode(at: dt.datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, pk = raw.rsplit("|", 1)
        parsed = dt.datetime.fromisoformat(at)
        if parsed.tzinfo is None:
            raise ValueError
        return parsed, int(pk)
    except (ValueError, UnicodeDecodeError):
        raise validation_error("cursor", "cursor_invalid", _("This page link is not valid.")) from None


def older_than(cursor: str | None, *, field: str = "created_at") -> Q:
    """Rows strictly after ``cursor`` in (``field`` DESC, id DESC) order."""
    if not cursor:
        return Q()
    at, pk = cursor_decode(cursor)
    return Q(**{f"{field}__lt": at}) | Q(**{field: at, "id__lt": pk})


def newest_first_page(qs, *, cursor: str | None, limit: int, field: str = "created_at"):
    """One page of ``qs`` newest first by (``field``, id), and the next page's cursor (or None)."""
    rows = list(qs.filter(older_than(cursor, field=field)).order_by(f"-{field}", "-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (cursor_encode(getattr(rows[-1], field), rows[-1].pk) if more and rows else None)
