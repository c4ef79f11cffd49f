"""Red-packet benchmark (``make bench-redpacket``): many grabbers on many packets at once.

Not a test. Loopback only, its own database (never the app's), bounded in time:

1. the ledger benchmark (``bench/ledger.py``, its own database ``lifecircle_bench``) runs
   first, in this same run, for its app transfers/s — phase (b), the transfer with the PIN —
   which is the denominator of the ratio (``--ledger auto`` reuses its last saved output,
   ``--ledger-rate N`` takes a figure);
2. set-up in this benchmark's database: ``--groups`` group chats of ``--members`` people each
   (API tokens; the senders with a PIN at the production argon2 cost and money);
3. (s) every group's first member sends ``--packets`` lucky red packets of ``--shares`` shares
   over HTTP (``POST /api/v1/redpackets``, PIN, fresh Idempotency-Key);
4. (g) every member of each group grabs each of its packets (``POST …/{id}/grab``, bearer
   token), ``--clients`` keep-alive connections through uvicorn (``--workers`` processes). The
   grabs are issued window by window: the grabs of ``--window`` packets shuffled together, so
   each packet is raced by several grabbers at once and many packets are in flight, on
   different pool shards;
5. checks against the database: no packet granted more than its shares, no one twice, shares
   plus what is left equal each packet, every 201 is a grab row; then ``reconcile``.

Steps 3–5 run twice: with the shipped settings (a new PostgreSQL connection per request) and,
as a VARIANT, with the connection pool of bench/settings_pooled.py — each compared with the ledger
benchmark's transfers under the same settings ((b), and its pooled variant (b*)).

Prints sends/s, grabs/s, p50/p99, CPU per grab, over-grabs (must be 0) and the ratio
grabs/s ÷ the ledger benchmark's app transfers/s (goal ≥ 2). Saves the output in
``data/bench/redpacket-last.txt``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

from common import (  # bench/common.py (on sys.path)
    cpu_seconds,
    free_port,
    reconcile_text,
    start_server,
    stop_server,
    top_up,
)
from ledger import PIN, Connection, django_setup, ensure_database, percentiles, pg_conninfo
from timeline import ledger_rate
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "data" / "bench"
LEDGER_LAST = OUT_DIR / "ledger-last.txt"
PREFIX = "rpb"


# --- set-up -----------------------------------------------------------------------------------
def prepare(groups: int, members: int, packets: int) -> dict:
    """Users (re-used across runs), fresh groups with their chats, tokens, PINs and money."""
    from django.core.management import call_command

    from lifecircle.accounts.models import ApiToken, PaymentPin, User
    from lifecircle.accounts.services.pin import _hasher
    from lifecircle.chat.models import Conversation
    from lifecircle.social.models import Group, GroupMembership
    from lifecircle.wallet.services import wallet_account_for

    call_command("migrate", verbosity=0)
    wanted = [f"{PREFIX}_{g:03d}_{m:02d}" for g in range(groups) for m in range(members)]
    have = set(User.objects.filter(username__startswith=f"{PREFIX}_").values_list("username", flat=True))
    new = [User(username=name, nickname=name) for name in wanted if name not in have]
    for u in new:
        u.set_unusable_password()
    User.objects.bulk_create(new, batch_size=500)
    users = {u.username: u for u in User.objects.filter(username__in=wanted)}
    senders = [users[f"{PREFIX}_{g:03d}_00"] for g in range(groups)]

    run = uuid.uuid4().hex[:6]
    chats = []
    for g in range(groups):
        people = [users[f"{PREFIX}_{g:03d}_{m:02d}"] for m in range(members)]
        group = Group.objects.create(name=f"bench {run} {g}", owner=people[0], member_count=members)
        GroupMembership.objects.bulk_create([GroupMembership(group=group, user=u) for u in people])
        conv = Conversation.objects.create(kind=Conversation.Kind.GROUP, group=group)
        chats.append(
            {"conversation": conv.pk, "sender": people[0].username, "members": [u.username for u in people]}
        )

    pin_hash = _hasher().hash(PIN)  # the production argon2 cost, as real senders have
    PaymentPin.objects.filter(user__in=senders).delete()
    PaymentPin.objects.bulk_create([PaymentPin(user=u, pin_hash=pin_hash) for u in senders])
    ApiToken.objects.filter(user__in=users.values(), name="bench-redpacket").delete()
    tokens, rows = {}, []
    for u in users.values():
        raw = f"lc_rpbn{u.pk % 10000:04d}_{uuid.uuid4().hex}"
        tokens[u.username] = raw
        rows.append(
            ApiToken(
                user=u,
                name="bench-redpacket",
                prefix=raw[3:11],
                token_hash=hashlib.sha256(raw.encode()).hexdigest(),
            )
        )
    ApiToken.objects.bulk_create(rows, batch_size=500)
    for u in users.values():
        wallet_account_for(u)
    top_up(senders, packets * 200_00)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {"chats": chats, "tokens": tokens, "run": run}


def start_quiet(url: str, port: int, workers: int, pooled: bool = False):
    """bench/ledger.py's uvicorn, its log (a line per refused grab) in a file, not on the
    progress bar's terminal."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    saved = os.dup(2)
    with open(OUT_DIR / "redpacket-server.log", "w") as log:
        os.dup2(log.fileno(), 2)
        try:
            # the ledger benchmark's settings for its pooled variant (b*): the same pool
            return start_server(
                url, port, workers, settings_module="settings_pooled" if pooled else "config.settings"
            )
        finally:
            os.dup2(saved, 2)
            os.close(saved)


