"""What the browser tests share: a real uvicorn server on the test database with Chromium
and an HTTP client, people set up through the API, and management commands run against the
server's database."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid

from lifecircle.core.testing.factories import PIN
from lifecircle.core.testing.servers import ROOT
from tests.test_browser import CHROMIUM_ARGS


@contextlib.contextmanager
def browser_env(tmp_path, monkeypatch, extra_env: dict[str, str] | None = None):
    """Yield (browser, base URL, httpx client, the server's database URL)."""
    import httpx
    from playwright.sync_api import sync_playwright

    from lifecircle.core.testing.servers import asgi_server, database_url_for_subprocess

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    db_url = database_url_for_subprocess(tmp_path)
    with (
        asgi_server(db_url, extra_env=extra_env) as base,
        sync_playwright() as pw,
        httpx.Client(base_url=base) as http,
    ):
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser, base, http, db_url
        browser.close()


def befriend(http, a_h, b_identifier, b_h) -> None:
    req = http.post("/api/v1/friends/requests", json={"identifier": b_identifier}, headers=a_h).json()
    r = http.post(f"/api/v1/friends/requests/{req['request']['id']}/accept", headers=b_h)
    assert r.status_code == 200, r.text


def fund(http, headers, fen: int, *, pin: str | None = PIN) -> None:
    """Set the payment PIN (unless ``pin`` is None), link a card and top up ``fen``."""
    if pin:
        assert http.put("/api/v1/me/pin", json={"pin": pin}, headers=headers).status_code == 204
    card = http.post("/api/v1/wallet/cards", json={"number": "6222020200112233446"}, headers=headers).json()
    r = http.post(
        "/api/v1/wallet/topups",
        json={"card_id": card["id"], "amount_fen": fen},
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert r.status_code == 201, r.text


def balance(http, headers) -> int:
    return http.get("/api/v1/wallet", headers=headers).json()["balance_fen"]


def manage(db_url: str, *args: str) -> subprocess.CompletedProcess:
    """A management command against the server's database (not this process's)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "LIFECIRCLE_DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_reconciles(db_url: str) -> None:
    run = manage(db_url, "reconcile")
    assert run.returncode == 0, run.stdout + run.stderr
