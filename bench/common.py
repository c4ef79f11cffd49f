"""Pieces every benchmark shares: a free loopback port, the app under uvicorn in its own
process group and stopping it (uvicorn and all its workers, nothing else), CPU accounting. Benchmarks run as
scripts (``python bench/x.py``), so this folder is on ``sys.path``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

HOST = "127.0.0.1"  # load and fault tests target loopback only
ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC11c2UtISE="


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # its own session: this uvicorn and its workers only
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def top_up(users, at_least_fen: int) -> None:
    """Bring every wallet of ``users`` up to ``at_least_fen``, in one ledger entry from bank
    clearing (Django must be set up)."""
    from lifecircle.wallet.services import Leg, entry_post, system_account, wallet_account_for

    legs = []
    for user in users:
        account = wallet_account_for(user)
        if account.balance_fen < at_least_fen:
            legs.append(Leg(account, at_least_fen - account.balance_fen))
    if legs:
        clearing = system_account("bank_clearing")
        entry_post(kind="topup", legs=[Leg(clearing, -sum(leg.amount_fen for leg in legs)), *legs])


def reconcile_text(report) -> str:
    """A ``ledger_reconcile()`` report in one line, as every benchmark prints it."""
    return (
        f"{'clean' if report.ok else 'MISMATCH'} "
        f"({report.accounts_checked:,} accounts, {report.entries_checked:,} entries)"
    )


def api_token_rows(user_ids, raw_token) -> list:
    """Unsaved ApiToken rows for ``user_ids``, stored as ``api_token_create`` stores them
    (token_hash = sha256(raw)); ``raw_token(user_id)`` is the benchmark's deterministic token."""
    import hashlib

    from lifecircle.accounts.models import ApiToken

    return [
        ApiToken(
            user_id=i,
            name="bench",
            prefix=raw_token(i).split("_")[1],
            token_hash=hashlib.sha256(raw_token(i).encode()).hexdigest(),
        )
        for i in user_ids
    ]


def start_server(
    url: str,
    port: int,
    workers: int = 1,
    *,
    pool_max: int = 0,
    settings_module: str = "config.settings",
    extra_env: dict | None = None,
) -> subprocess.Popen:
    """The app under uvicorn with production-like settings on ``url``, in its own session;
    returns once it accepts connections. ``pool_max`` 0 is the shipped default (a new
    PostgreSQL connection per request); no Redis unless ``extra_env`` names it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",  # bench/settings_pooled.py
        "LIFECIRCLE_DATABASE_URL": url,
        "LIFECIRCLE_DEBUG": "0",
        "LIFECIRCLE_SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
        "LIFECIRCLE_FIELD_ENCRYPTION_KEYS": os.environ.get("LIFECIRCLE_FIELD_ENCRYPTION_KEYS", DEV_FIELD_KEY),
        "LIFECIRCLE_FIELD_FINGERPRINT_KEY": "bench-only-fingerprint-key",
        "LIFECIRCLE_ALLOWED_HOSTS": HOST,
        "LIFECIRCLE_SECURE_SSL_REDIRECT": "0",
        "LIFECIRCLE_DB_CONN_MAX_AGE": "0",  # the shipped default (docs/scaling.md)
        "LIFECIRCLE_DB_POOL_MAX": str(pool_max),
        "LIFECIRCLE_LOG_LEVEL": "WARNING",
    }
    env.pop("LIFECIRCLE_REDIS_URL", None)
    env.update(extra_env or {})
    cmd = [str(VENV_BIN / "uvicorn"), "config.asgi:application", "--host", HOST, "--port", str(port),
           "--workers", str(workers), "--no-access-log", "--log-level", "warning"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise SystemExit("uvicorn did not start")


def cpu_seconds(server_sid: int) -> dict[str, float]:
    """CPU seconds so far of the app server (its session), PostgreSQL (postmaster, live
    backends, and exited backends reaped by the postmaster), this load generator, and the
    whole machine (``machine``: all CPUs minus idle and iowait), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    procs = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                raw = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            f = raw[raw.rindex(")") + 2 :].split()
            comm = raw[raw.index("(") + 1 : raw.rindex(")")]
            procs[int(entry.name)] = (comm, int(f[1]), int(f[3]), (int(f[11]) + int(f[12])) / ticks,
                                      (int(f[13]) + int(f[14])) / ticks)  # fmt: skip
    totals = {"app": 0.0, "postgres": 0.0, "client": 0.0}
    for pid, (comm, ppid, sid, own, reaped) in procs.items():
        if sid == server_sid:
            totals["app"] += own
        elif comm.startswith("postgres"):
            is_postmaster = not procs.get(ppid, ("",))[0].startswith("postgres")
            totals["postgres"] += own + (reaped if is_postmaster else 0)
        elif pid == os.getpid():
            totals["client"] += own
    with open("/proc/stat") as fh:
        busy = [int(x) for x in fh.readline().split()[1:]]
    totals["machine"] = (sum(busy) - busy[3] - busy[4]) / ticks
    return totals
