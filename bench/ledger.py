"""Ledger benchmark (``make bench-ledger``): PostgreSQL alone vs the app through ASGI.

Not a test. Runs on loopback only, bounded in time (each phase ``--duration`` seconds), all
against one PostgreSQL server and one benchmark database (never the app's own):

(a) pgbench, 8 clients, a script doing the SQL work of one transfer on the real wallet tables:
    two balance updates (in id order, overdraft-checked), one journal entry, two postings
    (the append-only and deferred zero-sum triggers fire as in the app);
(b) the app's transfer endpoint over HTTP through uvicorn (started here as a subprocess on
    127.0.0.1), ``--clients`` concurrent keep-alive connections, a fresh Idempotency-Key and
    the payment PIN (production argon2 parameters) on every request;
(b') VARIANT, reported separately: the same app path without the PIN — password-free
    micro-payments between random users (this is also the "random" baseline for (c));
(c) tips: password-free micro-payments from many users into ONE hot account.

Prints transfers/s, p50/p99 latency, and the ratios app ÷ pgbench and hot ÷ random; finishes
with a reconcile of the whole benchmark ledger (pgbench's rows included).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from common import (  # bench/common.py (this folder is on sys.path)
    HOST,
    cpu_seconds,
    free_port,
    reconcile_text,
    start_server,
    stop_server,
)
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PIN = "258036"
N_USERS = 1000


# --- database ---------------------------------------------------------------------------------
def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def django_setup(url: str) -> None:
    os.environ["LIFECIRCLE_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LIFECIRCLE_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def prepare_data() -> dict:
    """1,000 users with a PIN (production argon2 parameters), an API token and ¥10,000 each;
    one more user, the live host, whose wallet is marked hot. Re-used on later runs."""
    import hashlib

    from django.core.management import call_command
    from django.db import connection

    from lifecircle.accounts.models import ApiToken, PaymentPin, User
    from lifecircle.accounts.services.pin import _hasher
    from lifecircle.wallet.models import Account, MicroPaymentDay
    from lifecircle.wallet.services import (
        Leg,
        account_set_hot,
        entry_post,
        system_account,
        wallet_account_for,
    )

    call_command("migrate", verbosity=0)
    users = list(User.objects.filter(username__startswith="bench_u").order_by("id"))
    if len(users) < N_USERS:
        existing = {u.username for u in users}
        new = [
            User(username=f"bench_u{i:05d}", mobile=f"1990{i:07d}")
            for i in range(N_USERS)
            if f"bench_u{i:05d}" not in existing
        ]
        for u in new:
            u.set_unusable_password()
        User.objects.bulk_create(new)
        users = list(User.objects.filter(username__startswith="bench_u").order_by("id"))
    for i, u in enumerate(users):  # strangers are paid by mobile number (PRODUCT.md "Wallet")
        if not u.mobile:
            User.objects.filter(pk=u.pk).update(mobile=f"1990{i:07d}")
            u.mobile = f"1990{i:07d}"
    host, _created = User.objects.get_or_create(username="bench_host")
    sink, _created = User.objects.get_or_create(username="bench_sink")  # a busy account NOT marked hot
    for u, mobile in ((host, "19910000001"), (sink, "19910000002")):  # paid by mobile too
        if u.mobile != mobile:
            User.objects.filter(pk=u.pk).update(mobile=mobile)
            u.mobile = mobile
    everyone = [*users, host, sink]
    pin_hash = _hasher().hash(PIN)  # one hash shared by all bench users: same verify cost as real ones
    PaymentPin.objects.filter(user__in=everyone).delete()
    PaymentPin.objects.bulk_create([PaymentPin(user=u, pin_hash=pin_hash) for u in everyone])
    ApiToken.objects.filter(user__in=everyone).delete()
    tokens = {}
    rows = []
    for u in everyone:
        raw = f"lc_bench{u.pk % 10000:04d}_{uuid.uuid4().hex}"
        tokens[u.username] = raw
        rows.append(
            ApiToken(
                user=u, name="bench", prefix=raw[3:11], token_hash=hashlib.sha256(raw.encode()).hexdigest()
            )
        )
    ApiToken.objects.bulk_create(rows)
    accounts = [wallet_account_for(u) for u in everyone]
    top_up = [Leg(a, 1_000_000 - a.balance_fen) for a in accounts if a.balance_fen < 1_000_000]
    if top_up:
        entry_post(
            kind="topup",
            legs=[Leg(system_account("bank_clearing"), -sum(leg.amount_fen for leg in top_up)), *top_up],
        )
    account_set_hot(account=wallet_account_for(host))
    MicroPaymentDay.objects.all().delete()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE") if not connection.in_atomic_block else None
    ids = sorted(Account.objects.filter(user__in=users).values_list("id", flat=True))
    return {
        "users": [u.username for u in users],
        "mobiles": {u.username: u.mobile for u in [*users, host, sink]},
        "host": host.username,
        "host_account": wallet_account_for(host).pk,
        "sink_account": wallet_account_for(sink).pk,
        "tokens": tokens,
        "min_account": ids[0],
        "max_account": ids[-1],
        "n_accounts": len(ids),
    }


def reset_micropayment_counters() -> None:
    from lifecircle.wallet.models import MicroPaymentDay

    MicroPaymentDay.objects.all().delete()


# --- (a) pgbench ------------------------------------------------------------------------------
PGBENCH_SCRIPT = r"""
\set a random(:minid, :maxid)
\set b :minid + ((:a - :minid + random(1, :n - 1)) % :n)
\set amt random(1, 100)
\set lo least(:a, :b)
\set hi greatest(:a, :b)
\set slo CASE WHEN :lo = :a THEN -1 ELSE 1 END
BEGIN;
UPDATE wallet_account SET balance_fen = balance_fen + :slo * :amt
  WHERE id = :lo AND (allow_negative OR balance_fen + :slo * :amt >= 0);
