"""The background sweeps: each runs at its own interval, a failing one never stops the others,
``manage.py sweep`` runs them by name, and a real server runs them by itself — an expired red
packet's money is back in the sender's wallet with nobody running a command."""

from __future__ import annotations

import io
import time
import uuid

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from lifecircle.core import sweeps
from lifecircle.core.testing.factories import PIN


@pytest.fixture
def only_these(monkeypatch, db):
    """Replace the registered sweeps with the test's own."""
    monkeypatch.setattr(sweeps, "SWEEPS", {})
    return sweeps.SWEEPS


def test_every_app_registers_its_sweep():
    assert {"chat-burn", "redpackets-refund", "ious-due", "collect-remind"} <= set(sweeps.SWEEPS)


def test_each_sweep_runs_at_its_own_interval(only_these):
    ran = []
    sweeps.register("fast", lambda: ran.append("fast"), every=5)
    sweeps.register("slow", lambda: ran.append("slow"), every=60)
    last: dict[str, float] = {}
    sweeps.run_due(last, now=1000)  # everything runs the first time
    sweeps.run_due(last, now=1004)
    sweeps.run_due(last, now=1005)
    sweeps.run_due(last, now=1059)
    sweeps.run_due(last, now=1060)
    assert ran == ["fast", "slow", "fast", "fast", "slow"]


def test_one_interval_for_all_when_set(only_these, monkeypatch):
    monkeypatch.setitem(settings.LIFECIRCLE, "SWEEP_EVERY_SECONDS", 1)
    ran = []
    sweeps.register("slow", lambda: ran.append("slow"), every=300)
    last: dict[str, float] = {}
    for now in (0, 1, 2):
        sweeps.run_due(last, now=now)
    assert ran == ["slow"] * 3


def test_a_failing_sweep_is_logged_and_the_others_still_run(only_these, caplog):
    def broken():
        raise RuntimeError("database went away")

    sweeps.register("broken", broken, every=1)
    sweeps.register("fine", lambda: 3, every=1)
    assert sweeps.run_due({}, now=0) == {"fine": 3}
    assert "sweep broken failed" in caplog.text


@pytest.mark.django_db
def test_the_command_runs_the_named_sweeps_and_refuses_unknown_names(only_these):
    sweeps.register("one", lambda: 1, every=60)
    sweeps.register("two", lambda: {"expired": 0, "reminded": 2}, every=60)
    out = io.StringIO()
    call_command("sweep", stdout=out)
    assert out.getvalue().splitlines() == ["one: 1", "two: expired 0, reminded 2"]
    out = io.StringIO()
    call_command("sweep", "--only", "two", stdout=out)
    assert out.getvalue().splitlines() == ["two: expired 0, reminded 2"]
    with pytest.raises(CommandError, match="unknown sweep"):
        call_command("sweep", "--only", "nope")


@pytest.mark.django_db(transaction=True)
def test_a_server_refunds_an_expired_red_packet_by_itself(tmp_path, monkeypatch):
    import httpx

    from lifecircle.core.testing.servers import asgi_server, database_url_for_subprocess
    from tests.browsing import balance, befriend, fund
    from tests.test_browser_circle import api_user

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    server_env = {
        "LIFECIRCLE_SWEEP_IN_SERVER": "1",
        "LIFECIRCLE_SWEEP_EVERY_SECONDS": "1",
        "LIFECIRCLE_RED_PACKET_EXPIRY_SECONDS": "2",
    }
    with (
        asgi_server(database_url_for_subprocess(tmp_path), extra_env=server_env) as base,
        httpx.Client(base_url=base) as http,
    ):
        amy, ben = api_user(http, "amy_sweep", "Amy"), api_user(http, "ben_sweep", "Ben")
        befriend(http, amy, "ben_sweep", ben)
        fund(http, amy, 10_00)
        ben_id = http.get("/api/v1/me", headers=ben).json()["id"]
        conv = http.post("/api/v1/chat/conversations/direct", json={"user_id": ben_id}, headers=amy).json()
        sent = http.post(
            "/api/v1/redpackets",
            json={
                "conversation_id": conv["id"],
                "kind": "lucky",
                "total_fen": 88,
                "share_count": 1,
                "pin": PIN,
            },
            headers={**amy, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert sent.status_code == 201, sent.text
        assert balance(http, amy) == 10_00 - 88
        deadline = time.monotonic() + 20
        while balance(http, amy) != 10_00:
            assert time.monotonic() < deadline, "the server never refunded the expired packet"
            time.sleep(0.3)
        packet = http.get(f"/api/v1/redpackets/{sent.json()['id']}", headers=amy).json()
        assert packet["status"] == "expired" and packet["refunded_fen"] == 88
