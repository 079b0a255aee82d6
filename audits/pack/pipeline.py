"""Lays out a pack's PDFs in worker processes while the ZIP is still written in order, entry by entry.

WeasyPrint laying out each folder's records.pdf was most of a pack's time, on one core, while a PDF needs
nothing but its HTML. So a folder's entries are queued in pack order as the folder is read: its records
files spooled to temporary files on disk, its PDF handed to a worker process, its evidence files as a step
that writes them when their turn comes. The queue is written out from its head whenever the head is ready,
so the database is read for the next folders while workers lay out the PDFs of the last ones. The build
waits for the head's PDF only once LOOKAHEAD PDFs are queued: a few folders' spools on disk and a few PDFs
in memory at most, whatever the pack holds.

The ZIP is the same, entry for entry and byte for byte, whether PDFs are laid out by workers or here in
turn (PACK_PDF_WORKERS = 0): the order of entries and their names are settled as they are written, and
WeasyPrint's output depends on its HTML alone. Workers are forked from this process (WeasyPrint already
imported, nothing to start; through Celery's billiard where this process is daemonic, as a prefork pool's
child is), render HTML to bytes and touch nothing else: no database, no files. If they cannot be started,
or die, the PDFs are laid out here instead."""

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from django.conf import settings

from aims.pdf import html_to_pdf

from .writer import PackWriter

logger = logging.getLogger(__name__)

LOOKAHEAD = 8  # PDFs queued before the build waits for the oldest


def pdf_workers() -> int:
    """Worker processes that lay out PDFs (setting PACK_PDF_WORKERS); 0 lays them out in this process."""
    return max(0, settings.PACK_PDF_WORKERS)


class DaemonicPool:
    """Worker processes for a daemonic process, such as a Celery prefork pool's child: Python's
    multiprocessing lets no daemonic process start children, Celery's own billiard does. Submits as
    ProcessPoolExecutor does, a Future for each call."""

    def __init__(self, workers: int):
        import billiard

        self.pool = billiard.get_context("fork").Pool(workers)

    def submit(self, function, *args) -> Future:
        future: Future = Future()
        self.pool.apply_async(function, args, callback=future.set_result, error_callback=future.set_exception)
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        if cancel_futures:
            self.pool.terminate()
        else:
            self.pool.close()
        if wait:
            self.pool.join()


class Renderer:
    """html_to_pdf in worker processes, started on the first PDF, or here when there are none."""

    def __init__(self, workers: int):
        self.workers = workers
        self.pool: ProcessPoolExecutor | DaemonicPool | None = None

    def submit(self, html: str) -> Future:
        if self.workers and self.pool is None:
            self._start()
        if self.pool is not None:
            try:
                return self.pool.submit(html_to_pdf, html)
            except (BrokenProcessPool, RuntimeError, AssertionError, OSError) as exc:  # no worker started
                self._give_up(exc)
        done: Future = Future()
        done.set_result(html_to_pdf(html))
        return done

    def result(self, future: Future, html: str) -> bytes:
        try:
            return future.result()
        except (BrokenProcessPool, *_worker_lost()) as exc:  # a worker died (killed, out of memory)
            self._give_up(exc)
            return html_to_pdf(html)  # this PDF, and the rest, laid out here

    def _start(self) -> None:
        # Imported once here, inherited by every worker forked after. Quietly: WeasyPrint logs its
        # stylesheets' parsing at import (aims.pdf keeps its progress log out of the worker's log).
        progress = logging.getLogger("weasyprint.progress")
        propagate, progress.propagate = progress.propagate, False
        try:
            import weasyprint  # noqa: F401
        finally:
            progress.propagate = propagate

        try:
            if multiprocessing.current_process().daemon:
                self.pool = DaemonicPool(self.workers)
            else:
                self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"))
        except (OSError, ValueError, ImportError) as exc:  # no fork on this platform, or no process to be had
            self._give_up(exc)

    def _give_up(self, exc: BaseException | str) -> None:
        logger.warning("Evidence pack PDFs are laid out in the building process: %s", exc)
        self.close()
        self.workers = 0

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _worker_lost() -> tuple:
    try:
        from billiard.exceptions import WorkerLostError
    except ImportError:
        return ()
    return (WorkerLostError,)


class Pipeline:
    """A pack's entries in order, written to `writer` as soon as every entry before them is."""

    def __init__(self, writer: PackWriter, workers: int | None = None, lookahead: int | None = None):
        self.writer = writer
        self.renderer = Renderer(pdf_workers() if workers is None else workers)
        self.lookahead = LOOKAHEAD if lookahead is None else lookahead
        self.queue: deque = deque()
        self.pdfs = 0  # PDFs in the queue

    def add_spool(self, name: str, spool, source: dict | None = None) -> None:
        """A temporary binary file, written as entry `name` at its turn and closed then."""
        self.queue.append(("spool", name, spool, source))
        self._pump()

    def add_pdf(self, name: str, html: str, source: dict | None = None) -> None:
        """The PDF of `html`, laid out by a worker and written as entry `name` at its turn."""
        self.queue.append(("pdf", name, (self.renderer.submit(html), html), source))
        self.pdfs += 1
        self._pump()

    def then(self, step: Callable[[], object]) -> None:
        """`step` run at its turn, when every entry queued before it is written (it writes its own)."""
        self.queue.append(("step", None, step, None))
        self._pump()

    def finish(self) -> None:
        """Every queued entry written, waiting for the PDFs still being laid out."""
        self._pump(wait=True)
        self.renderer.close()

    def close(self) -> None:
        """On failure: workers stopped, spools closed, nothing more written."""
        self.renderer.close()
        while self.queue:
            kind, _, payload, _ = self.queue.popleft()
            if kind == "spool":
                payload.close()
            elif kind == "pdf":
                payload[0].cancel()
        self.pdfs = 0

    def _pump(self, wait: bool = False) -> None:
        while self.queue:
            kind, name, payload, source = self.queue[0]
            if kind == "pdf" and not payload[0].done() and not wait and self.pdfs <= self.lookahead:
                return  # the head is still being laid out and the queue has room: read on meanwhile
            self.queue.popleft()
            if kind == "spool":
                with payload:
                    size = payload.seek(0, os.SEEK_END)
                    payload.seek(0)
                    self.writer.add_stream(name, payload, source, size)
            elif kind == "pdf":
                self.pdfs -= 1
                self.writer.add_bytes(name, self.renderer.result(*payload), source)
            else:
                payload()
