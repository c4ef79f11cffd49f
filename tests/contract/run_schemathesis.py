"""Run schemathesis against a real server: the API must do what /api/v1/openapi.json says.

    .venv/bin/python tests/contract/run_schemathesis.py [--database-url URL] [--max-time 180]
                                                        [-- extra schemathesis arguments]

It makes a throw-away database (a SQLite file, or the PostgreSQL database named by
``--database-url`` / ``SCHEMATHESIS_DATABASE_URL``, dropped and created anew), migrates it, seeds
a verified user with a PIN, money, a card, friends, a group, posts, a chat, a live event, a red
packet, a collection and an IOU so that operations have something to act on, starts uvicorn with
production settings on a free loopback port and runs ``schemathesis run`` with that user's bearer
token: every check, the examples, coverage, fuzzing and stateful phases, bounded by
``--max-time`` seconds. Operations that revoke the run's own credentials are excluded. The exit
status is schemathesis's: non-zero on any failure. Loopback only; stops by itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC11c2UtISE="
PIN = "258036"

# Operations that take away the run's own credentials (or the account itself): run, they make
# every later request a 401 and the rest of the run meaningless. One regular expression on the
# operation's label ("METHOD /path").
EXCLUDED = "|".join(
    [
        r"DELETE /api/v1/me/tokens/\{[^}]+\}",  # revoke a token (it may be this one)
        r"(POST|PUT) /api/v1/me/password",  # a new password signs every other session out
        r"POST /api/v1/auth/(logout|sign-?out)",
        r"DELETE /api/v1/me",  # account deletion
        r"POST /api/v1/me/(delete|deactivate|close)",
    ]
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def recreate_postgres(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def server_env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LIFECIRCLE_DATABASE_URL": database_url,
        "LIFECIRCLE_DATA_DIR": str(data_dir),
        "LIFECIRCLE_DEBUG": "0",
        "LIFECIRCLE_SECRET_KEY": "schemathesis-" + secrets.token_hex(32),
        "LIFECIRCLE_FIELD_ENCRYPTION_KEYS": os.environ.get("LIFECIRCLE_FIELD_ENCRYPTION_KEYS", DEV_FIELD_KEY),
        "LIFECIRCLE_FIELD_FINGERPRINT_KEY": "schemathesis-only-fingerprint-key",
        "LIFECIRCLE_PROVIDER_WEBHOOK_SECRET": "schemathesis-only-webhook-secret",
        "LIFECIRCLE_ALLOWED_HOSTS": f"{HOST},localhost",
        "LIFECIRCLE_SECURE_SSL_REDIRECT": "0",
        "LIFECIRCLE_SWEEP_IN_SERVER": "0",
        "LIFECIRCLE_LOG_LEVEL": "ERROR",
        "PYTHONUNBUFFERED": "1",
    }
    # The in-memory layer unless a Redis for this run is named (never the developer's own).
    env.pop("LIFECIRCLE_REDIS_URL", None)
    if os.environ.get("SCHEMATHESIS_REDIS_URL"):
        env["LIFECIRCLE_REDIS_URL"] = os.environ["SCHEMATHESIS_REDIS_URL"]
    return env


def _quietly(label: str, make) -> None:
    """Seed one optional object; a seed that no longer fits its service says so and goes on."""
    try:
        make()
    except Exception as exc:  # the run still tests every operation without it
        print(f"seed: {label} skipped ({type(exc).__name__}: {exc})", file=sys.stderr)


def seed() -> str:
    """The user schemathesis acts as, and things to act on; returns its bearer token."""
    from django.utils import timezone

    from lifecircle.accounts.services import api_token_create
    from lifecircle.core.testing.factories import make_friends, make_user

    me = make_user("schemathesis", nickname="Schemathesis", verified=True, pin=PIN)
    friends = [make_user(f"friend{i}", nickname=f"Friend {i}", verified=True, pin=PIN) for i in (1, 2, 3)]
    for friend in friends:
        make_friends(me, friend)
    make_user("stranger", nickname="Stranger", verified=True, pin=PIN)

    from lifecircle.wallet.services import Leg, entry_post, system_account, wallet_account_for

    accounts = [wallet_account_for(u) for u in (me, *friends)]
    entry_post(
        kind="topup",
        legs=[Leg(system_account("bank_clearing"), -10_000_000 * len(accounts))]
        + [Leg(account, 10_000_000) for account in accounts],
    )

    def card():
        from lifecircle.wallet.services import bank_card_add

        bank_card_add(user=me, number="6222020200112233446")

    def posts():
        from lifecircle.feed.services import comment_create, post_create

        for author in (me, friends[0]):
            post = post_create(author=author, text=f"A post by {author.username}")
            comment_create(user=friends[1], post_id=post.pk, text="Nice")

    def social():
        from lifecircle.social.services import group_create, tag_create

        tag_create(user=me, name="Close friends", member_ids=[friends[0].pk])
        group_create(owner=me, name="Weekend", member_ids=[f.pk for f in friends[:2]])

    conversation = {}

    def chat():
        from lifecircle.chat.services import conversation_direct_open, message_send

        conv = conversation_direct_open(user=me, other_id=friends[0].pk)
        conversation["id"] = conv.pk
        message_send(sender=friends[0], conversation_id=conv.pk, text="Hello")
        message_send(sender=me, conversation_id=conv.pk, text="Hi")

    def live():
        from lifecircle.live.services import event_create

        event_create(host=me, title="Evening live", scheduled_at=timezone.now() + dt.timedelta(hours=2))

    def red_packet():
        from lifecircle.redpackets.services import red_packet_send

        red_packet_send(
            sender=friends[0],
            conversation_id=conversation["id"],
            kind="lucky",
            total_fen=1000,
            share_count=2,
            pin=PIN,
            idempotency_key="seed-red-packet",
        )

    def collection():
        from lifecircle.collect.services import collection_create

        collection_create(
            organiser=friends[0],
            title="Dinner",
            split="even",
            member_ids=[me.pk, friends[1].pk],
            total_fen=9000,
        )

    _quietly("bank card", card)
    _quietly("posts", posts)
    _quietly("tags and group", social)
    _quietly("chat", chat)
    _quietly("live event", live)
    _quietly("red packet", red_packet)
    _quietly("collection", collection)

    _token, raw = api_token_create(user=me, name="schemathesis")
    return raw


def wait_for(base: str, proc: subprocess.Popen, log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"uvicorn exited:\n{log.read_text()[-4000:]}")
        try:
            httpx.get(base + "/api/v1/openapi.json", timeout=2).raise_for_status()
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("SCHEMATHESIS_DATABASE_URL", ""))
    parser.add_argument("--max-time", type=int, default=int(os.environ.get("SCHEMATHESIS_MAX_TIME", "180")))
    parser.add_argument("--seed", type=int, default=None, help="schemathesis's random seed")
    parser.add_argument("--report-dir", default=str(ROOT / "data" / "schemathesis"))
    parser.add_argument("extra", nargs="*", help="passed to schemathesis run (after --)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="lc-schemathesis-"))
    url = args.database_url or f"sqlite:///{work / 'db.sqlite3'}"
    if url.startswith("postgres"):
        recreate_postgres(url)
    env = server_env(url, work / "data")
    os.environ.update(env)
    if "LIFECIRCLE_REDIS_URL" not in env:
        os.environ.pop("LIFECIRCLE_REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    token = seed()
    from django.db import connections

    connections.close_all()

    port = free_port()
    base = f"http://{HOST}:{port}"
    log = work / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                HOST,
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(base, proc, log)
        report_dir = Path(args.report_dir)
        report_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            str(Path(sys.executable).parent / "schemathesis"),
            "run",
            f"{base}/api/v1/openapi.json",
            "--url",
            base,
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-time",
            str(args.max_time),
            "--workers",
            "2",
            "--request-timeout",
            "20",
            "--report",
            "junit,ndjson",
            "--report-dir",
            str(report_dir),
            "--continue-on-failure",
            "--no-color",
        ]
        cmd += ["--exclude-name-regex", f"^({EXCLUDED})$"]
        if args.seed is not None:
            cmd += ["--seed", str(args.seed)]
        cmd += args.extra
        print("schemathesis against", base, "database", url.split("@")[-1], flush=True)
        result = subprocess.run(cmd, cwd=ROOT, env={**env, "SCHEMATHESIS_HOOKS": ""}, check=False)
        errors = [line for line in log.read_text().splitlines() if "Traceback" in line or " 500 " in line]
        if errors:
            print(f"server log has {len(errors)} error line(s): {log}", file=sys.stderr)
        return result.returncode
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)  # its own session: this uvicorn only
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
        if url.startswith("sqlite") and os.environ.get("SCHEMATHESIS_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
