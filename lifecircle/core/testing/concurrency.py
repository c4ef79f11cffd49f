"""Real threads for concurrency tests (each with its own database connection)."""

from __future__ import annotations

import threading

from django.db import connection


def run_threads(n: int, target) -> list:
    """Run ``target(i)`` in ``n`` threads started together; return results or exceptions."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i):
        try:
            barrier.wait()
            results[i] = target(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