# --- load -------------------------------------------------------------------------------------
async def run_requests(port: int, clients: int, requests: list, desc: str, deadline_s: float) -> dict:
    """``requests``: (method, path, token, body, tag) issued in order by ``clients``
    keep-alive connections until done or ``deadline_s`` passes."""
    latencies: list[float] = []
    all_latencies: list[float] = []
    errors: dict[str, int] = {}
    results: list[tuple] = []
    queue = iter(requests)
    deadline = time.monotonic() + deadline_s
    bar = tqdm(total=len(requests), desc=desc, unit="req", leave=False)

    async def client():
        conn = Connection(port)
        await conn.open()
        while time.monotonic() < deadline:
            item = next(queue, None)
            if item is None:
                break
            method, path, token, body, tag = item
            headers = {"Authorization": f"Bearer {token}"}
            if method == "POST" and path == "/api/v1/redpackets":
                headers["Idempotency-Key"] = uuid.uuid4().hex
            t0 = time.perf_counter()
            status, data = await conn.request(
                method, path, headers, json.dumps(body).encode() if body else b""
            )
            elapsed = time.perf_counter() - t0
            all_latencies.append(elapsed)
            payload = json.loads(data or b"{}")
            if status == 201:
                latencies.append(elapsed)
                results.append((tag, payload))
            else:
                code = f"{status} {payload.get('code', '')}"
                errors[code] = errors.get(code, 0) + 1
            bar.update(1)
            bar.set_postfix(ok=len(latencies), refused=sum(errors.values()))
        conn.writer.close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall = time.monotonic() - started
    bar.close()
    return {
        "ok": len(latencies),
        "issued": len(all_latencies),
        "rate": len(latencies) / wall,
        "issued_rate": len(all_latencies) / wall,
        "wall": wall,
        "errors": errors,
        "results": results,
        **percentiles(latencies),
        "all": percentiles(all_latencies),
    }


def measured(port: int, server, clients: int, requests: list, desc: str, deadline_s: float) -> dict:
    before = cpu_seconds(server.pid)
    r = asyncio.run(run_requests(port, clients, requests, desc, deadline_s))
    after = cpu_seconds(server.pid)
    r["cpu_ms"] = {k: (after[k] - before[k]) / max(1, r["ok"]) * 1000 for k in after}
    return r


def grab_plan(chats: list[dict], packets: list[tuple[int, int]], tokens: dict, window: int, rng) -> list:
    """For each window of packets, every member's grab of each, shuffled together."""
    members = {c["conversation"]: c["members"] for c in chats}
    rng.shuffle(packets)
    plan = []
    for i in range(0, len(packets), window):
        batch = []
        for packet_id, conv in packets[i : i + window]:
            for name in members[conv]:
                batch.append(
                    ("POST", f"/api/v1/redpackets/{packet_id}/grab", tokens[name], None, (packet_id, name))
                )
        rng.shuffle(batch)
        plan += batch
    return plan


