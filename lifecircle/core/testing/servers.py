"""Real servers for tests: uvicorn running ``config.asgi`` in a subprocess on loopback."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url_for_subprocess(tmp_path: Path) -> str:
    """The test database, if another process can open it (PostgreSQL); else a fresh SQLite
    file, migrated here, since pytest's SQLite test database lives in this process's memory."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        user = s.get("USER") or "postgres"
        password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
        return (
            f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"
        )
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, "LIFECIRCLE_DATABASE_URL": url},
        check=True,
    )
    return url


@contextlib.contextmanager
def asgi_server(database_url: str, *, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Start uvicorn; yield its base URL (http://127.0.0.1:PORT); stop it afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "LIFECIRCLE_DATABASE_URL": database_url,
        "LIFECIRCLE_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PYTHONUNBUFFERED": "1",
        "LIFECIRCLE_SWEEP_IN_SERVER": "0",  # a test that wants the sweeps turns them on
        **(extra_env or {}),
    }
    if settings.REDIS_URL:
        env["LIFECIRCLE_REDIS_URL"] = settings.REDIS_URL
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"uvicorn exited: {proc.stdout.read() if proc.stdout else ''}")
            try:
                httpx.get(base + "/api/v1/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
