"""HTML to PDF with WeasyPrint for every report (risk register, readiness, later audits and reviews):
no external fetches, and progress reported from WeasyPrint's page-by-page layout log."""

import gc
import logging
from contextlib import contextmanager

from django.conf import settings


def html_to_pdf(html: str, progress=lambda percent: None, expected_pages: int = 1) -> bytes:
    """PDF bytes of `html`; `progress` moves from 30 to 90 as pages are laid out."""
    with _layout_progress(progress, expected_pages), _collector_paused():
        from weasyprint import HTML  # heavy (parses its stylesheets on import): only where PDFs are made

        return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_no_fetch).write_pdf()


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
