"""Project-wide pytest setup: service requirements and shared fixtures.

Tests marked ``postgres`` or ``redis`` need that service. With ``CI=true`` an unreachable
service fails the test; elsewhere (a laptop) the test is skipped with a message saying how to
run it. ``browser`` tests need Debian's Chromium the same way.
"""

from __future__ import annotations

import os
import shutil

import pytest

pytest_plugins = ["lifecircle.core.testing.fixtures"]

IN_CI = os.environ.get("CI", "").lower() == "true"

HOW_TO = {
    "postgres": "needs PostgreSQL: run with LIFECIRCLE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/lifecircle",
    "redis": "needs Redis: run with LIFECIRCLE_REDIS_URL=redis://127.0.0.1:6379/0",
    "browser": "needs Chromium: apt-get install -y chromium fonts-noto-cjk",
}


def _unavailable(marker: str) -> bool:
    if marker == "postgres":
        from django.db import connection

        return connection.vendor != "postgresql"
    if marker == "redis":
        from django.conf import settings

        if not settings.REDIS_URL:
            return True
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
        except redis.RedisError:
            return True
        return False
    if marker == "browser":
        return shutil.which("chromium") is None and not os.path.exists("/usr/bin/chromium")
    return False


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker) and _unavailable(marker):
            if IN_CI:
                pytest.fail(f"CI=true but this test {HOW_TO[marker]}", pytrace=False)
            pytest.skip(HOW_TO[marker])
