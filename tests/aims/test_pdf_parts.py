"""A PDF rendered in parts at once (aims.pdf.html_parts_to_pdf) reads as one document: pages in order,
page numbers running on across parts, one outline nested by heading level, the first part's metadata;
and a part that fails, or would query the database from its own process, says so."""

import io
import multiprocessing
import os
import threading

import pytest
from pypdf import PdfReader

from aims.api import counting
from aims.models import User
from aims.pdf import MAX_PROCESSES, html_parts_to_pdf, pdf_processes

PAGE = """<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Parts</title>
<meta name="author" content="AIMS"><style>
@page {{ size: A6; @bottom-right {{ content: "Page " counter(page) " of " counter(pages); }} }}
section {{ break-before: page; }}
</style></head><body>{body}</body></html>"""


def part(body: str):
    return lambda: PAGE.format(body=body)


def pages_text(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def outline(data: bytes) -> list[tuple[int, str, int]]:
    reader = PdfReader(io.BytesIO(data))

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield depth, item.title, reader.get_destination_page_number(item)

    return list(walk(reader.outline, 0))


def test_parts_join_in_order_with_page_numbers_and_outline_of_one_document():
    first = part(
        "<h1>Report</h1><p>Cover</p><section><h2>One</h2><p>A1</p></section><section><p>A2</p></section>"
    )
    second = part("<section><p>B1</p></section><section><h2>Two</h2><p>B2</p></section>")
    third = part("<section><h3>Two, deeper</h3><p>C1</p></section>")
    progress = []

    data = html_parts_to_pdf([first, second, third], progress.append, expected_pages=6)

    texts = pages_text(data)
    assert [t.split(" Page ")[0] for t in texts] == [
        "Report Cover",
        "One A1",
        "A2",
        "B1",
        "Two B2",
        "Two, deeper C1",
    ]
    assert [t.rsplit(" ", 4)[-4:] for t in texts] == [["Page", str(n), "of", "6"] for n in range(1, 7)]
    # Headings nest by level across parts, as WeasyPrint nests them in one document.
    assert outline(data) == [(0, "Report", 0), (1, "One", 1), (1, "Two", 4), (2, "Two, deeper", 5)]
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "Parts" and reader.metadata.author == "AIMS"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert progress[-1] == 90 and progress == sorted(progress) and 30 <= progress[0]


def test_a_failing_part_fails_the_whole_naming_the_part():
    def broken():
        raise ValueError("no template")

    with pytest.raises(RuntimeError, match=r"Part 2 of 2 of the PDF failed: ValueError: no template"):
        html_parts_to_pdf([part("<p>fine</p>"), broken])


@pytest.mark.django_db
def test_a_part_may_not_query_the_database():
    def querying():
        return PAGE.format(body=f"<p>{User.objects.count()} users</p>")

    with pytest.raises(RuntimeError, match="may not query the database"):
        html_parts_to_pdf([part("<p>fine</p>"), querying])
    assert not User.objects.filter(username="no-such-user").exists()  # this process still queries


def test_no_parts_at_once_while_other_threads_run():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert pdf_processes() == 1
    finally:
        stop.set()
        thread.join()


def test_the_list_pages_idle_counting_workers_do_not_keep_a_report_in_one_part():
    """A process that served a list page keeps counting workers (aims.api.counting); a report it renders
    next stops them rather than render in one part (make bench's register PDF did: 4.9 s against 1.8)."""

    def counting_threads():
        return [t for t in threading.enumerate() if t.name.startswith("aims-count")]

    counting._workers().submit(lambda: None).result()
    assert counting_threads()
    parts = pdf_processes()
    assert not counting_threads()
    # A thread another test left running in this worker (a test server ending) still means one part.
    others = threading.active_count() - 1
    assert parts == (1 if others else min(MAX_PROCESSES, len(os.sched_getaffinity(0))))


def test_parts_render_from_a_daemonic_process_as_in_a_celery_worker():
    # A Celery pool process counts as daemonic for multiprocessing, which lets such a process have no
    # children of its own: the parts must be forked without it.
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()

    def job():
        try:
            data = html_parts_to_pdf([part("<p>one</p>"), part("<p>two</p>")])
            theirs.send(len(PdfReader(io.BytesIO(data)).pages))
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            theirs.send(repr(exc))

    worker = context.Process(target=job, daemon=True)
    worker.start()
    try:
        assert ours.poll(60), "the worker gave no answer"
        assert ours.recv() == 2
    finally:
        worker.join(10)


def test_fonts_are_found_once_per_thread_and_each_document_reads_the_same(monkeypatch):
    """The font configuration is kept for the next PDF of the same thread (finding fonts is a tenth of a
    small PDF's time), never shared with another thread; PDFs made with it read as before."""
    import os

    from weasyprint.text import fonts

    from aims import pdf

    made = []
    real = fonts.FontConfiguration
    monkeypatch.setattr(fonts, "FontConfiguration", lambda: made.append(1) or real())
    monkeypatch.setattr(pdf._FONTS, "pid", None, raising=False)  # as in a process with no PDF yet
    html = "<html><body><p>Residual High 15</p></body></html>"
    first, second = pdf.html_to_pdf(html), pdf.html_to_pdf(html.replace("15", "16"))
    assert len(made) == 1 and pdf._fonts() is pdf._fonts()
    # A forked process finds its own (the parent's font map is not shared across a fork).
    ours, theirs = multiprocessing.Pipe()
    pid = os.fork()
    if pid == 0:
        try:
            theirs.send(id(pdf._fonts()) != id(pdf._FONTS.inherited) and pdf._FONTS.inherited is not None)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert ours.recv() is True
    other = []
    thread = threading.Thread(target=lambda: other.append(pdf._fonts()))
    thread.start()
    thread.join()
    assert other[0] is not pdf._fonts()
    texts = [PdfReader(io.BytesIO(data)).pages[0].extract_text() for data in (first, second)]
    assert texts == ["Residual High 15", "Residual High 16"]
