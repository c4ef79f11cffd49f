"""Sign-in throttling: after ``LOGIN_MAX_FAILURES`` failures inside the sliding window for
one account *or* one client address, further tries are refused until the oldest failure
in the window ages out. Failures are rows, not cache entries, so the limit holds across
processes with no cache configured, and survives restarts."""

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


def login_throttle_check(*, account_key: str, ip: str | None) -> None:
    limit = settings.LIFECIRCLE["LOGIN_MAX_FAILURES"]
    now = timezone.now()
    since = now - _window()
    for condition in (Q(account_key=account_key), Q(ip=ip) if ip else None):
        if condition is None:
            continue
        recent = list(
            LoginFailure.objects.filter(condition, created_at__gt=since)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:limit]
        )
        if len(recent) >= limit:
            # The oldest of the last `limit` failures leaves the window first.
            retry_after = max(1, math.ceil((recent[-1] + _window() - now).total_seconds()))
            minutes = math.ceil(retry_after / 60)
            raise TooManyRequests(
                "login_throttled",
                ngettext(
                    "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
                    "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                extra={"retry_after": retry_after},
            )


def login_failure_record(*, account_key: str, ip: str | None) -> None:
    now = timezone.now()
    LoginFailure.objects.create(account_key=account_key, ip=ip, created_at=now)
    # Keep the table small: anything older than the window no longer counts.
    LoginFailure.objects.filter(created_at__lt=now - 2 * _window()).delete()


def login_failures_clear(*, account_key: str) -> None:
    LoginFailure.objects.filter(account_key=account_key).delete()
