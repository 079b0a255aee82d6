"""HTML to PDF with WeasyPrint for every report (risk register, readiness, later audits and reviews):
no external fetches, and progress reported from WeasyPrint's page-by-page layout log.

A long report can be handed over in parts (html_parts_to_pdf): each part is laid out and drawn by
WeasyPrint in a process of its own, all at once, and the parts are joined into one PDF whose page numbers
and outline run on across them as if it had been rendered whole."""

import gc
import inspect
import io
import logging
import multiprocessing
import os
import re
import signal
import threading
import traceback
from collections.abc import Callable, Sequence
from contextlib import ExitStack, contextmanager
from multiprocessing.connection import wait

from django.conf import settings
from django.db import connections

from aims.api import counting

logger = logging.getLogger(__name__)

# A part is forked from this process, so it starts with WeasyPrint and the report's data loaded; it is not
# worth more processes than CPUs, and every part but the last ends on a page of its own (see the report).
MAX_PROCESSES = 4


def html_to_pdf(html: str, progress=lambda percent: None, expected_pages: int = 1) -> bytes:
    """PDF bytes of `html`; `progress` moves from 30 to 90 as pages are laid out."""
    with _layout_progress(progress, expected_pages), _collector_paused():
        from weasyprint import HTML  # heavy (parses its stylesheets on import): only where PDFs are made

        return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_no_fetch).write_pdf(
            font_config=_fonts()
        )


_FONTS = threading.local()


def _fonts():
    """The fonts WeasyPrint has found, kept for the next PDF this thread of this process lays out: finding
    them again costs some 8 ms a document, a tenth of a small one (an evidence pack lays out one per
    folder). Our reports load no web fonts (@font-face), so nothing a document adds is seen by the next.
    Per process and thread: Pango's font map is neither shared across a fork nor safe between threads."""
    from weasyprint.text.fonts import FontConfiguration

    if getattr(_FONTS, "pid", None) != os.getpid():
        # What a forked process inherited is left alone, never released here: releasing it would free
        # the parent's font map and remove its temporary folder from under it.
        _FONTS.inherited = getattr(_FONTS, "config", None)
        _FONTS.pid, _FONTS.config = os.getpid(), FontConfiguration()
    return _FONTS.config