UPDATE wallet_account SET balance_fen = balance_fen - :slo * :amt
  WHERE id = :hi AND (allow_negative OR balance_fen - :slo * :amt >= 0);
INSERT INTO wallet_journalentry (kind, created_at, note, details)
  VALUES ('transfer', now(), 'pgbench', '{}') RETURNING id AS entry_id \gset
INSERT INTO wallet_posting (entry_id, account_id, amount_fen)
  VALUES (:entry_id, :a, -:amt), (:entry_id, :b, :amt);
END;
"""


# The same SQL work, every transfer crediting ONE account: its one row (plain) or one of its
# 16 shard rows (hot). Shows what the hot-account design buys at the database level.
PGBENCH_ONE_ROW = r"""
\set a random(:minid, :maxid)
\set amt random(1, 100)
BEGIN;
UPDATE wallet_account SET balance_fen = balance_fen - :amt
  WHERE id = :a AND (allow_negative OR balance_fen - :amt >= 0);
UPDATE wallet_account SET balance_fen = balance_fen + :amt WHERE id = :target;
INSERT INTO wallet_journalentry (kind, created_at, note, details)
  VALUES ('micropayment', now(), 'pgbench', '{}') RETURNING id AS entry_id \gset
INSERT INTO wallet_posting (entry_id, account_id, amount_fen)
  VALUES (:entry_id, :a, -:amt), (:entry_id, :target, :amt);
