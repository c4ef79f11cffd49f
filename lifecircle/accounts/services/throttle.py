"""Sign-in throttling: after ``LOGIN_MAX_FAILURES`` failures inside the sliding window for
one account *or* one client address, further tries are refused until the oldest failure in
the window ages out.

Each attempt is recorded *before* its password is checked and counts itself: a request goes
on only if at most ``limit`` attempts exist (its own included), so however many guesses
arrive in parallel, at most ``limit`` passwords are ever checked per window. A refused
attempt removes its own row (refusals do not extend the lock); a successful one clears the
account's rows. Rows, not cache entries: the limit holds across processes and restarts."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext

from lifecircle.accounts.models import LoginFailure
from lifecircle.core.errors import TooManyRequests


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.LIFECIRCLE["LOGIN_FAILURE_WINDOW_SECONDS"])


def _refusal(oldest: dt.datetime, now: dt.datetime) -> TooManyRequests:
    retry_after = max(1, math.ceil((oldest + _window() - now).total_seconds()))
    minutes = math.ceil(retry_after / 60)
    return TooManyRequests(
        "login_throttled",
        ngettext(
            "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
            "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes},
        extra={"retry_after": retry_after},
    )


def login_attempt_start(*, account_key: str, ip: str | None) -> LoginFailure:
    """Record an attempt (as a failure until it succeeds); refuse it if the account or the
    address already has ``limit`` attempts in the window."""
    limit = settings.LIFECIRCLE["LOGIN_MAX_FAILURES"]
    now = timezone.now()
    since = now - _window()
    attempt = LoginFailure.objects.create(account_key=account_key, ip=ip, created_at=now)
    LoginFailure.objects.filter(created_at__lt=now - 2 * _window()).delete()  # keep the table small
    for condition in (Q(account_key=account_key), Q(ip=ip) if ip else None):
        if condition is None:
            continue
        recent = list(
            LoginFailure.objects.filter(condition, created_at__gt=since)
            .exclude(pk=attempt.pk)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:limit]
        )
        if len(recent) >= limit:
            attempt.delete()
            raise _refusal(recent[-1], now)
    return attempt


def login_attempt_succeeded(*, account_key: str) -> None:
    LoginFailure.objects.filter(account_key=account_key).delete()
