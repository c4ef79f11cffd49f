"""Home-timeline benchmark (``make bench-timeline``): GET /api/v1/feed through uvicorn.

Not a test. Loopback only, its own database (never the app's), bounded in time:

1. seed (once; later runs reuse it): 10,000 users, ~200 friends each (two friendship rows per
   pair, as the app stores them), 1,000,000 posts over the last 180 days (mostly ``friends``,
   some ``public``/``private``/``include``/``exclude`` with their audience rows), a few
   how-far-back settings, mutes and blocks, and API tokens for the sampled viewers — all
   set-based SQL (INSERT … SELECT generate_series), then ANALYZE;
2. start uvicorn (``--workers``) on 127.0.0.1 as a subprocess, walk ``--deep-page`` pages by
   following ``next_cursor`` for each sampled viewer to get their deep cursors;
3. closed loop: ``--clients`` concurrent keep-alive clients, each request a random sampled
   viewer's FIRST page, then their DEEP page — reads/s (the capacity) and p50/p99;
4. one client at a time (the latency floor), then an open loop at a fixed arrival rate
   (3 × the ledger benchmark's transfers/s if known, else half the measured capacity, or
   ``--rate``): p50/p99 at that load, i.e. "can we serve 3 × the transfers at p99 ≤ 50 ms";
   then the closed loop again as a VARIANT with ``LIFECIRCLE_DB_POOL_MAX=16`` (a psycopg pool
   per worker instead of a new PostgreSQL connection per request);
5. the ratio timeline reads/s ÷ ledger transfers/s. The ledger figure comes from running
   ``bench/ledger.py`` (``--ledger run``), from its output saved by an earlier run
   (``data/bench/ledger-last.txt``), or from ``--ledger-rate``.

Prints everything; also saves the output in ``data/bench/timeline-last.txt``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from common import (  # bench/common.py (this folder is on sys.path)
    HOST,
    cpu_seconds,
    free_port,
    start_server,
    stop_server,
)
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT_DIR = ROOT / "data" / "bench"
LEDGER_LAST = OUT_DIR / "ledger-last.txt"
SEED_VERSION = "timeline-seed-v1"


# --- database ---------------------------------------------------------------------------------
def check_loopback(url: str) -> None:
    host = re.sub(r"^[a-z]+://(?:[^@/]*@)?", "", url).split("/", 1)[0].rsplit(":", 1)[0]
    if host not in ("127.0.0.1", "localhost", "[::1]", "::1"):
        raise SystemExit(f"refusing a non-loopback database host: {host!r}")


def admin_connect(url: str):
    import psycopg

    return psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True)


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1].split("?")[0]
    with admin_connect(url) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1].split("?")[0]
    with admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(url: str) -> None:
    env = {**os.environ, "LIFECIRCLE_DATABASE_URL": url, "LIFECIRCLE_LOG_LEVEL": "WARNING"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )


def seed_marker(url: str) -> dict | None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)")
        row = conn.execute("SELECT value FROM bench_meta WHERE key = %s", [SEED_VERSION]).fetchone()
        return json.loads(row[0]) if row else None


def seed(url: str, *, users: int, friends: int, posts: int, rng: random.Random) -> None:
    """Everything in set-based SQL, in chunks so the progress bar moves. Foreign-key triggers
    are skipped (``session_replication_role = replica``): the rows are consistent by
    construction, and 2,000,000 deferred FK checks would dominate the seeding time."""
    import psycopg

    half = friends // 2
    # Each user n is friends with n ± o (mod users) for ``half`` distinct offsets o < users/2,
    # so everyone has exactly ``friends`` friends and friendships are spread over the whole id
    # range (not a local ring only).
    offsets = sorted(rng.sample(range(1, users // 2), half))
    steps = 8 + 20 + 2
    bar = tqdm(total=steps, desc="seed", unit="step")
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET synchronous_commit = off")
        conn.execute(
            """INSERT INTO accounts_user (password, is_superuser, first_name, last_name, email, is_staff,
                   is_active, date_joined, username, nickname, language, avatar, avatar_thumb)
               SELECT '!', false, '', '', '', false, true, now() - interval '400 days', 'tl' || g,
                      'Timeline ' || g, '', '', ''
               FROM generate_series(0, %s - 1) g""",
            [users],
        )
        conn.execute(
            "CREATE TEMP TABLE u AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id"
            " FROM accounts_user WHERE username LIKE 'tl%'"
        )
        conn.execute("CREATE UNIQUE INDEX ON u (n)")
        conn.execute(
            "CREATE TEMP TABLE o AS SELECT * FROM unnest(%s::int[]) WITH ORDINALITY AS t(off, k)", [offsets]
        )
        conn.commit()
        bar.update(1)
        # Friendships, both directions, in 8 chunks of the offsets.
        chunks = [offsets[i::7] for i in range(7)]
        for chunk in chunks:
            conn.execute(
                """INSERT INTO social_friendship (remark, created_at, user_id, friend_id)
                   SELECT '', now() - interval '300 days', a.id, b.id
                   FROM u a CROSS JOIN unnest(%s::int[]) AS off
                   JOIN u b ON b.n = (a.n + off) %% %s
                   UNION ALL
                   SELECT '', now() - interval '300 days', b.id, a.id
                   FROM u a CROSS JOIN unnest(%s::int[]) AS off
                   JOIN u b ON b.n = (a.n + off) %% %s""",
                [chunk, users, chunk, users],
            )
            conn.commit()
            bar.update(1)
        # How-far-back: 10 % six months, 5 % thirty days, 2 % three days; the rest "all".
        conn.execute(
            """INSERT INTO social_privacysettings
                   (user_id, findable_by_mobile, findable_by_username, post_history)
               SELECT id, true, true, CASE WHEN n % 100 < 10 THEN '6m' WHEN n % 100 < 15 THEN '30d'
                                           WHEN n % 100 < 17 THEN '3d' ELSE 'all' END
               FROM u WHERE n % 100 < 20"""
        )
        # A few mutes and hide-mine filters among friends, and blocks between non-friends.
        conn.execute(
            """INSERT INTO social_postfilter (kind, owner_id, other_id)
               SELECT CASE WHEN a.n %% 2 = 0 THEN 'mute' ELSE 'hide_mine' END, a.id, b.id
               FROM u a JOIN u b ON b.n = (a.n + %s) %% %s WHERE a.n %% 10 IN (3, 4)""",
            [offsets[0], users],
        )
        conn.execute(
            """INSERT INTO social_block (created_at, blocker_id, blocked_id)
               SELECT now(), a.id, b.id FROM u a JOIN u b ON b.n = (a.n + 1) %% %s
               WHERE a.n %% 20 = 7 AND NOT (1 = ANY(%s::int[]))""",
            [users, offsets],
        )
        conn.commit()
        # Posts: random authors, created over the last 180 days; 85 % friends, 7 % public,
        # 4 % private, 2 % include, 2 % exclude.
        per = posts // 20
        for i in range(20):
            conn.execute(
                """INSERT INTO feed_post (text, audience, tips_enabled, created_at, author_id)
                   SELECT 'post ' || g || ': ' || repeat('life ', 1 + (g %% 30)),
                          CASE WHEN r < 0.85 THEN 'friends' WHEN r < 0.92 THEN 'public'
                               WHEN r < 0.96 THEN 'private' WHEN r < 0.98 THEN 'include' ELSE 'exclude' END,
                          true, now() - random() * interval '180 days', u.id
                   FROM (SELECT g, random() AS r, floor(random() * %s)::int AS an
                         FROM generate_series(%s, %s) g) s JOIN u ON u.n = s.an""",
                [users, i * per, (i + 1) * per - 1],
            )
            conn.commit()
            bar.update(1)
        # Audience rows for include/exclude posts: three of the author's friends each.
        conn.execute(
            """INSERT INTO feed_postaudiencemember (post_id, user_id)
               SELECT DISTINCT p.id, b.id
               FROM feed_post p JOIN u a ON a.id = p.author_id
               CROSS JOIN LATERAL (SELECT off FROM o WHERE o.k IN (1 + (p.id %% %s), 1 + ((p.id * 7) %% %s),
                                                               1 + ((p.id * 13) %% %s))) s
               JOIN u b ON b.n = (a.n + s.off) %% %s
               WHERE p.audience IN ('include', 'exclude')""",
            [half, half, half, users],
        )
        conn.commit()
        bar.update(1)
        conn.execute("SET session_replication_role = origin")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        meta = {"users": users, "friends": friends, "posts": posts}
        conn.execute("INSERT INTO bench_meta VALUES (%s, %s)", [SEED_VERSION, json.dumps(meta)])
    bar.update(1)
    bar.close()


def raw_token(user_id: int) -> str:
    # Deterministic, so re-runs reuse the rows; only in this benchmark database.
    return f"lc_b{user_id:07d}_bench-timeline-{hashlib.sha256(f'tl{user_id}'.encode()).hexdigest()[:32]}"


def viewers_with_tokens(url: str, count: int, rng: random.Random) -> list[tuple[int, str]]:
    """``count`` viewers with API tokens (rows as ``api_token_create`` writes them:
    token_hash = sha256(raw))."""
    import psycopg

    with psycopg.connect(url) as conn:
        ids = [
            r[0] for r in conn.execute("SELECT id FROM accounts_user WHERE username LIKE 'tl%' ORDER BY id")
        ]
        chosen = sorted(rng.sample(ids, count))
        with conn.cursor() as cur:
            cur.executemany(
                """INSERT INTO accounts_apitoken (name, prefix, token_hash, created_at, user_id)
                   VALUES ('bench', %s, %s, now(), %s) ON CONFLICT (token_hash) DO NOTHING""",
                [
                    (raw_token(i).split("_")[1], hashlib.sha256(raw_token(i).encode()).hexdigest(), i)
                    for i in chosen
                ],
            )
        conn.commit()
    return [(i, raw_token(i)) for i in chosen]


def explain_timeline(url: str, viewer_id: int, cursor: str | None) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the posts query ``feed.selectors.timeline`` issues (the
    one that isn't a small lookup), captured from the app's own code."""
    os.environ["LIFECIRCLE_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lifecircle.accounts.models import User
    from lifecircle.feed import selectors

    viewer = User.objects.get(pk=viewer_id)
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        selectors.timeline(viewer=viewer, cursor=cursor)
        elapsed = (time.perf_counter() - t0) * 1000
    posts_sql = [q["sql"] for q in ctx.captured_queries if "feed_post" in q["sql"]]
    out = [f"timeline() in-process: {elapsed:.1f} ms, {len(ctx.captured_queries)} queries"]
    with connection.cursor() as cur:
        for sql in posts_sql[:2]:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
            out += [r[0] for r in cur.fetchall()]
    connection.close()
    return "\n".join(out)


# --- the app through uvicorn ------------------------------------------------------------------


class Connection:
    """A minimal HTTP/1.1 keep-alive GET client, cheap enough not to steal the server's CPU."""

    def __init__(self, port: int):
        self.port = port

    async def open(self) -> Connection:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        return self

    async def get(self, path: str, token: str) -> tuple[int, bytes]:
        head = f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {token}\r\n\r\n"
        self.writer.write(head.encode())
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("closed by the server")  # e.g. uvicorn's keep-alive timeout
        status = int(status_line.split()[1])
        length, chunked = 0, False
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
            return status, data
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


def feed_path(cursor: str | None) -> str:
    return "/api/v1/feed" + (f"?cursor={quote(cursor)}" if cursor else "")


async def deep_cursors(port: int, viewers: list[tuple[int, str]], page: int, clients: int) -> dict[int, str]:
    """Follow ``next_cursor`` ``page - 1`` times for each viewer: the cursor of their deep page."""
    bar = tqdm(total=len(viewers) * (page - 1), desc=f"walk to page {page}", unit="page")
    result: dict[int, str] = {}
    queue = list(viewers)

    async def walker():
        conn = await Connection(port).open()
        while queue:
            uid, token = queue.pop()
            cursor = None
            for _ in range(page - 1):
                status, body = await conn.get(feed_path(cursor), token)
                if status != 200:
                    raise SystemExit(f"GET /api/v1/feed → {status}: {body[:300]!r}")
                cursor = json.loads(body)["next_cursor"]
                bar.update(1)
                if cursor is None:
                    break
            if cursor:
                result[uid] = cursor
        conn.close()

    await asyncio.gather(*(walker() for _ in range(clients)))
    bar.close()
    return result


def percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return float("nan")
    return sorted_ms[min(len(sorted_ms) - 1, int(q * len(sorted_ms)))]


async def closed_loop(
    port: int, targets: list[tuple[str, str]], clients: int, duration: float, desc: str
) -> dict:
    """``clients`` connections, each sending its next request as soon as the last answered."""
    latencies: list[float] = []
    errors: dict[int, int] = {}
    stop = time.monotonic() + duration
    bar = tqdm(total=int(duration), desc=desc, unit="s", leave=False)
    rng = random.Random(1)

    async def client():
        conn = await Connection(port).open()
        while time.monotonic() < stop:
            path, token = rng.choice(targets)
            t0 = time.perf_counter()
            status, _ = await conn.get(path, token)
            if status == 200:
                latencies.append((time.perf_counter() - t0) * 1000)
            else:
                errors[status] = errors.get(status, 0) + 1
        conn.close()

    async def ticker():
        while time.monotonic() < stop:
            await asyncio.sleep(1)
            bar.update(1)

    t0 = time.monotonic()
    await asyncio.gather(ticker(), *(client() for _ in range(clients)))
    elapsed = time.monotonic() - t0
    bar.close()
    latencies.sort()
    return {
        "desc": desc,
        "mode": f"{clients} clients",
        "ok": len(latencies),
        "errors": errors,
        "rate": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.50),
        "p99": percentile(latencies, 0.99),
    }


