"""Settings from the environment; production settings pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("LIFECIRCLE_")}


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        cwd=ROOT,
        env={**CLEAN_ENV, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION = {
    "LIFECIRCLE_DEBUG": "0",
    "LIFECIRCLE_SECRET_KEY": "x" * 20 + Fernet.generate_key().decode(),
    "LIFECIRCLE_FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "LIFECIRCLE_FIELD_FINGERPRINT_KEY": "f" * 64,
    "LIFECIRCLE_ALLOWED_HOSTS": "lifecircle.example",
}


def test_production_settings_pass_the_deploy_check():
    r = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**CLEAN_ENV, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_development_settings_do_not_pass_the_deploy_check():
    r = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=CLEAN_ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode != 0  # the check is real: debug mode is reported


def test_production_refuses_to_start_without_secrets():
    r = run_python("", LIFECIRCLE_DEBUG="0")
    assert r.returncode != 0 and "LIFECIRCLE_SECRET_KEY" in r.stderr


def test_embedded_default_is_sqlite_in_wal_with_immediate_transactions(tmp_path):
    code = (
        "from django.db import connection as c;"
        "cur = c.cursor(); cur.execute('PRAGMA journal_mode'); print(cur.fetchone()[0]);"
        "print(c.vendor, c.settings_dict['OPTIONS']['transaction_mode']);"
        "from django.conf import settings as s; print(s.CHANNEL_LAYERS['default']['BACKEND'])"
    )
    r = run_python(code, LIFECIRCLE_DATA_DIR=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:3] == ["wal", "sqlite IMMEDIATE", "channels.layers.InMemoryChannelLayer"]
    assert (tmp_path / "lifecircle.sqlite3").exists()


def test_database_and_redis_urls_are_read_from_the_environment():
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], d['HOST'], d['PORT']);"
        "print(s.CHANNEL_LAYERS['default']['BACKEND'], s.CACHES['default']['BACKEND'])"
    )
    r = run_python(
        code,
        LIFECIRCLE_DATABASE_URL="postgres://u:p@db.internal:6543/lc",
        LIFECIRCLE_REDIS_URL="redis://cache.internal:6379/2",
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().split("\n")
    assert lines[0] == "django.db.backends.postgresql lc db.internal 6543"
    assert (
        lines[1]
        == "channels_redis.pubsub.RedisPubSubChannelLayer django.core.cache.backends.redis.RedisCache"
    )


def test_a_connection_pool_is_opt_in():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS'].get('pool'))"
    url = "postgres://u:p@db.internal:6543/lc"
    off = run_python(code, LIFECIRCLE_DATABASE_URL=url)
    on = run_python(code, LIFECIRCLE_DATABASE_URL=url, LIFECIRCLE_DB_POOL_MAX="16")
    assert off.stdout.strip() == "None", off.stderr
    assert on.stdout.strip() == "{'min_size': 2, 'max_size': 16, 'timeout': 10}", on.stderr
