"""A plain page's COUNT(*) counted on a connection of its own while the request reads and writes the page.

At 100,000 risks the count is most of a list page's database time (3 ms of PostgreSQL scanning an index)
and the page's own reads and serialising are most of the rest, one after the other. The count needs
nothing of them, and the answer needs it only at the end (the total and the next page's link), so it is
asked at once on a worker thread's own database connection and collected when the page is written:
the request waits for the longer of the two, not their sum.

Only where that changes nothing: on PostgreSQL, with the request's connection outside a transaction
(the count's connection could not see rows a transaction has not committed, and in autocommit the page
and its count were separate snapshots already), and with AIMS_PARALLEL_COUNT on. Anywhere else, and if
the worker cannot take it, the count is asked in the request as before. The workers' connections are the
threads' own, checked before each use as a request's are (close_old_connections)."""

import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connections

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def start(db: str, count) -> Future | None:
    """`count()` running on a worker thread, or None where it must run in the request (see above)."""
    connection = connections[db]
    if not settings.AIMS_PARALLEL_COUNT or connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    try:
        return _workers().submit(_on_own_connection, count)
    except RuntimeError:  # the interpreter shutting down
        return None


def _on_own_connection(count):
    close_old_connections()  # a connection the database closed, or past CONN_MAX_AGE, is opened afresh
    return count()


def close() -> None:
    """Close each worker's database connection and stop the workers (the test suite, before it drops its
    databases; the next count starts them again). Each worker closes its own connection -- a connection
    belongs to its thread -- so every worker is given one closing at once, held at a barrier until all
    have theirs."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is None:
        return
    threads = settings.AIMS_PARALLEL_COUNT_THREADS
    barrier = threading.Barrier(threads)

    def close_own():
        barrier.wait(timeout=10)
        connections.close_all()

    for done in [pool.submit(close_own) for _ in range(threads)]:
        done.result(timeout=30)
    pool.shutdown(wait=True)


def _workers() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            # As many as a web process serves requests at once (gunicorn's threads): none waits for another.
            _pool = ThreadPoolExecutor(settings.AIMS_PARALLEL_COUNT_THREADS, thread_name_prefix="aims-count")
        return _pool
