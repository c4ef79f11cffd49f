"""Danmaku benchmark (``make bench-danmaku``): one big live room, thousands of viewers.

Not a test. Loopback only, its own PostgreSQL database and Redis database:

1. its own database (created and migrated here): a host, ``--viewers`` viewers and
   ``--senders`` senders with API tokens, one live event (re-used by later runs);
2. TWO uvicorn processes (``--workers 1`` each, own process groups) sharing Redis and the
   database; viewers and senders alternate between them, so every danmaku crosses processes;
3. the load process (this one, uvloop) opens every viewer's WebSocket with a small raw client
   (HTTP upgrade with ``Authorization: Bearer``, frame parsing, pong replies), joins the room,
   then the senders send ``live.danmaku`` open loop, each once every ``--interval`` s (the
   rate limit allows one every 2 s), for ``--duration`` s;
4. it counts, at every viewer, the danmaku in each ``live.frame`` (logical deliveries) and the
   frames; one viewer in ``--sample`` parses every frame and measures send → receive latency
   (the send time is in the danmaku's text: no coordinated omission, queueing included);
5. gifts (issue 7, point 5): ``--gifters`` viewers, half on each server, each tap one
   ``live.gift`` over their open socket at the same instant — first into the host's *hot*
   account (credits spread over shard rows), then the same burst into the host's account as
   one plain row; gifts/s, p50/p99 tap → ``live.gifted``, and the money checked: the host
   received exactly the sum of the accepted gifts, and ``reconcile`` is clean;
6. the same run again through the baseline: servers with ``LIFECIRCLE_LIVE_FANOUT=group_send``
   (every viewer in a Channels group, every danmaku a ``group_send``, one send per member),
   the same viewers, senders and rate.

Printed: connections held, logical danmaku delivered/s, frames/s, p50/p99 latency, server
memory per connection, CPU — for both, and the ratio ours ÷ baseline; the gift bursts.
Goals (issue 7): 10,000 viewers in one room on 2 cores, ≥ 100,000 danmaku delivered/s,
p99 ≤ 1 s, ratio ≥ 10.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import random
import resource
import sys
import time
import uuid
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chat import cpu_now, start_server  # bench/ is not a package
from common import api_token_rows, reconcile_text, top_up
from timeline import HOST, check_loopback, ensure_database, free_port, migrate, percentile, stop_server

REDIS_URL = "redis://127.0.0.1:6379/9"
PREFIX = "dmk"
GOAL_VIEWERS, GOAL_DELIVERED, GOAL_P99_MS, GOAL_RATIO = 10_000, 100_000, 1000.0, 10.0


def raw_token(user_id: int) -> str:
    # Deterministic, so re-runs reuse the rows; only in this benchmark database.
    return f"lc_d{user_id:07d}_bench-danmaku-{hashlib.sha256(f'dm{user_id}'.encode()).hexdigest()[:32]}"


# --- data -------------------------------------------------------------------------------------
def seed(url: str, viewers: int, senders: int, gifters: int) -> tuple[int, list[int], list[int]]:
    """A host, viewers and senders (``dmk…`` users with API tokens) and one live event by the
    host; the first ``gifters`` viewers get money for gifts; returns (event id, viewer ids,
    sender ids). Re-used when already there."""
    os.environ["LIFECIRCLE_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LIFECIRCLE_LOG_LEVEL"] = "WARNING"
    os.environ.pop("LIFECIRCLE_REDIS_URL", None)
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from lifecircle.accounts.models import ApiToken, User
    from lifecircle.live.models import Danmaku, LiveEvent, LiveMute

    total = 1 + viewers + senders
    mine = User.objects.filter(username__startswith=PREFIX)
    if mine.count() < total:
        have = mine.count()
        with transaction.atomic():
            new = [User(username=f"{PREFIX}{i:06d}", nickname=f"Viewer {i}") for i in range(have, total)]
            for u in new:
                u.set_unusable_password()
            User.objects.bulk_create(new, batch_size=2000)
            ids = list(mine.order_by("username").values_list("id", flat=True))[have:]
            ApiToken.objects.bulk_create(api_token_rows(ids, raw_token), batch_size=2000)
    ids = list(mine.order_by("username").values_list("id", flat=True))[:total]
    host, viewer_ids, sender_ids = ids[0], ids[1 : 1 + viewers], ids[1 + viewers :]
    event = LiveEvent.objects.filter(host_id=host, title="Danmaku benchmark").first()
    now = timezone.now()
    if event is None:
        event = LiveEvent.objects.create(host_id=host, title="Danmaku benchmark", scheduled_at=now)
    LiveEvent.objects.filter(pk=event.pk).update(status=LiveEvent.Status.LIVE, started_at=now)
    Danmaku.objects.filter(event=event).delete()  # keep the database small across runs
    LiveMute.objects.filter(event=event).delete()
    top_up(User.objects.filter(pk__in=viewer_ids[:gifters]), 10_00)
    connection.close()
    return event.pk, viewer_ids, sender_ids


def host_account(event_id: int, hot: bool | None = None) -> int:
    """The host's balance in fen (main row and shards), after making the account hot or plain
    when ``hot`` is given. Runs in a worker thread of the load process."""
    from django.db import connection

    from lifecircle.live.models import LiveEvent
    from lifecircle.wallet.services import account_balance, account_set_hot, wallet_account_for

    try:
        account = wallet_account_for(LiveEvent.objects.select_related("host").get(pk=event_id).host)
        if hot is not None:
            account = account_set_hot(account=account, hot=hot)
        return account_balance(account)
    finally:
        connection.close()


def reconcile_summary() -> str:
    from django.db import connection

    from lifecircle.wallet.services.reconcile import ledger_reconcile

    try:
        return reconcile_text(ledger_reconcile())
    finally:
        connection.close()


# --- a minimal WebSocket client: just enough for thousands of sockets in one process -------------
def client_frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """A masked frame (clients must mask): text by default."""
    mask = os.urandom(4)
    n = len(payload)
    first = 0x80 | opcode
    if n < 126:
        header = bytes((first, 0x80 | n))
    elif n < 65536:
        header = bytes((first, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((first, 0x80 | 127)) + n.to_bytes(8, "big")
    key = int.from_bytes((mask * (n // 4 + 1))[:n], "big") if n else 0
    masked = (int.from_bytes(payload, "big") ^ key).to_bytes(n, "big") if n else b""
    return header + mask + masked


class Stats:
    def __init__(self):
        self.reset()
        self.errors: dict[str, int] = {}
        self.sent = 0
        self.acked = 0

    def reset(self):
        self.items = 0
        self.frames = 0
        self.latencies: list[float] = []
        self.counting = False


class Client(asyncio.Protocol):
    """One WebSocket: the upgrade, then server frames (unmasked) parsed incrementally."""

    def __init__(self, token: str, port: int, stats: Stats, sample: bool, viewer: bool):
        self.token, self.port, self.stats, self.sample, self.viewer = token, port, stats, sample, viewer
        self.buf = bytearray()
        self.upgraded = False
        self.opened = asyncio.get_running_loop().create_future()
        self.waiters: dict[str, asyncio.Future] = {}
        self.transport = None
        self.closed = False

    def connection_made(self, transport):
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            (
                f"GET /ws/ HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Authorization: Bearer {self.token}\r\n\r\n"
            ).encode()
        )

    def connection_lost(self, exc):
        self.closed = True
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed during the handshake"))
        for w in self.waiters.values():
            if not w.done():
                w.set_exception(ConnectionError("closed"))

    def send(self, obj: dict) -> None:
        if not self.closed:
            self.transport.write(client_frame(json.dumps(obj).encode()))

    def request(self, obj: dict, reply: str) -> asyncio.Future:
        """Send a frame; the future gets the ``reply`` frame or the ``error`` frame."""
        fut = self.expect(reply)
        self.waiters["error"] = fut
        self.send(obj)
        return fut

    def expect(self, kind: str) -> asyncio.Future:
        fut = asyncio.get_running_loop().create_future()
        self.waiters[kind] = fut
        return fut

    def data_received(self, data):
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end])
            del buf[: end + 4]
            if b" 101 " not in head.split(b"\r\n", 1)[0]:
                self.opened.set_exception(ConnectionError(head.split(b"\r\n", 1)[0].decode()))
                self.transport.close()
                return
            self.upgraded = True
            self.opened.set_result(True)
        stats = self.stats
        pos, n = 0, len(buf)
        while n - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1] & 0x7F
            start = pos + 2
            if b1 == 126:
                if n - pos < 4:
                    break
                b1, start = int.from_bytes(buf[pos + 2 : pos + 4], "big"), pos + 4
            elif b1 == 127:
                if n - pos < 10:
                    break
                b1, start = int.from_bytes(buf[pos + 2 : pos + 10], "big"), pos + 10
            end = start + b1
            if end > n:
                break
            opcode = b0 & 0x0F
            payload = bytes(buf[start:end])
            pos = end
            if opcode == 0x1:
                self.on_text(payload, stats)
            elif opcode == 0x9:  # ping: pong with the same payload
                self.transport.write(client_frame(payload, 0xA))
            elif opcode == 0x8:
                self.transport.close()
        del buf[:pos]

    def on_text(self, payload: bytes, stats: Stats) -> None:
        if payload.startswith(b'{"type":"live.frame"'):
            if stats.counting and self.viewer:
                stats.frames += 1
                stats.items += payload.count(b'"id":')
                if self.sample:
                    now = time.time() * 1000
                    for item in json.loads(payload)["items"]:
                        text = item.get("text", "")
                        if text.startswith("b:"):
                            stats.latencies.append(now - int(text.split(":")[1]))
            return
        frame = json.loads(payload)
        kind = frame.get("type")
        if kind == "live.sent":
            stats.acked += 1
        elif kind == "error":
            stats.errors[frame.get("code", "error")] = stats.errors.get(frame.get("code", "error"), 0) + 1
        waiter = self.waiters.pop(kind, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(frame)


async def open_clients(
    tokens, ports, stats: Stats, event_id: int, sample_every: int, desc: str, viewer: bool = True
) -> list[Client]:
    loop = asyncio.get_running_loop()
    clients: list[Client | None] = [None] * len(tokens)
    gate = asyncio.Semaphore(100)
    bar = tqdm(total=len(tokens), desc=desc, unit="sock", leave=False)

    async def one(i: int, token: str) -> None:
        async with gate:
            port = ports[i % len(ports)]
            for attempt in range(5):
                try:
                    _t, c = await loop.create_connection(
                        lambda: Client(
                            token, port, stats, bool(sample_every) and i % sample_every == 0, viewer
                        ),
                        HOST,
                        port,
                    )
                    hello = c.expect("hello")
                    await asyncio.wait_for(c.opened, 30)
                    await asyncio.wait_for(hello, 30)
                    joined = c.expect("live.joined")
                    c.send({"type": "live.join", "event": event_id})
                    await asyncio.wait_for(joined, 60)
                    clients[i] = c
                    bar.update(1)
                    return
                except (TimeoutError, OSError, ConnectionError):
                    await asyncio.sleep(0.5 * (attempt + 1))
            stats.errors["connect_failed"] = stats.errors.get("connect_failed", 0) + 1

    await asyncio.gather(*(one(i, t) for i, t in enumerate(tokens)))
    bar.close()
    return [c for c in clients if c is not None]


def rss_kib(pids) -> int:
    total = 0
    for pid in pids:
        for child in [pid, *children_of(pid)]:
            try:
                for line in Path(f"/proc/{child}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
    return total


def children_of(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


async def run_mode(label, event_id, viewer_tokens, sender_tokens, ports, servers, args) -> dict:
    stats = Stats()
    pids = [s.pid for s in servers]
    rss_before = rss_kib(pids)
    t0 = time.monotonic()
    viewers = await open_clients(viewer_tokens, ports, stats, event_id, args.sample, f"{label}: viewers")
    senders = await open_clients(sender_tokens, ports, stats, event_id, 0, f"{label}: senders", viewer=False)
    connect_s = time.monotonic() - t0
    await asyncio.sleep(2.5)  # viewer counts settle
    rss_after = rss_kib(pids)
    held = sum(1 for c in viewers + senders if not c.closed)

    interval, duration = args.interval, args.duration
    rng = random.Random(7)
    offsets = [rng.uniform(0, interval) for _ in senders]
    seq = 0

    async def sender(i: int, c: Client, stop_at: float) -> None:
        nonlocal seq
        next_at = time.monotonic() + offsets[i]
        while True:
            delay = next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if time.monotonic() >= stop_at:
                return
            seq += 1
            c.send({"type": "live.danmaku", "event": event_id, "text": f"b:{int(time.time() * 1000)}:{seq}"})
            stats.sent += 1
            next_at += interval

    cpu_before = cpu_now(servers)
    start = time.monotonic()
    stats.counting = True
    stop_at = start + duration
    tasks = [asyncio.create_task(sender(i, c, stop_at)) for i, c in enumerate(senders)]
    with tqdm(total=int(duration), desc=f"{label}: load", unit="s", leave=False) as bar:
        while time.monotonic() < stop_at:
            await asyncio.sleep(1)
            bar.update(1)
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - start
    items, frames = stats.items, stats.frames
    await asyncio.sleep(args.drain)  # what was sent arrives (counted apart from the rate)
    stats.counting = False
    cpu_after = cpu_now(servers)
    late_items = stats.items - items
    spent = {k: cpu_after[k] - cpu_before[k] for k in cpu_before}
    errors = dict(stats.errors)
    gifts = []
    if args.gifters and label == "ours":
        for hot in (True, False):
            gifts.append(await gift_burst(viewers[: args.gifters], event_id, hot, args.gift_fen))
    for c in viewers + senders:
        if c.transport is not None:
            c.transport.close()
    lat = sorted(stats.latencies)
    expected_per_viewer = stats.sent
    return {
        "gifts": gifts,
        "label": label,
        "connected": len(viewers),
        "held": held,
        "connect_s": connect_s,
        "rss_per_conn_kib": (rss_after - rss_before) / max(1, len(viewers) + len(senders)),
        "sent": stats.sent,
        "acked": stats.acked,
        "delivered_per_s": items / elapsed,
        "frames_per_s": frames / elapsed,
        "delivered_total": items + late_items,
        "expected_total": expected_per_viewer * len(viewers),
        "p50": percentile(lat, 0.50),
        "p99": percentile(lat, 0.99),
        "samples": len(lat),
        "errors": errors,
        "cpu": {k: v / elapsed for k, v in spent.items()},  # CPUs busy on average
    }


async def gift_burst(clients: list[Client], event_id: int, hot: bool, amount_fen: int) -> dict:
    """Every client taps one gift at the same instant; then the host's balance is checked
    against the accepted gifts."""
    before = await asyncio.to_thread(host_account, event_id, hot)
    run = uuid.uuid4().hex[:10]
    latencies: list[float] = []
    outcomes: dict[str, int] = {}

    async def one(i: int, c: Client) -> None:
        frame = {"type": "live.gift", "event": event_id, "amount_fen": amount_fen, "key": f"bench-{run}-{i}"}
        sent = time.monotonic()
        try:
            reply = await asyncio.wait_for(c.request(frame, "live.gifted"), 120)
            outcome = "ok" if reply["type"] == "live.gifted" else reply.get("code", "error")
        except (TimeoutError, ConnectionError):
            outcome = "no reply"
        if outcome == "ok":
            latencies.append((time.monotonic() - sent) * 1000)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    label = "hot account" if hot else "one plain row"
    start = time.monotonic()
    with tqdm(total=len(clients), desc=f"gifts: {label}", unit="gift", leave=False) as bar:

        async def counted(i: int, c: Client) -> None:
            await one(i, c)
            bar.update(1)

        await asyncio.gather(*(counted(i, c) for i, c in enumerate(clients)))
    elapsed = time.monotonic() - start
    after = await asyncio.to_thread(host_account, event_id)
    ok = outcomes.pop("ok", 0)
    lat = sorted(latencies)
    return {
        "label": label,
        "taps": len(clients),
        "ok": ok,
        "refused": outcomes,
        "per_s": ok / elapsed,
        "p50": percentile(lat, 0.50),
        "p99": percentile(lat, 0.99),
        "received_fen": after - before,
        "expected_fen": ok * amount_fen,
    }


def raise_fd_limit(need: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(need, soft)), hard))
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < need:
        raise SystemExit(f"needs {need} open files: raise `ulimit -n`")


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lifecircle_bench_danmaku"
        ),
    )
    parser.add_argument("--viewers", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=100)
    parser.add_argument(
        "--interval", type=float, default=2.1, help="seconds between one sender's danmaku (limit: 2)"
    )
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--baseline-duration", type=float, default=20.0)
    parser.add_argument("--drain", type=float, default=3.0, help="seconds to wait for late deliveries")
    parser.add_argument("--sample", type=int, default=50, help="one viewer in N measures latency")
    parser.add_argument("--pool", type=int, default=8, help="LIFECIRCLE_DB_POOL_MAX for both servers")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--gifters", type=int, default=1000, help="viewers who tap a gift at once (0: none)")
    parser.add_argument("--gift-fen", type=int, default=10, help="the gift's amount in fen")
    args = parser.parse_args()
    check_loopback(args.db)
    raise_fd_limit(args.viewers + args.senders + 1000)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    t_start = time.monotonic()
    print(
        f"preparing {args.db.rsplit('/', 1)[1]}: migrate, {args.viewers + args.senders + 1} users …",
        flush=True,
    )
    ensure_database(args.db)
    migrate(args.db)
    event_id, viewer_ids, sender_ids = seed(args.db, args.viewers, args.senders, args.gifters)
    viewer_tokens = [raw_token(i) for i in viewer_ids]
    sender_tokens = [raw_token(i) for i in sender_ids]

    modes = [("ours", "hub", args.duration)]
    if not args.skip_baseline:
        modes.append(("baseline", "group_send", args.baseline_duration))
    results = []
    load_before = os.getloadavg()
    for label, fanout, duration in modes:
        flush_redis()
        ports = [free_port(), free_port()]
        env = {
            "LIFECIRCLE_REDIS_URL": REDIS_URL,
            "LIFECIRCLE_REDIS_PREFIX": "benchdmk",
            "LIFECIRCLE_LIVE_FANOUT": fanout,
        }
        servers = [start_server(args.db, port, args.pool, env) for port in ports]
        try:
            run_args = argparse.Namespace(**{**vars(args), "duration": duration})
            results.append(
                asyncio.run(run_mode(label, event_id, viewer_tokens, sender_tokens, ports, servers, run_args))
            )
        finally:
            for s in servers:
                stop_server(s)
    load_after = os.getloadavg()

    print()
    print(
        f"LifeCircle danmaku benchmark — PostgreSQL + Redis on loopback, {os.cpu_count()} CPU(s), "
        "load average "
        f"before/after {load_before[0]:.1f}/{load_after[0]:.1f}; 2 uvicorn processes; one room; "
        f"{args.viewers} viewers + {args.senders} senders alternating between them; each sender one danmaku "
        f"every {args.interval:g} s (offered {args.senders / args.interval:.1f} danmaku/s)"
    )
    print(
        f"{'fan-out':9} {'held':>6} {'connect s':>9} {'KiB/conn':>8} {'sent':>6} {'delivered/s':>12} "
        f"{'frames/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'delivered':>10} {'of':>10}  "
        "CPUs busy: app / postgres / client / machine"
    )
    for r in results:
        cpu = r["cpu"]
        print(
            f"{r['label']:9} {r['held']:>6} {r['connect_s']:>9.1f} {r['rss_per_conn_kib']:>8.1f} "
            f"{r['sent']:>6} {r['delivered_per_s']:>12,.0f} {r['frames_per_s']:>9,.0f} "
            f"{r['p50']:>8.1f} {r['p99']:>8.1f} "
            f"{r['delivered_total']:>10,} {r['expected_total']:>10,}  "
            f"{cpu['app']:.2f} / {cpu['postgres']:.2f} / {cpu['client']:.2f} / {cpu['machine']:.2f}"
        )
        if r["errors"]:
            print(f"{'':9} errors: {r['errors']}")
    ours = results[0]
    print()
    print(f"viewers held in one room: {ours['held'] - args.senders:,} (goal {GOAL_VIEWERS:,})")
    print(f"logical danmaku delivered/s: {ours['delivered_per_s']:,.0f} (goal ≥ {GOAL_DELIVERED:,})")
    print(f"p99 send → receive: {ours['p99']:.0f} ms (goal ≤ {GOAL_P99_MS:.0f} ms), p50 {ours['p50']:.0f} ms")
    if len(results) > 1:
        base = results[1]
        ratio = ours["delivered_per_s"] / max(1e-9, base["delivered_per_s"])
        print(
            f"ratio ours ÷ baseline (delivered/s): {ratio:,.1f} (goal ≥ {GOAL_RATIO:g}); "
            f"baseline p99 {base['p99']:.0f} ms"
        )
    if ours["gifts"]:
        print()
        print(
            f"gifts: {args.gifters:,} viewers (half on each server) tap a {args.gift_fen}-fen gift "
            "at the same instant over their sockets, into the host's account"
        )
        print(
            f"{'host account':14} {'taps':>5} {'ok':>5} {'gifts/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'received fen':>12} {'expected':>9}  refused"
        )
        for g in ours["gifts"]:
            print(
                f"{g['label']:14} {g['taps']:>5} {g['ok']:>5} {g['per_s']:>8.1f} "
                f"{g['p50']:>8.1f} {g['p99']:>8.1f} {g['received_fen']:>12,} {g['expected_fen']:>9,}  "
                f"{g['refused'] or '-'}"
            )
        hot, plain = ours["gifts"]
        lost = sum(g["expected_fen"] - g["received_fen"] for g in ours["gifts"])
        print(
            f"hot ÷ plain row (gifts/s): {hot['per_s'] / max(1e-9, plain['per_s']):.2f}; "
            f"fen lost or made: {lost}; reconcile: {reconcile_summary()}"
        )
    print(f"total time {time.monotonic() - t_start:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
