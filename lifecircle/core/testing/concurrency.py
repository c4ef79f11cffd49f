"""Real threads for concurrency tests (each with its own database connection)."""

from __future__ import annotations

import threading

from django.db import connection


def run_threads(n: int, target, *, max_connections: int | None = None) -> list:
    """Run ``target(i)`` in ``n`` threads started together; return results or exceptions.
    ``max_connections`` caps how many hold a database connection at once (PostgreSQL's
    connection limit is shared), the rest waiting their turn right behind them."""
    barrier = threading.Barrier(n)
    slots = threading.BoundedSemaphore(max_connections or n)
    results: list = [None] * n

    def worker(i):
        try:
            barrier.wait()
            with slots:
                try:
                    results[i] = target(i)
                finally:
                    connection.close()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