# --- checks -----------------------------------------------------------------------------------
def check_database(packet_ids: list[int], ok_grabs: list[tuple]) -> dict:
    from django.db import connection

    from lifecircle.wallet.services.reconcile import ledger_reconcile

    with connection.cursor() as cur:
        cur.execute(
            """SELECT p.id, p.share_count, p.total_fen, p.remaining_fen, p.remaining_count,
                      count(g.id), coalesce(sum(g.amount_fen), 0), count(DISTINCT g.user_id),
                      coalesce(min(g.amount_fen), 1)
               FROM redpackets_redpacket p LEFT JOIN redpackets_redpacketgrab g ON g.packet_id = p.id
               WHERE p.id = ANY(%s) GROUP BY p.id""",
            [packet_ids],
        )
        rows = cur.fetchall()
    over = twice = sum_bad = below_fen = 0
    grabs_in_db = 0
    for _id, shares, total, rem_fen, rem_count, n, amount, people, smallest in rows:
        grabs_in_db += n
        over += max(0, n - shares)
        twice += n - people
        sum_bad += int(
            amount + rem_fen != total or rem_count != shares - n or (rem_count == 0 and amount != total)
        )
        below_fen += int(smallest < 1)
    report = ledger_reconcile()
    return {
        "packets": len(rows),
        "grabs_in_db": grabs_in_db,
        "over_grabs": over,
        "twice": twice,
        "sum_mismatches": sum_bad,
        "below_a_fen": below_fen,
        "ok_responses": len(ok_grabs),
        "reconcile": report,
    }