@contextmanager
def _collector_paused():
    """WeasyPrint builds millions of small objects that all live until the PDF is written, and Python's
    cycle collector walks the growing heap again and again meanwhile: a quarter of the time of a large
    report, for nothing to free. Paused for the render (the peak memory does not move), then resumed; what
    the render leaves behind is collected as usual afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _PageProgress(logging.Handler):
    """WeasyPrint logs every page it lays out: layout is most of the time, so it drives the bar."""

    def __init__(self, progress, expected_pages: int):
        super().__init__(logging.INFO)
        self.progress, self.expected = progress, max(1, expected_pages)

    def emit(self, record):
        message = record.getMessage()
        if message.startswith("Step 5 - Creating layout - Page "):
            page = int(message.rsplit(" ", 1)[-1])
            self.progress(30 + min(55, 55 * page // self.expected))
        elif message.startswith("Step 6"):
            self.progress(90)


@contextmanager
def _layout_progress(progress, expected_pages: int):
    logger = logging.getLogger("weasyprint.progress")
    handler = _PageProgress(progress, expected_pages)
    saved = logger.level, logger.propagate
    # One INFO line per page would flood the worker log; only this handler hears them.
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def _no_fetch(url, *args, **kwargs):
    # The report embeds everything it needs; refusing every fetch keeps user text from reaching out.
    raise ValueError(f"Reports load no external resources ({url[:60]}).")


# -- parts in parallel -------------------------------------------------------------------------------------
def pdf_processes() -> int:
    """How many parts a report may be rendered in at once here: one per CPU this process may use, at most
    MAX_PROCESSES; 1 where parts cannot be forked safely (no fork on this platform, other threads running
    that might hold a lock the fork copies, e.g. a threaded web server running jobs eagerly) or where
    WeasyPrint no longer offers the point where page numbers are set (_numbering_hook)."""
    # The list pages' counting workers (aims.api.counting) are threads too, idle between counts: stopped
    # first, not counted as a reason to render in one part (the next count starts them again).
    counting.close()
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    if _numbering_hook() is None:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(MAX_PROCESSES, cpus))


def html_parts_to_pdf(
    parts: Sequence[Callable[[], str]], progress=lambda percent: None, expected_pages: int = 1
) -> bytes:
    """PDF bytes of one document made of `parts`, each a function returning the HTML of one part (a whole
    HTML document: the report's template rendered for a slice of it). Every part is rendered in a
    process forked from this one, all at once, then the parts are joined in order. Page numbers run on
    across parts ("Page 7 of 130" counts every page before it, in every part), and the outline nests each
    part's headings under the earlier parts' as in one document. A part runs the function in its own
    process and must not query the database (it would share this process's connection): load everything
    first. Each part starts on a new page. `progress` moves from 30 to 90 as the parts' pages are laid out."""
    if len(parts) == 1:
        return html_to_pdf(parts[0](), progress, expected_pages)
    import weasyprint  # noqa: F401 - imported (its stylesheets parsed) once here, not in every part

    # os.fork, not multiprocessing.Process: a Celery worker's pool process counts as daemonic there,
    # and multiprocessing lets no daemonic process have children.
    ends, pids = [], []
    try:
        for make_html in parts:
            ours, theirs = multiprocessing.Pipe()
            pid = os.fork()
            if pid == 0:  # the part's process
                try:
                    for end in [*ends, ours]:
                        end.close()
                    _render_part(theirs, make_html)
                finally:
                    os._exit(0)  # no atexit, no Django or Celery teardown: they belong to the parent
            theirs.close()
            ends.append(ours)
            pids.append(pid)
        pdfs, outlines = _collect_parts(ends, progress, max(1, expected_pages))
    except BaseException:  # a part failed, or this process is stopped (time limit): stop every part
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        raise
    finally:
        for pid in pids:
            os.waitpid(pid, 0)  # each part ends once it has sent its PDF
        for end in ends:
            end.close()
    progress(90)
    return _join(pdfs, outlines)


def _collect_parts(ends, progress, expected_pages) -> tuple[list[bytes], list[list]]:
    """Follow the parts: pages laid out (progress), page counts (then each part is told where its pages
    start and how many there are in all), then each part's PDF and outline."""
    count = len(ends)
    laid_out, pages_done, pdfs, outlines = {}, [0] * count, [None] * count, [None] * count
    waiting = list(ends)
    while waiting:
        for end in wait(waiting):
            index = ends.index(end)
            try:
                kind, *values = end.recv()
            except EOFError:
                raise RuntimeError(
                    f"Part {index + 1} of {count} of the PDF stopped before it was written."
                ) from None
            if kind == "page":
                pages_done[index] = values[0]
                progress(30 + min(55, 55 * sum(pages_done) // expected_pages))
            elif kind == "laid out":
                laid_out[index] = values[0]
                if len(laid_out) == count:
                    total = sum(laid_out.values())
                    for n, other in enumerate(ends):
                        other.send((sum(laid_out[k] for k in range(n)), total))
            elif kind == "pdf":
                if index not in laid_out:
                    raise RuntimeError("A part of the PDF was written without its page numbers being set.")
                pdfs[index], outlines[index] = values
                waiting.remove(end)
            else:  # "error": the part's traceback
                logger.error("Part %s of %s of a PDF failed:\n%s", index + 1, count, values[0])
                raise RuntimeError(
                    f"Part {index + 1} of {count} of the PDF failed: {values[0].splitlines()[-1]}"
                )
    return pdfs, outlines


def _render_part(end, make_html) -> None:
    """In the forked process: the part's HTML, laid out; its page count sent, and where its pages start in
    the whole document and how many there are awaited before the page margins (numbers) are made; then
    the PDF and the outline entries sent back."""
    gc.disable()  # see _collector_paused; this process ends with the part
    try:
        with _no_queries():
            html = make_html()
        from weasyprint import HTML, layout

        make_margin_boxes, numbering = layout.make_margin_boxes, {}

        def numbered_margin_boxes(context, page, state):
            counters = state[1]  # this page's counter values, {"page": [n], "pages": [this part's pages]}
            if not numbering:
                end.send(("laid out", counters["pages"][0]))
                numbering["first"], numbering["total"] = end.recv()
            counters["page"] = [numbering["first"] + counters["page"][0]]
            counters["pages"] = [numbering["total"]]
            return make_margin_boxes(context, page, state)

        layout.make_margin_boxes = numbered_margin_boxes  # in this process only, which ends with the part
        _report_pages(lambda page: end.send(("page", page)))
        document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_no_fetch).render(
            font_config=_fonts()
        )
        pdf = document.write_pdf()
        outline = [  # (level, label, page index in the part, left, top, open) in PDF points, as WeasyPrint
            (level, label, index, x * 0.75, (page.height - y) * 0.75, state != "closed")
            for index, page in enumerate(document.pages)
            for level, label, (x, y), state in page.bookmarks
        ]
        end.send(("pdf", pdf, outline))
    except BaseException:  # noqa: BLE001 - whatever stops the part, the parent says so
        end.send(("error", traceback.format_exc()))
    finally:
        end.close()


def _numbering_hook():
    """WeasyPrint makes the page margins (where "Page 3 of 40" is) once all pages are laid out, in
    weasyprint.layout.make_margin_boxes(context, page, state); a part waits there for its page numbers."""
    from weasyprint import layout

    hook = getattr(layout, "make_margin_boxes", None)
    if hook is None or list(inspect.signature(hook).parameters) != ["context", "page", "state"]:
        return None
    return hook


@contextmanager
def _no_queries():
    """A forked part shares this process's database connection: a query from it would garble the
    parent's. Refused instead, with a message saying what to do."""

    def refuse(*args):
        raise RuntimeError(
            "A part of a PDF may not query the database: load everything it shows before the parts are made."
        )

    with ExitStack() as stack:
        for connection in connections.all():
            stack.enter_context(connection.execute_wrapper(refuse))
        yield


def _join(pdfs: list[bytes], outlines: list[list]) -> bytes:
    """The parts' PDFs in order, as one: the first part's metadata and language, every part's pages, and
    one outline built from every part's headings by level."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import Fit, NameObject

    writer, starts = PdfWriter(), []
    for data in pdfs:
        starts.append(len(writer.pages))
        writer.append(PdfReader(io.BytesIO(data)), import_outline=False)
    first = PdfReader(io.BytesIO(pdfs[0]))
    if first.metadata:
        writer.add_metadata(dict(first.metadata))
    if "/Lang" in first.trailer["/Root"]:
        writer.root_object[NameObject("/Lang")] = first.trailer["/Root"]["/Lang"]
    open_items = []  # (level, item) from the outermost heading down
    for start, outline in zip(starts, outlines, strict=True):
        for level, label, index, left, top, is_open in outline:
            while open_items and open_items[-1][0] >= level:
                open_items.pop()
            parent = open_items[-1][1] if open_items else None
            item = writer.add_outline_item(
                title=label,
                page_number=start + index,
                parent=parent,
                fit=Fit.xyz(left, top, 0),
                is_open=is_open,
            )
            open_items.append((level, item))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


class _PartPages(logging.Handler):
    """In a part's process: each page WeasyPrint lays out, told to the parent (which drives the bar)."""

    def __init__(self, on_page):
        super().__init__(logging.INFO)
        self.on_page = on_page

    def emit(self, record):
        match = _LAYOUT_PAGE.match(record.getMessage())
        if match:
            self.on_page(int(match[1]))


_LAYOUT_PAGE = re.compile(r"Step 5 - Creating layout - Page (\d+)$")


def _report_pages(on_page) -> None:
    """Only in a part's own process, which ends with the part: nothing to put back."""
    progress_log = logging.getLogger("weasyprint.progress")
    progress_log.setLevel(logging.INFO)
    progress_log.propagate = False
    progress_log.addHandler(_PartPages(on_page))