async def open_loop(
    port: int, targets: list[tuple[str, str]], rate: float, duration: float, desc: str
) -> dict:
    """Requests arrive at ``rate``/s (Poisson), whatever the server's speed; latency counts from
    the intended send time, so queueing shows up (no coordinated omission).
    Keep-alive connections are opened on demand and reused."""
    latencies: list[float] = []
    errors: dict[int, int] = {}
    idle: list[Connection] = []
    rng = random.Random(2)
    tasks = []

    async def one(intended: float, path: str, token: str):
        conn = idle.pop() if idle else await Connection(port).open()
        try:
            status, _ = await conn.get(path, token)
        except (ConnectionResetError, asyncio.IncompleteReadError):
            conn.close()  # an idle keep-alive connection the server closed: one retry on a new one
            conn = await Connection(port).open()
            status, _ = await conn.get(path, token)
        if status == 200:
            latencies.append((time.perf_counter() - intended) * 1000)
        else:
            errors[status] = errors.get(status, 0) + 1
        idle.append(conn)

    start = time.perf_counter()
    t = start
    bar = tqdm(total=int(duration), desc=desc, unit="s", leave=False)
    shown = 0
    while t - start < duration:
        t += rng.expovariate(rate)
        delay = t - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        path, token = rng.choice(targets)
        tasks.append(asyncio.create_task(one(t, path, token)))
        if int(t - start) > shown:
            shown = int(t - start)
            bar.update(1)
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    bar.close()
    for conn in idle:
        conn.close()
    latencies.sort()
    return {
        "desc": desc,
        "mode": f"open {rate:.0f}/s",
        "ok": len(latencies),
        "errors": errors,
        "rate": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.50),
        "p99": percentile(latencies, 0.99),
    }