# --- main -------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lifecircle_bench_redpacket"
        ),
    )
    parser.add_argument(
        "--ledger-db",
        default=os.environ.get(
            "BENCH_LEDGER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lifecircle_bench"
        ),
    )
    parser.add_argument("--ledger", choices=["run", "auto", "skip"], default="run")
    parser.add_argument("--ledger-rate", type=float, help="the ledger's app transfers/s, if known")
    parser.add_argument("--ledger-duration", type=int, default=10, help="seconds per ledger phase")
    parser.add_argument("--groups", type=int, default=40)
    parser.add_argument("--members", type=int, default=12)
    parser.add_argument("--packets", type=int, default=6, help="packets per group")
    parser.add_argument("--shares", type=int, default=10)
    parser.add_argument("--window", type=int, default=16, help="packets grabbed together")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--pool",
        type=int,
        default=8,
        help="VARIANT pass with LIFECIRCLE_DB_POOL_MAX=N, against the ledger's (b*)",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--duration", type=float, default=60, help="at most this many seconds per phase")
    args = parser.parse_args()
    pg_conninfo(args.db)  # refuses anything but loopback
    pg_conninfo(args.ledger_db)
    if args.db.rsplit("/", 1)[1] == args.ledger_db.rsplit("/", 1)[1]:
        raise SystemExit("use a database of its own for the red-packet benchmark")
    if args.shares > args.members:
        raise SystemExit("--shares must be at most --members (a packet has at most one share per member)")
    t_start = time.monotonic()
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    figures, source = (
        ({}, "skipped")
        if args.ledger == "skip"
        else ledger_rate(args.ledger, args.ledger_rate, args.ledger_db, args.ledger_duration)
    )
    with_pin, no_pin = figures.get("b"), figures.get("b'")

    ensure_database(args.db)
    django_setup(args.db)
    print(
        f"setting up {args.groups} group chats of {args.members} in {args.db.rsplit('/', 1)[1]} …", flush=True
    )
    data = prepare(args.groups, args.members, args.packets * (2 if args.pool else 1))  # money for each pass
    from django.db import connections

    connections.close_all()
    rng = random.Random(8)
    tokens = data["tokens"]
    sends = []
    for _round in range(args.packets):
        for chat in data["chats"]:
            body = {
                "conversation_id": chat["conversation"],
                "kind": "lucky",
                "total_fen": rng.randint(args.shares, 200_00),
                "share_count": args.shares,
                "greeting": "bench",
                "pin": PIN,
            }
            sends.append(("POST", "/api/v1/redpackets", tokens[chat["sender"]], body, chat["conversation"]))

    load_before = os.getloadavg()
    passes = [("shipped", False)] + ([("pooled", True)] if args.pool else [])
    runs = {}
    for label, pooled_pass in passes:
        port = free_port()
        server = start_quiet(args.db, port, args.workers, pooled_pass)
        try:
            warm = [("GET", "/api/v1/wallet", tokens[c["sender"]], None, None) for c in data["chats"]]
            asyncio.run(run_requests(port, args.clients, warm, "warm-up", 10))
            send_r = measured(port, server, args.clients, sends, f"[{label}] (s) send + PIN", args.duration)
            packets = [(p["id"], conv) for conv, p in send_r["results"]]
            plan = grab_plan(data["chats"], list(packets), tokens, args.window, rng)
            grab_r = measured(port, server, args.clients, plan, f"[{label}] (g) grab", args.duration)
        finally:
            stop_server(server)
        connections.close_all()
        runs[label] = (send_r, grab_r, packets, check_database([p for p, _c in packets], grab_r["results"]))
    load_after = os.getloadavg()
    say()
    say(
        f"LifeCircle red-packet benchmark — PostgreSQL on loopback, {os.cpu_count()} CPU(s), "
        f"uvicorn --workers {args.workers}, {args.clients} keep-alive clients; "
        f"load average before/after {load_before[0]:.1f}/{load_after[0]:.1f}"
    )
    say(
        f"{args.groups} group chats × {args.members} members; {args.packets} lucky packets of "
        f"{args.shares} shares per group; grabs issued {args.window} packets at a time "
        "(every member grabs every packet of the group)"
    )
    say(
        f"{'phase':38} {'issued':>7} {'ok':>6} {'refused':>8} {'ok/s':>8} {'p50 ms':>7} {'p99 ms':>7}"
        "  CPU ms per ok"
    )
    over = bad_count = 0
    reports_ok = True
    for label, (send_r, grab_r, _packets, checks) in runs.items():
        for name, r in ((f"[{label}] (s) send, with PIN", send_r), (f"[{label}] (g) grab", grab_r)):
            cpu = r["cpu_ms"]
            say(
                f"{name:38} {r['issued']:>7} {r['ok']:>6} {sum(r['errors'].values()):>8} {r['rate']:>8.1f} "
                f"{r['p50']:>7.1f} {r['p99']:>7.1f}  app {cpu['app']:.1f} / postgres {cpu['postgres']:.1f}"
            )
            if r["errors"]:
                say(f"{'':38} refusals: {r['errors']}")
        report = checks["reconcile"]
        reports_ok = reports_ok and report.ok
        say(
            f"[{label}] database check: {checks['packets']} packets, {checks['grabs_in_db']} grab rows for "
            f"{checks['ok_responses']} 201 responses; over-grabs {checks['over_grabs']}, "
            f"same person twice {checks['twice']}, sum mismatches {checks['sum_mismatches']}, "
            f"shares below 1 fen {checks['below_a_fen']}; reconcile {reconcile_text(report)}"
        )
        over += checks["over_grabs"] + checks["twice"] + checks["sum_mismatches"] + checks["below_a_fen"]
        bad_count += checks["grabs_in_db"] != checks["ok_responses"]
    say()
    say(f"ledger benchmark [{source}]:")
    if with_pin:
        counts = (
            f" ({with_pin['ok']} ok, {with_pin['errors']} errors)" if with_pin.get("ok") is not None else ""
        )
        say(f"  (b) app transfer with PIN: {with_pin['rate']:.1f}/s{counts}")
    if no_pin:
        say(f"  (b') variant, no PIN:      {no_pin['rate']:.1f}/s")
    pooled = figures.get("b*")
    if pooled:
        say(f"  (b*) pooled transfer with PIN: {pooled['rate']:.1f}/s")
    pairs = [("shipped", with_pin)] + ([("pooled", pooled)] if args.pool else [])
    for label, ledger in pairs:
        if label not in runs or not ledger or ledger.get("ok") == 0:
            say(f"[{label}] ratio grabs/s ÷ ledger transfers/s: no ledger figure with the same settings")
            continue
        grab_rate = runs[label][1]["rate"]
        ratio = grab_rate / ledger["rate"]
        say(
            f"[{label}] grabs/s ÷ ledger app transfers/s = {grab_rate:.1f} ÷ {ledger['rate']:.1f} "
            f"= {ratio:.2f}   (goal ≥ 2: {'met' if ratio >= 2 else 'NOT met'})"
        )
    say(f"over-grabs: {over} (goal 0: {'met' if not over and not bad_count else 'NOT met'})")
    say(f"total time {time.monotonic() - t_start:.0f}s")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "redpacket-last.txt").write_text("\n".join(lines) + "\n")
    return 0 if reports_ok and not over and not bad_count else 1


if __name__ == "__main__":
    sys.exit(main())
