"""Chat benchmark (``make bench-chat``): chat.send → chat.message across two server processes.

Not a test. Loopback only, its own database (never the app's), bounded in time (< 5 min):

1. its own PostgreSQL database (created and migrated here), ``--users`` users in pairs of
   friends, one direct conversation per pair, an API token per user (re-used by later runs);
2. TWO uvicorn servers (``--workers 1`` each, different ports on 127.0.0.1, own process
   groups), both with ``LIFECIRCLE_REDIS_URL`` (the channels-redis pub/sub layer) and the
   benchmark database: in every pair one member is connected to server A, the other to B,
   so every delivery crosses processes through Redis;
3. one WebSocket per user (``Authorization: Bearer``); in each pair one member sends
   (A-side in even pairs, B-side in odd ones) — open loop: ``chat.send`` frames at a fixed
   total rate, round-robin over the senders, whatever the servers' speed, at each step of
   ``--rates`` for ``--duration`` s. A step stops early when the oldest unacknowledged send
   is over ``--behind`` s old; higher steps are then skipped;
4. per step: offered rate, messages persisted per second (chat_message rows created during
   the step), delivered per second (chat.message frames at the receivers during the step),
   p50/p99 latency from the intended send time to the receiver's chat.message (queueing
   included: no coordinated omission), errors, and CPU per message (app = both uvicorn
   processes, postgres, client = this process, other = the rest of the machine, mostly Redis).

Goal (issue 6 point 7): p99 ≤ 100 ms at 1,000 messages/s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import time
import uuid

import websockets
from tqdm import tqdm
from websockets.exceptions import ConnectionClosed

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import api_token_rows  # bench/ is not a package
from common import start_server as common_start_server
from timeline import (
    HOST,
    check_loopback,
    cpu_seconds,
    ensure_database,
    free_port,
    migrate,
    percentile,
    raw_token,
    stop_server,
)

REDIS_URL = "redis://127.0.0.1:6379/5"
PREFIX = "chatb"
GOAL_RATE, GOAL_P99 = 1000, 100.0


# --- data -------------------------------------------------------------------------------------
def seed(url: str, users: int) -> list[tuple[int, int, int]]:
    """``users`` users (``chatb0`` …) in pairs of friends, an API token each (token_hash =
    sha256(raw), as ``api_token_create`` stores it) and a direct conversation per pair.
    Returns [(user_a, user_b, conversation_id)]; re-used when already there."""

    os.environ["LIFECIRCLE_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LIFECIRCLE_LOG_LEVEL"] = "WARNING"
    os.environ.pop("LIFECIRCLE_REDIS_URL", None)  # seeding publishes nothing worth sending
    import django

    django.setup()
    from django.db import connection, transaction

    from lifecircle.accounts.models import ApiToken, User
    from lifecircle.chat.services import conversation_direct_open
    from lifecircle.social.models import Friendship

    mine = User.objects.filter(username__startswith=PREFIX)
    if mine.count() != users:
        mine.delete()
        with transaction.atomic():
            new = [User(username=f"{PREFIX}{i:05d}", nickname=f"Chat {i}") for i in range(users)]
            for u in new:
                u.set_unusable_password()
            User.objects.bulk_create(new)
            ids = list(mine.order_by("username").values_list("id", flat=True))
            pairs = list(zip(ids[0::2], ids[1::2], strict=True))
            Friendship.objects.bulk_create(
                [Friendship(user_id=a, friend_id=b) for a, b in pairs]
                + [Friendship(user_id=b, friend_id=a) for a, b in pairs]
            )
            ApiToken.objects.bulk_create(api_token_rows(ids, raw_token), batch_size=2000)
    ids = list(mine.order_by("username").values_list("id", flat=True))
    users_by_id = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    out = []
    for a, b in zip(ids[0::2], ids[1::2], strict=True):
        out.append((a, b, conversation_direct_open(user=users_by_id[a], other_id=b).pk))
    with connection.cursor() as cur:  # keep the database small across runs
        cur.execute("TRUNCATE chat_message CASCADE")
        cur.execute("UPDATE chat_conversation SET last_message_id = 0")
        cur.execute("UPDATE chat_conversationmember SET last_read_id = 0")
    connection.close()
    return out


def persisted_between(url: str, start: float, end: float) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT count(*) FROM chat_message WHERE created_at >= %s AND created_at < %s",
            [dt.datetime.fromtimestamp(start, dt.UTC), dt.datetime.fromtimestamp(end, dt.UTC)],
        ).fetchone()[0]


# --- servers ----------------------------------------------------------------------------------
def start_server(url: str, port: int, pool_max: int, extra_env: dict | None = None) -> subprocess.Popen:
    """One uvicorn process (bench/common.py) with the Redis channel layer; ``extra_env``
    overrides (the danmaku benchmark's Redis database, fan-out mode)."""
    redis_env = {"LIFECIRCLE_REDIS_URL": REDIS_URL, "LIFECIRCLE_REDIS_PREFIX": "benchchat"}
    return common_start_server(url, port, pool_max=pool_max, extra_env={**redis_env, **(extra_env or {})})


def cpu_now(servers: list[subprocess.Popen]) -> dict[str, float]:
    per = [cpu_seconds(s.pid) for s in servers]
    totals = dict(per[0])
    totals["app"] = sum(p["app"] for p in per)
    return totals


# --- the load ---------------------------------------------------------------------------------
class Bench:
    def __init__(self, pairs, ports, run_id: str):
        self.pairs, self.ports, self.run_id = pairs, ports, run_id
        self.sent_at: dict[str, float] = {}  # client_id -> intended send time (perf_counter)
        self.pending: dict[str, float] = {}  # sent, not yet acknowledged (chat.sent)
        self.delivered: dict[str, float] = {}  # client_id -> receiver's chat.message time
        self.errors: dict[str, int] = {}
        self.sockets: dict[int, websockets.ClientConnection] = {}

    def error(self, code: str) -> None:
        self.errors[code] = self.errors.get(code, 0) + 1

    async def reader(self, user_id: int, ws, receiver: bool) -> None:
        try:
            async for raw in ws:
                now = time.perf_counter()
                frame = json.loads(raw)
                kind = frame["type"]
                if kind == "chat.message":
                    if receiver:
                        self.delivered.setdefault(frame["message"]["client_id"], now)
                elif kind == "chat.sent":
                    self.pending.pop(frame["client_id"], None)
                elif kind == "error":
                    self.error(frame.get("code", "error"))
        except ConnectionClosed:
            self.error("socket_closed")

    async def connect(self) -> list[asyncio.Task]:
        tasks = []
        specs = []
        for n, (a, b, _conv) in enumerate(self.pairs):
            receiver = b if n % 2 == 0 else a
            # a on server A, b on server B: every delivery crosses processes
            specs += [(a, self.ports[0], a == receiver), (b, self.ports[1], b == receiver)]
        for user, port, is_receiver in tqdm(specs, desc="connect", unit="socket", leave=False):
            ws = await websockets.connect(
                f"ws://{HOST}:{port}/ws/",
                additional_headers={"Authorization": f"Bearer {raw_token(user)}"},
                ping_interval=None,
                max_size=2**20,
            )
            hello = json.loads(await ws.recv())
            assert hello["type"] == "hello" and hello["user_id"] == user, hello
            self.sockets[user] = ws
            tasks.append(asyncio.create_task(self.reader(user, ws, is_receiver)))
        await asyncio.sleep(1.0)  # the Redis subscriptions are in place
        return tasks

    async def step(self, rate: float, duration: float, behind: float, index: int, label: str) -> dict:
        senders = [((a, conv) if n % 2 == 0 else (b, conv)) for n, (a, b, conv) in enumerate(self.pairs)]
        ids: list[str] = []
        start = time.perf_counter()
        wall_start = time.time()
        interval = 1.0 / rate
        n, stopped = 0, False
        bar = tqdm(total=int(duration), desc=f"{label} {rate:g} msg/s", unit="s", leave=False)
        shown = 0
        while True:
            now = time.perf_counter()
            if now - start >= duration:
                break
            due = int((now - start) / interval) + 1
            while n < due:  # open loop: everything that is due, whatever came back
                intended = start + n * interval
                user, conv = senders[n % len(senders)]
                cid = f"{self.run_id}-{index}-{n}"
                self.sent_at[cid] = self.pending[cid] = intended
                ids.append(cid)
                frame = {"type": "chat.send", "conversation_id": conv, "text": f"bench {cid}"}
                frame["client_id"] = cid
                try:
                    await self.sockets[user].send(json.dumps(frame))
                except ConnectionClosed:
                    self.error("send_on_closed")
                n += 1
            if self.pending and now - next(iter(self.pending.values())) > behind:
                stopped = True
                break
            if int(now - start) > shown:
                shown = int(now - start)
                bar.update(1)
                bar.set_postfix(sent=n, acked=n - len(self.pending), delivered=len(self.delivered))
            await asyncio.sleep(min(interval, 0.005))
        end = time.perf_counter()
        wall_end = time.time()
        bar.close()
        # drain: wait for what this step sent (bounded)
        drain_until = time.perf_counter() + (3.0 if stopped else 10.0)
        while time.perf_counter() < drain_until and any(c not in self.delivered for c in ids[-200:]):
            await asyncio.sleep(0.05)
        while time.perf_counter() < drain_until and any(c not in self.delivered for c in ids):
            await asyncio.sleep(0.1)
        latencies = sorted((self.delivered[c] - self.sent_at[c]) * 1000 for c in ids if c in self.delivered)
        in_window = sum(1 for c in ids if c in self.delivered and self.delivered[c] < end)
        return {
            "rate": rate,
            "sent": len(ids),
            "elapsed": end - start,
            "wall": (wall_start, wall_end),
            "delivered": len(latencies),
            "delivered_per_s": in_window / (end - start),
            "undelivered": len(ids) - len(latencies),
            "p50": percentile(latencies, 0.50) if latencies else float("nan"),
            "p99": percentile(latencies, 0.99) if latencies else float("nan"),
            "stopped": stopped,
        }


async def run_load(pairs, ports, args, servers, label: str) -> tuple[list[dict], dict]:
    rates, duration, behind, url = args.rates, args.duration, args.behind, args.db
    bench = Bench(pairs, ports, uuid.uuid4().hex[:8])
    readers = await bench.connect()
    results = []
    try:
        for i, rate in enumerate(rates):
            errors_before = sum(bench.errors.values())
            cpu_before, t0 = cpu_now(servers), time.perf_counter()
            r = await bench.step(rate, duration, behind, i, label)
            cpu_after, measured = cpu_now(servers), time.perf_counter() - t0  # the step and its drain
            spent = {k: cpu_after[k] - cpu_before[k] for k in cpu_before}
            mine = spent["app"] + spent["postgres"] + spent["client"]
            spent["other"] = max(0.0, spent.pop("machine") - mine)
            r["persisted_per_s"] = persisted_between(url, *r["wall"]) / (r["wall"][1] - r["wall"][0])
            r["errors"] = sum(bench.errors.values()) - errors_before
            r["cpu_ms"] = {k: 1000 * v / max(1, r["delivered"]) for k, v in spent.items()}
            r["busy"] = sum(spent.values()) / measured  # CPUs busy on average, the whole machine
            r["label"] = label
            results.append(r)
            if r["stopped"]:
                break
            await asyncio.sleep(1.0)
    finally:
        for ws in bench.sockets.values():
            await ws.close()
        for t in readers:
            t.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
    return results, bench.errors


# --- main -------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db",
        default=os.environ.get(
            "BENCH_CHAT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lifecircle_bench_chat"
        ),
    )
    parser.add_argument("--users", type=int, default=200, help="even: users / 2 pairs, one sender each")
    parser.add_argument("--rates", default="20,50,100,200,300,500,1000", help="offered msgs/s, one step each")
    parser.add_argument(
        "--pool", type=int, default=4, help="VARIANT pass with LIFECIRCLE_DB_POOL_MAX=N (0: skip it)"
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per step")
    parser.add_argument("--behind", type=float, default=3.0, help="stop when a send is unanswered this long")
    args = parser.parse_args()
    check_loopback(args.db)
    if args.users < 2 or args.users % 2:
        raise SystemExit("--users must be even and at least 2")
    rates = args.rates = [float(r) for r in args.rates.split(",")]
    t_start = time.monotonic()

    print(f"preparing {args.db.rsplit('/', 1)[1]}: migrate, {args.users} users in pairs …", flush=True)
    ensure_database(args.db)
    migrate(args.db)
    pairs = seed(args.db, args.users)

    passes = [("shipped", 0)] + ([(f"pool {args.pool}", args.pool)] if args.pool else [])
    results, errors = [], {}
    load_before = os.getloadavg()
    for label, pool_max in passes:
        ports = [free_port(), free_port()]
        servers = [start_server(args.db, port, pool_max) for port in ports]
        try:
            rs, errs = asyncio.run(run_load(pairs, ports, args, servers, label))
        finally:
            for s in servers:
                stop_server(s)
        results += rs
        errors.update({f"{label}: {k}": v for k, v in errs.items()})
        rest = rates[len(rs) :]
        if rest:
            results.append({"label": label, "skipped": rest})
    load_after = os.getloadavg()

    print()
    print(
        f"LifeCircle chat benchmark — PostgreSQL + Redis on loopback, {os.cpu_count()} CPU(s), load average "
        f"before/after {load_before[0]:.1f}/{load_after[0]:.1f}; 2 uvicorn processes (--workers 1 each); "
        f"{args.users} sockets, {len(pairs)} pairs with one member on each server, {len(pairs)} senders; "
        f"open loop, {args.duration:g}s per step"
    )
    print(
        f"{'settings':9} {'offered/s':>9} {'sent':>6} {'persist/s':>9} {'deliv/s':>8} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'undeliv':>7} {'err':>4}   CPU ms/msg app / postgres / client / other  busy CPUs"
    )
    for r in results:
        if "skipped" in r:
            rates_left = ", ".join(f"{x:g}" for x in r["skipped"])
            print(f"{r['label']:9} {rates_left:>9}  not run: fell behind at a lower rate")
            continue
        cpu = r["cpu_ms"]
        print(
            f"{r['label']:9} {r['rate']:>9.0f} {r['sent']:>6} {r['persisted_per_s']:>9.1f} "
            f"{r['delivered_per_s']:>8.1f} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['undelivered']:>7} "
            f"{r['errors']:>4}   {cpu['app']:6.2f} / {cpu['postgres']:5.2f} / {cpu['client']:5.2f} / "
            f"{cpu['other']:5.2f}  {r['busy']:4.2f}"
            + (f"   stopped after {r['elapsed']:.1f}s: fell behind" if r["stopped"] else "")
        )
    if errors:
        print(f"errors: {errors}")
    print()
    measured = [r for r in results if "skipped" not in r]
    for label, _pool in passes:
        mine = [r for r in measured if r["label"] == label]
        ok = [r for r in mine if r["p99"] <= GOAL_P99 and not r["undelivered"] and not r["errors"]]
        goal = next((r for r in mine if r["rate"] >= GOAL_RATE), None)
        met = goal is not None and goal in ok
        reached = (
            f"p99 {goal['p99']:.1f} ms, {goal['delivered_per_s']:.0f} delivered/s" if goal else "not reached"
        )
        print(
            f"[{label}] goal p99 ≤ {GOAL_P99:.0f} ms at {GOAL_RATE:,} messages/s: "
            f"{'met' if met else 'NOT met'} ({reached})"
        )
        if ok:
            best = max(ok, key=lambda r: r["rate"])
            per_msg = sum(best["cpu_ms"].values()) - best["cpu_ms"]["other"]
            print(
                f"[{label}] highest offered rate with p99 ≤ {GOAL_P99:.0f} ms, nothing lost: "
                f"{best['rate']:.0f} msgs/s (p99 {best['p99']:.1f} ms); "
                f"app+postgres+client CPU there {per_msg:.2f} ms/msg"
            )
        else:
            print(f"[{label}] no step had p99 ≤ {GOAL_P99:.0f} ms without losses")
        peak = max(mine, key=lambda r: r["persisted_per_s"])
        print(
            f"[{label}] peak: {peak['persisted_per_s']:.1f} msgs/s persisted, "
            f"{peak['delivered_per_s']:.1f}/s delivered (offered {peak['rate']:.0f}/s)"
        )
    print(f"total time {time.monotonic() - t_start:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