# --- the ledger figure ------------------------------------------------------------------------
LEDGER_LINE = re.compile(
    r"^\((b|b'|b\*|b'\*)\) (?:app|VARIANT)[^\n]*?\s(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+(\S+)\s+(\S+)\s*$",
    re.M,
)


def ledger_figures(text: str) -> dict[str, dict]:
    """{"b": {"rate", "ok", "errors"}, "b'": …} from bench/ledger.py's printed table: (b) is the
    app's transfer with PIN (the ledger's headline transfers/s), (b') its no-PIN variant, (b*)
    and (b'*) the same with the connection pool."""
    return {
        m.group(1): {"rate": float(m.group(5)), "ok": int(m.group(3)), "errors": int(m.group(4))}
        for m in LEDGER_LINE.finditer(text)
    }


def ledger_rate(
    mode: str, given: float | None, ledger_db: str | None = None, duration: int | None = None
) -> tuple[dict[str, dict], str]:
    """The ledger benchmark's figures: ``given``, or measured now by running bench/ledger.py
    (``mode == "run"``, on ``ledger_db`` if named), else its last saved output."""
    if given:
        return {"b": {"rate": given, "ok": None, "errors": None}}, "given with --ledger-rate"
    if mode == "run" and (ROOT / "bench" / "ledger.py").exists():
        print("running bench/ledger.py (make bench-ledger) for the transfers/s figure …", flush=True)
        t0 = time.monotonic()
        cmd = [sys.executable, str(ROOT / "bench" / "ledger.py")]
        env = dict(os.environ)
        if ledger_db:
            cmd += ["--db", ledger_db]
            env["BENCH_DATABASE_URL"] = ledger_db
        if duration:
            cmd += ["--duration", str(duration)]
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)  # noqa: S603
        figures = ledger_figures(proc.stdout)
        if figures:
            OUT_DIR.mkdir(parents=True, exist_ok=True)
            LEDGER_LAST.write_text(proc.stdout)
            return figures, f"measured in this run by bench/ledger.py in {time.monotonic() - t0:.0f}s"
        print(f"bench/ledger.py gave no transfers/s figure (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    if mode in ("auto", "run") and LEDGER_LAST.exists():
        figures = ledger_figures(LEDGER_LAST.read_text())
        if figures:
            when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(LEDGER_LAST.stat().st_mtime))
            return figures, f"from {LEDGER_LAST.relative_to(ROOT)}, saved {when}"
    return {}, "no ledger figure"