END;
"""
PGBENCH_HOT = PGBENCH_ONE_ROW.replace(
    "UPDATE wallet_account SET balance_fen = balance_fen + :amt WHERE id = :target;",
    "\\set shard random(0, 15)\nUPDATE wallet_accountshard SET balance_fen = balance_fen + :amt "
    "WHERE account_id = :target AND shard = :shard;",
)


def pg_conninfo(url: str) -> list[str]:
    m = re.match(
        r"postgres(?:ql)?://(?:(?P<user>[^:@/]+)(?::(?P<pw>[^@/]*))?@)?(?P<host>[^:/]+)(?::(?P<port>\d+))?/(?P<db>[^?]+)",
        url,
    )
    if not m or m["host"] not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the benchmark targets a PostgreSQL server on loopback only")
    args = ["-h", m["host"], "-p", m["port"] or "5432", "-U", m["user"] or "postgres", m["db"]]
    if m["pw"]:
        os.environ["PGPASSWORD"] = m["pw"]
    return args


def run_pgbench(
    url: str,
    data: dict,
    clients: int,
    duration: int,
    sql: str = PGBENCH_SCRIPT,
    target: int = 0,
    name: str = "(a) pgbench: SQL of one transfer",
) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "transfer.sql"
        script.write_text(sql)
        cmd = [
            "pgbench",
            "-n",
            "-c",
            str(clients),
            "-j",
            str(min(clients, 2)),
            "-T",
            str(duration),
            "-f",
            str(script),
            "-D",
            f"minid={data['min_account']}",
            "-D",
            f"maxid={data['max_account']}",
            "-D",
            f"n={data['n_accounts']}",
            "-D",
            f"target={target}",
            "-l",
            "--log-prefix",
            str(Path(tmp) / "log"),
            *pg_conninfo(url),
        ]
        cpu_before = cpu_seconds(0)["postgres"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # noqa: S603
        with tqdm(total=duration, desc=name, unit="s", leave=False) as bar:
            while proc.poll() is None:
                time.sleep(1)
                bar.update(1)
        out = proc.stdout.read()
        pg_cpu = cpu_seconds(0)["postgres"] - cpu_before
        if proc.returncode != 0:
            raise SystemExit(f"pgbench failed:\n{out}")
        latencies = []
        for log in Path(tmp).glob("log*"):
            for line in log.read_text().splitlines():
                parts = line.split()
                if len(parts) >= 3:
                    latencies.append(int(parts[2]) / 1e6)
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    failed = int(m.group(1)) if (m := re.search(r"number of failed transactions: (\d+)", out)) else 0
    return {
        "name": name,
        "clients": clients,
        "rate": tps,
        "ok": len(latencies),
        "errors": failed,
        **percentiles(latencies),
        "cpu_ms": {"postgres": pg_cpu / max(1, len(latencies)) * 1000},
    }


def percentiles(latencies: list[float]) -> dict:
    if not latencies:
        return {"p50": float("nan"), "p99": float("nan")}
    latencies = sorted(latencies)
    return {
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


# --- the app through uvicorn ------------------------------------------------------------------


class Connection:
    """A minimal HTTP/1.1 keep-alive client: cheap enough not to steal the server's CPU."""

    def __init__(self, port: int):
        self.port = port

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
        head += (
            f"Content-Length: {len(body)}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        )
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        length, chunked = None, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            data = b""
            while (size := int((await self.reader.readline()).strip(), 16)) > 0:
                data += await self.reader.readexactly(size)
                await self.reader.readline()
            await self.reader.readline()
        else:
            data = await self.reader.readexactly(length or 0)
        return status, data


async def load(
    port: int, clients: int, duration: float, make_request, desc: str, server_sid: int = 0
) -> dict:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.monotonic() + duration

    async def client(i: int):
        conn = Connection(port)
        await conn.open()
        n = 0
        while time.monotonic() < deadline:
            method, path, headers, body = make_request(i, n)
            n += 1
            t0 = time.perf_counter()
            status, data = await conn.request(method, path, headers, body)
            elapsed = time.perf_counter() - t0
            if status == 201:
                latencies.append(elapsed)
            else:
                code = f"{status} {json.loads(data or b'{}').get('code', '')}"
                errors[code] = errors.get(code, 0) + 1
        conn.writer.close()

    async def progress():
        with tqdm(total=int(duration), desc=desc, unit="s", leave=False) as bar:
            while time.monotonic() < deadline:
                await asyncio.sleep(1)
                bar.update(1)
                bar.set_postfix(done=len(latencies), errors=sum(errors.values()))

    cpu_before = cpu_seconds(server_sid)
    started = time.monotonic()
    await asyncio.gather(progress(), *(client(i) for i in range(clients)))
    wall = time.monotonic() - started
    cpu_after = cpu_seconds(server_sid)
    done = max(1, len(latencies))
    return {
        "clients": clients,
        "rate": len(latencies) / wall,
        "ok": len(latencies),
        "errors": sum(errors.values()),
        "error_codes": errors,
        **percentiles(latencies),
        "cpu_ms": {k: (cpu_after[k] - cpu_before[k]) / done * 1000 for k in cpu_after},
    }


def transfer_request(data: dict, rng: random.Random):
    users, tokens = data["users"], data["tokens"]

    def make(i, n):
        sender, recipient = rng.sample(users, 2)
        to = data["mobiles"][recipient]  # random pairs are strangers: by mobile number
        body = json.dumps({"recipient": to, "amount_fen": 1, "pin": PIN, "note": "bench"}).encode()
        headers = {"Authorization": f"Bearer {tokens[sender]}", "Idempotency-Key": uuid.uuid4().hex}
        return "POST", "/api/v1/wallet/transfers", headers, body

    return make


def micropayment_request(data: dict, rng: random.Random, *, hot: bool):
    users, tokens = data["users"], data["tokens"]
    counter = iter(range(10**9))

    def make(i, n):
        # Round-robin payers keep every payer far below the 200-a-day password-free count.
        payer = users[next(counter) % len(users)]
        payee = data["host"] if hot else rng.choice([u for u in rng.sample(users, 2) if u != payer])
        # Not friends: paid by mobile number, as the password-free API requires of strangers.
        body = json.dumps({"payee": data["mobiles"][payee], "amount_fen": 1, "purpose": "tip"}).encode()
        headers = {"Authorization": f"Bearer {tokens[payer]}", "Idempotency-Key": uuid.uuid4().hex}
        return "POST", "/api/v1/wallet/micropayments", headers, body

    return make


# --- main -------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lifecircle_bench"),
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per phase")
    parser.add_argument("--clients", type=int, default=32, help="concurrent HTTP clients (>= 32)")
    parser.add_argument("--pgbench-clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="uvicorn worker processes")
    args = parser.parse_args()
    pg_conninfo(args.db)  # refuses anything but loopback

    t_start = time.monotonic()
    ensure_database(args.db)
    django_setup(args.db)
    print(
        f"setting up {N_USERS} users, tokens, PINs and wallets in {args.db.rsplit('/', 1)[1]} …", flush=True
    )
    data = prepare_data()
    from django.db import connections

    connections.close_all()
    rng = random.Random(42)
    results = [run_pgbench(args.db, data, args.pgbench_clients, args.duration)]
    db_level = [
        run_pgbench(
            args.db,
            data,
            args.pgbench_clients,
            args.duration,
            PGBENCH_ONE_ROW,
            data["sink_account"],
            "(a1) pgbench: all into ONE plain row",
        ),
        run_pgbench(
            args.db,
            data,
            args.pgbench_clients,
            args.duration,
            PGBENCH_HOT,
            data["host_account"],
            "(a2) pgbench: all into ONE hot account",
        ),
    ]

    port = free_port()
    server = start_server(args.db, port, args.workers)

    def phase(name: str, make_request, desc: str) -> None:
        r = asyncio.run(load(port, args.clients, args.duration, make_request, desc, server_sid=server.pid))
        results.append({"name": name, **r})

    try:
        asyncio.run(load(port, args.clients, 2, micropayment_request(data, rng, hot=False), "warm-up"))
        reset_micropayment_counters()
        connections.close_all()
        phase("(b) app: transfer over HTTP, with PIN", transfer_request(data, rng), "(b) app transfer + PIN")
        phase(
            "(b') app: password-free, random users", micropayment_request(data, rng, hot=False), "(b') no PIN"
        )
        reset_micropayment_counters()
        connections.close_all()
        phase("(c) app: tips into ONE hot account", micropayment_request(data, rng, hot=True), "(c) hot tips")
    finally:
        stop_server(server)

    # VARIANT, reported separately: the same app with Django's psycopg pool instead of a new
    # PostgreSQL connection per request (only when psycopg-pool is installed).
    try:
        import psycopg_pool  # noqa: F401

        pooled = True
    except ImportError:
        pooled = False
    if pooled:
        server = start_server(args.db, port, args.workers, settings_module="settings_pooled")
        try:
            asyncio.run(load(port, args.clients, 2, micropayment_request(data, rng, hot=False), "warm-up"))
            reset_micropayment_counters()
            phase("(b*) VARIANT pooled: transfer, with PIN", transfer_request(data, rng), "(b*) pooled + PIN")
            phase(
                "(b'*) VARIANT pooled: password-free",
                micropayment_request(data, rng, hot=False),
                "(b'*) pooled",
            )
            reset_micropayment_counters()
            phase(
                "(c*) VARIANT pooled: tips into hot", micropayment_request(data, rng, hot=True), "(c*) pooled"
            )
        finally:
            stop_server(server)

    from lifecircle.wallet.services.reconcile import ledger_reconcile

    report = ledger_reconcile()
    pg, app, random_mp, hot = results[:4]
    print()
    print(
        f"LifeCircle ledger benchmark — PostgreSQL on loopback, {os.cpu_count()} CPU(s), "
        f"{args.duration}s per phase, uvicorn --workers {args.workers}"
    )
    print(f"{'phase':44} {'clients':>7} {'ok':>7} {'err':>5} {'per s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for r in [*results[:1], *db_level, *results[1:]]:
        print(
            f"{r['name']:44} {r['clients']:>7} {r['ok']:>7} {r['errors']:>5} {r['rate']:>9.1f} "
            f"{r['p50']:>8.1f} {r['p99']:>8.1f}"
        )
        if r.get("error_codes"):
            print(f"{'':44} errors: {r['error_codes']}")
    print()
    print("CPU per successful transfer (ms): app = uvicorn workers, postgres = server incl. backends")
    for r in results:
        cpu = r.get("cpu_ms", {})
        print(f"  {r['name']:44} " + "  ".join(f"{k} {v:6.2f}" for k, v in cpu.items()))
    print()
    print(f"app ÷ pgbench (transfer with PIN)       = {app['rate'] / pg['rate']:.3f}   (goal ≥ 0.5)")
    print(f"app ÷ pgbench (variant: no PIN)         = {random_mp['rate'] / pg['rate']:.3f}")
    print(f"hot ÷ random (tips: one hot vs random)  = {hot['rate'] / random_mp['rate']:.3f}   (goal ≥ 0.8)")
    one_row, hot_db = db_level
    print(
        f"database level, pgbench: hot ÷ random = {hot_db['rate'] / pg['rate']:.3f}, "
        f"one plain row ÷ random = {one_row['rate'] / pg['rate']:.3f}"
    )
    if len(results) == 7:
        _pg, _a, _r, _h, p_app, p_random, p_hot = results
        print(
            f"VARIANT pooled connections: app ÷ pgbench with PIN = {p_app['rate'] / pg['rate']:.3f}, "
            f"no PIN = {p_random['rate'] / pg['rate']:.3f}, "
            f"hot ÷ random = {p_hot['rate'] / p_random['rate']:.3f}"
        )
    else:
        print("(pooled-connection variant skipped: psycopg-pool is not installed)")
    print(f"reconcile after the run: {reconcile_text(report)}")
    print(f"total time {time.monotonic() - t_start:.0f}s")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
