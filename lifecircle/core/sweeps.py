"""Sweeps: the idempotent background jobs that carry out what reads already show from the clock.

Burning a burn-after-reading message whose countdown ended, refunding what is left of an
expired red packet, returning an expired IOU proposal's escrow and the due-date debit, and
reminding unpaid members of a collection. Correctness never waits for a sweep: a red packet
past its time reads as expired and cannot be grabbed whether or not it has been refunded yet.
What a sweep adds is the physical part — the money back in the sender's wallet, the key and
ciphertext gone, the reminder sent.

Each app registers its sweeps in ``AppConfig.ready()`` with :func:`register`. They run

- **in every server process** (``LIFECIRCLE_SWEEP_IN_SERVER``, on by default): a task on the
  server's event loop, started by uvicorn's lifespan start-up (or the first request under a
  server without lifespan events), runs whatever is due every second on the thread pool — so
  ``make run`` needs nothing else, and events a sweep publishes reach sockets at once;
- **or in a worker**: ``manage.py sweep --loop`` (then set ``LIFECIRCLE_SWEEP_IN_SERVER=0`` on
  the servers), or ``manage.py sweep`` from cron.

Every sweep is safe to run from several processes at once: each claims its rows under a row
lock or with a conditional update, so two processes sweeping the same row do the work once.
N server processes sweeping only costs N times the (cheap) queries.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

TICK_SECONDS = 1.0


@dataclass(frozen=True)
class Sweep:
    name: str
    run: Callable[[], object]  # returns a count, or a dict of counts, for the log and the command
    every: float  # seconds between runs


SWEEPS: dict[str, Sweep] = {}


def register(name: str, run: Callable[[], object], *, every: float) -> None:
    SWEEPS[name] = Sweep(name, run, every)


def run_due(last: dict[str, float], *, now: float | None = None, only=None) -> dict[str, object]:
    """Run every sweep whose interval has passed since ``last[name]`` (all of them the first
    time); returns their results. A sweep that fails is logged and retried next time; it never
    stops the others."""
    now = time.monotonic() if now is None else now
    results: dict[str, object] = {}
    every = settings.LIFECIRCLE["SWEEP_EVERY_SECONDS"]
    for sweep in SWEEPS.values():
        due = now - last.get(sweep.name, -math.inf) >= (every or sweep.every)
        if not due or (only and sweep.name not in only):
            continue
        last[sweep.name] = now
        try:
            results[sweep.name] = sweep.run()
        except Exception:
            logger.exception("sweep %s failed; it runs again in %ss", sweep.name, every or sweep.every)
    return results


def describe(result: object) -> str:
    if isinstance(result, dict):
        return ", ".join(f"{k} {v}" for k, v in result.items())
    return str(result)


# --- in the server process --------------------------------------------------------------------
_tasks: dict[int, asyncio.Task] = {}  # one per event loop


async def _loop() -> None:
    from channels.db import database_sync_to_async

    last: dict[str, float] = {}
    run = database_sync_to_async(run_due, thread_sensitive=False)
    while True:
        results = await run(last)
        for name, result in results.items():
            if any(result.values()) if isinstance(result, dict) else result:  # did something
                logger.info("sweep %s: %s", name, describe(result))
        await asyncio.sleep(TICK_SECONDS)


def start_in_server() -> None:
    """Start this event loop's sweep task, once (a no-op when turned off)."""
    if not settings.LIFECIRCLE["SWEEP_IN_SERVER"]:
        return
    loop = asyncio.get_running_loop()
    task = _tasks.get(id(loop))
    if task is None or task.done():
        _tasks[id(loop)] = loop.create_task(_loop(), name="lifecircle-sweeps")


async def stop_in_server() -> None:
    task = _tasks.pop(id(asyncio.get_running_loop()), None)
    if task is not None:
        task.cancel()


class SweepsInServer:
    """ASGI wrapper: answers uvicorn's lifespan events (starting the sweeps at start-up) and
    otherwise passes every connection to ``app``."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    start_in_server()
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await stop_in_server()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        start_in_server()
        return await self.app(scope, receive, send)