# --- CPU accounting ---------------------------------------------------------------------------
def measured(phase, server: subprocess.Popen) -> dict:
    before = cpu_seconds(server.pid)
    result = asyncio.run(phase)
    after = cpu_seconds(server.pid)
    spent = {k: after[k] - before[k] for k in before}
    spent["other"] = max(0.0, spent.pop("machine") - spent["app"] - spent["postgres"] - spent["client"])
    result["cpu_ms"] = {k: 1000 * v / max(1, result["ok"]) for k, v in spent.items()}
    return result


# --- main -------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db",
        default=os.environ.get(
            "BENCH_TIMELINE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lifecircle_bench_timeline"
        ),
    )
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--friends", type=int, default=200)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--reseed", action="store_true", help="drop the benchmark database and seed again")
    parser.add_argument("--viewers", type=int, default=200, help="sampled viewers (with API tokens)")
    parser.add_argument("--deep-page", type=int, default=50)
    parser.add_argument("--deep-viewers", type=int, default=24, help="viewers whose deep cursor is walked to")
    parser.add_argument("--duration", type=float, default=15, help="seconds per load phase")
    parser.add_argument("--clients", type=int, default=32, help="closed-loop concurrent clients")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="uvicorn worker processes")
    parser.add_argument(
        "--rate",
        type=float,
        help="open-loop arrival rate (default 3 × ledger transfers/s, else half capacity)",
    )
    parser.add_argument(
        "--ledger",
        choices=["run", "auto", "skip"],
        default="run",
        help="run bench/ledger.py (default), or (auto) read its last saved output, or skip",
    )
    parser.add_argument("--ledger-rate", type=float, help="the ledger's transfers/s, if known")
    parser.add_argument("--no-pooled", action="store_true", help="skip the pooled-connection VARIANT")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the timeline query")
    args = parser.parse_args()
    check_loopback(args.db)
    t_start = time.monotonic()
    rng = random.Random(42)
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    if args.reseed:
        drop_database(args.db)
    ensure_database(args.db)
    migrate(args.db)
    meta = seed_marker(args.db)
    wanted = {"users": args.users, "friends": args.friends, "posts": args.posts}
    if meta == wanted:
        say(f"reusing the seeded database {args.db.rsplit('/', 1)[1]} ({meta})")
    else:
        if meta is not None or _has_rows(args.db):
            print(f"seeded with {meta}, want {wanted}: reseeding", flush=True)
            drop_database(args.db)
            ensure_database(args.db)
            migrate(args.db)
            seed_marker(args.db)
        t0 = time.monotonic()
        seed(args.db, users=args.users, friends=args.friends, posts=args.posts, rng=rng)
        say(f"seeded {wanted} in {time.monotonic() - t0:.0f}s")
    viewers = viewers_with_tokens(args.db, args.viewers, rng)

    figures, source = ({}, "skipped") if args.ledger == "skip" else ledger_rate(args.ledger, args.ledger_rate)
    with_pin, no_pin = figures.get("b"), figures.get("b'")
    ledger = with_pin["rate"] if with_pin and with_pin["ok"] != 0 else None

    if args.explain:
        say(explain_timeline(args.db, viewers[0][0], None))

    try:
        import psycopg_pool  # noqa: F401

        pooled = not args.no_pooled
    except ImportError:
        pooled = False
    port = free_port()
    results: list[dict] = []
    load_before = os.getloadavg()
    deep: dict[int, str] = {}
    for pool_max in [0, *([16] if pooled else [])]:
        tag = " *pooled" if pool_max else ""
        server = start_server(args.db, port, args.workers, pool_max=pool_max)
        try:
            if not deep:
                deep = asyncio.run(deep_cursors(port, viewers[: args.deep_viewers], args.deep_page, 8))
            first_targets = [(feed_path(None), token) for _, token in viewers]
            tokens = dict(viewers)
            deep_targets = [(feed_path(c), tokens[uid]) for uid, c in deep.items()]
            asyncio.run(closed_loop(port, first_targets, args.clients, 3, "warm-up"))
            for targets, desc in ((first_targets, "first page"), (deep_targets, f"page {args.deep_page}")):
                phase = closed_loop(port, targets, args.clients, args.duration, desc + tag)
                results.append(measured(phase, server))
            if not pool_max:
                for targets, desc in (
                    (first_targets, "first page"),
                    (deep_targets, f"page {args.deep_page}"),
                ):
                    phase = closed_loop(port, targets, 1, args.duration, desc)
                    results.append({**measured(phase, server), "why": "unloaded"})
                rate = args.rate or (3 * ledger if ledger else 0.5 * results[0]["rate"])
                why = "--rate" if args.rate else ("3 × ledger" if ledger else "½ capacity")
                for targets, desc in (
                    (first_targets, "first page"),
                    (deep_targets, f"page {args.deep_page}"),
                ):
                    phase = open_loop(port, targets, rate, args.duration, desc)
                    results.append({**measured(phase, server), "why": why})
        finally:
            stop_server(server)
    load_after = os.getloadavg()

    say()
    say(
        f"LifeCircle timeline benchmark — PostgreSQL on loopback, {os.cpu_count()} CPU(s), "
        f"uvicorn --workers {args.workers}, {args.duration:.0f}s per phase; "
        f"load average before/after {load_before[0]:.1f}/{load_after[0]:.1f}"
    )
    say(
        f"data: {args.users:,} users × {args.friends} friends, {args.posts:,} posts; {len(viewers)} viewers, "
        f"deep = page {args.deep_page} for {len(deep)} of them (reached by following next_cursor)"
    )
    say(
        f"{'GET /api/v1/feed':24} {'load':>16} {'ok':>6} {'err':>4} {'reads/s':>8} "
        f"{'p50 ms':>7} {'p99 ms':>7}   CPU ms per read: app / postgres / client / other"
    )
    for r in results:
        cpu = r["cpu_ms"]
        load = r["mode"] + (f" ({r['why']})" if r.get("why") else "")
        say(
            f"{r['desc']:24} {load:>16} {r['ok']:>6} {sum(r['errors'].values()):>4} "
            f"{r['rate']:>8.1f} {r['p50']:>7.1f} {r['p99']:>7.1f}   "
            f"{cpu['app']:5.1f} / {cpu['postgres']:5.1f} / {cpu['client']:4.1f} / {cpu['other']:5.1f}"
            + (f"   errors {r['errors']}" if r["errors"] else "")
        )
    if pooled:
        say(
            "(* VARIANT: LIFECIRCLE_DB_POOL_MAX=16, a psycopg pool per worker; "
            "the rest: shipped settings, a new connection per request)"
        )
    say()
    first, deep_r = results[0], results[1]
    say(f"ledger benchmark [{source}]:")
    if with_pin:
        counts = f"({with_pin['ok']} ok, {with_pin['errors']} errors)" if with_pin["ok"] is not None else ""
        say(f"  (b) app transfer with PIN: {with_pin['rate']:.1f}/s {counts}")
    if no_pin:
        say(
            f"  (b') variant, no PIN:      {no_pin['rate']:.1f}/s "
            f"({no_pin['ok']} ok, {no_pin['errors']} errors)"
        )
    if ledger:
        for r in (first, deep_r):
            say(
                f"timeline ÷ ledger transfers/s, {r['desc']:10} = {r['rate']:.1f} ÷ {ledger:.1f} "
                f"= {r['rate'] / ledger:5.2f}   (goal ≥ 3: {'met' if r['rate'] >= 3 * ledger else 'NOT met'})"
            )
    else:
        say(
            "ratio timeline ÷ ledger transfers/s: not computable — the ledger's (b) figure is missing or "
            "had no successful transfer; run `make bench-ledger` (or pass --ledger-rate N)"
        )
    if no_pin and no_pin["ok"]:
        say(
            f"(against the ledger's no-PIN variant (b'): {first['rate'] / no_pin['rate']:.2f} first page, "
            f"{deep_r['rate'] / no_pin['rate']:.2f} deep)"
        )
    for r in results:
        if r.get("why"):
            verdict = "met" if r["p99"] <= 50 and not r["errors"] else "NOT met"
            say(f"p99 ≤ 50 ms at {r['mode']} ({r['why']}), {r['desc']}: {r['p99']:.1f} ms — {verdict}")
    say(f"total time {time.monotonic() - t_start:.0f}s")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "timeline-last.txt").write_text("\n".join(lines) + "\n")
    return 0


def _has_rows(url: str) -> bool:
    import psycopg

    with psycopg.connect(url) as conn:
        return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM accounts_user)").fetchone()[0])


if __name__ == "__main__":
    sys.exit(main())
