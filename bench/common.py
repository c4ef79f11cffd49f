"""Pieces every benchmark shares: a free loopback port, and stopping a server started in
its own process group (uvicorn and all its workers, nothing else). Benchmarks run as
scripts (``python bench/x.py``), so this folder is on ``sys.path``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess

HOST = "127.0.0.1"  # load and fault tests target loopback only


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
