"""Profile the transfer path (``python bench/profile_transfer.py``): run after bench/ledger.py
has prepared the benchmark database. Sends N transfers through Django's full request stack
in-process (middleware, Ninja, auth, services, PostgreSQL) under cProfile and prints where
the time goes. Not a test; loopback PostgreSQL only."""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ledger import PIN, django_setup, pg_conninfo


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--db",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lifecircle_bench"),
    )
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--no-pin", action="store_true", help="profile the password-free path instead")
    args = parser.parse_args()
    pg_conninfo(args.db)
    os.environ.setdefault("LIFECIRCLE_LOG_LEVEL", "WARNING")
    django_setup(args.db)
    import hashlib

    from django.db import connections
    from django.test import Client

    from lifecircle.accounts.models import ApiToken, User

    users = list(User.objects.filter(username__startswith="bench_u").order_by("id")[:200])
    if len(users) < 2:
        raise SystemExit("run bench/ledger.py first")
    tokens = {}
    for u in users:
        raw = f"lc_prof{u.pk % 10000:04d}_{uuid.uuid4().hex}"
        ApiToken.objects.create(
            user=u, name="profile", prefix=raw[3:11], token_hash=hashlib.sha256(raw.encode()).hexdigest()
        )
        tokens[u.username] = raw
    client = Client(SERVER_NAME="127.0.0.1")
    rng = random.Random(7)

    def one():
        a, b = rng.sample(users, 2)
        if args.no_pin:
            path, body = "/api/v1/wallet/micropayments", {"payee": b.username, "amount_fen": 1}
        else:
            path, body = "/api/v1/wallet/transfers", {"recipient": b.username, "amount_fen": 1, "pin": PIN}
        r = client.post(
            path,
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {tokens[a.username]}",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        assert r.status_code == 201, r.content
        connections.close_all()  # like the server with CONN_MAX_AGE=0: one connection per request

    for _ in range(10):
        one()
    from lifecircle.wallet.models import MicroPaymentDay

    MicroPaymentDay.objects.all().delete()
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    for _ in range(args.n):
        one()
    profiler.disable()
    wall = time.perf_counter() - t0
    print(
        f"{args.n} {'password-free payments' if args.no_pin else 'transfers'}: "
        f"{wall / args.n * 1000:.1f} ms each, single-threaded, in-process (profiler on)"
    )
    stats = pstats.Stats(profiler)
    out = io.StringIO()
    stats.stream = out
    stats.sort_stats("tottime").print_stats(18)
    print(out.getvalue().split("\n", 6)[-1])
    total = sum(v[2] for v in stats.stats.values())

    def share(pred) -> float:
        return sum(v[2] for k, v in stats.stats.items() if pred(k)) / total * 100

    groups = {
        "argon2 PIN verify (C)": lambda k: "argon2" in k[2] or "argon2" in k[0],
        "PostgreSQL connect (per request)": lambda k: "psycopg" in k[0] and "connect" in k[2],
        "waiting for PostgreSQL replies": lambda k: "psycopg" in k[0] and k[2] == "wait",
    }
    print("share of profiled time (own time of matching functions):")
    for label, pred in groups.items():
        print(f"  {label:34} {share(pred):5.1f} %")
    print(f"  {'everything else (Python)':34} {100 - sum(share(p) for p in groups.values()):5.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
