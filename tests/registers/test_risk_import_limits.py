"""A small upload must not exhaust the server (issue 12, point 4): the risk import reads its file row by
row, stops at the stated row limit, keeps a bounded number of problems and holds flat memory."""

import io
import tracemalloc

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aims.imports import MAX_PROBLEMS
from aims.models import Job
from registers.io import check_file, import_risks
from registers.models import Risk
from tests.aims.test_worker import wait_for, worker  # noqa: F401 - the real Celery worker fixture
from tests.base import client_for, run_queued_jobs

HEADER = (
    "title,category,risk_source,affects_organisation,affects_individuals,affects_groups,affects_society,"
    "inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,treatment,treatment_plan\n"
)
GOOD = "Good row,Safety,C.3.1,no,yes,no,no,3,3,2,2,mitigate,Plan\n"
BAD = "Bad row,Nope,C.3.1,no,yes,no,no,3,3,2,2,mitigate,Plan\n"  # one problem: no such category


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def peak_memory(work) -> int:
    """The peak of memory Python allocated while `work` ran (how long it took belongs in `make bench`)."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def many_rows_csv(rows: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("risks.csv", (HEADER + "x\n" * rows).encode())


def test_a_file_of_half_a_million_rows_is_refused_at_the_limit_in_flat_memory(settings, owner):
    """The probe's 2 MB CSV of a million rows took 130 s and 4.6 GB: the reader now stops at the limit."""
    settings.IMPORT_MAX_ROWS = 100
    small, large = many_rows_csv(200), many_rows_csv(500_000)  # 1 MB of rows
    for upload in (small, large):
        with pytest.raises(Exception, match="more than 100 rows below the header; the limit is 100"):
            check_file(upload)
    small_peak = peak_memory(lambda: import_risks(small, actor=owner))
    large_peak = peak_memory(lambda: import_risks(large, actor=owner))
    assert large_peak < 1_000_000 and large_peak < 2 * small_peak + 200_000  # not the file's size, nor more
    report = import_risks(large, actor=owner)
    assert [(e.row_number, e.column) for e in report.errors] == [(0, "file")]
    assert "more than 100 rows" in report.errors[0].message and not Risk.objects.exists()


def test_an_xlsx_of_many_rows_is_read_streaming_and_stops_at_the_limit(settings, owner):
    """The probe's 2 MB XLSX of 400,000 rows took 60 s and 1.9 GB."""
    settings.IMPORT_MAX_ROWS = 100

    def workbook_of(rows: int) -> SimpleUploadedFile:
        buffer = io.BytesIO()
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("AI risks")
        sheet.append(HEADER.strip().split(","))
        for number in range(rows):
            sheet.append([number])
        workbook.save(buffer)
        return SimpleUploadedFile("risks.xlsx", buffer.getvalue())

    small, upload = workbook_of(3_000), workbook_of(30_000)  # both past the limit of 100
    small_peak = peak_memory(lambda: import_risks(small, actor=owner))
    peak = peak_memory(lambda: import_risks(upload, actor=owner))
    assert peak < 2 * small_peak and peak < 5_000_000  # ten times the rows, the same memory: never read
    report = import_risks(upload, actor=owner)
    assert "more than 100 rows below the header; the limit is 100" in report.errors[0].message


def test_the_import_page_refuses_too_many_rows_at_once_without_reading_the_rest(settings, owner):
    settings.IMPORT_MAX_ROWS = 100
    response = client_for(owner).post("/risks/import/", {"file": many_rows_csv(500_000)})
    assert response.status_code == 400
    assert "The file has more than 100 rows below the header; the limit is 100." in response.content.decode()
    assert not Job.objects.exists()


def test_the_import_page_states_the_row_and_size_limits(settings, owner):
    settings.IMPORT_MAX_ROWS, settings.MAX_UPLOAD_BYTES = 5000, 10 * 1024 * 1024
    page = client_for(owner).get("/risks/import/").content.decode()
    assert "At most 5,000 rows and 10 MB." in page and "lists the first 50 problems by row" in page


def test_a_job_keeps_the_first_problems_and_counts_the_rest(settings, owner):
    """The probe's page listed every one of millions of problems; the job keeps MAX_PROBLEMS of them."""
    settings.IMPORT_MAX_ROWS = 400
    body = HEADER + GOOD + BAD * 300
    client = client_for(owner)
    response = client.post("/risks/import/", {"file": SimpleUploadedFile("risks.csv", body.encode())})
    assert response.status_code == 302
    [job] = run_queued_jobs()
    assert job.status == "failed" and job.error == "Nothing was imported: 300 problems to fix in the file."
    assert len(job.params["problems"]) == MAX_PROBLEMS == 50
    assert job.params["problems"][0] == [3, "category", job.params["problems"][0][2]]
    assert (job.params["problem_count"], job.params["problems_more"]) == (300, 250)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "The first 50 problems of 300, by row" in page and "and 250 more" in page
    assert page.count("No active category named") == 50
    assert not Risk.objects.exists()  # all or nothing: the good row was not kept


def test_rows_past_the_shown_problems_are_counted_not_saved(settings, owner, django_assert_max_num_queries):
    """Once the report is full nothing will be saved, so later good rows cost no database work."""
    settings.IMPORT_MAX_ROWS = 1000
    upload = SimpleUploadedFile("risks.csv", (HEADER + BAD * MAX_PROBLEMS + GOOD * 500).encode())
    with django_assert_max_num_queries(40):
        report = import_risks(upload, actor=owner)
    assert report.problem_count == MAX_PROBLEMS and not report.ok and not Risk.objects.exists()


def test_a_cell_too_long_for_the_csv_reader_names_its_row(owner):
    body = HEADER + GOOD + 'Long,"' + "x" * 200_000 + '"\n'
    report = import_risks(SimpleUploadedFile("risks.csv", body.encode()), actor=owner)
    [error] = report.errors
    assert error.message == (
        "Row 3 of the CSV file cannot be read: a cell is longer than 131,072 characters, the most a cell "
        "may hold."
    )
    response = client_for(owner).post("/risks/import/", {"file": SimpleUploadedFile("r.csv", body.encode())})
    assert response.status_code == 400 and "Row 3 of the CSV file cannot be read" in response.content.decode()


def test_a_file_that_turns_out_not_to_be_utf8_further_down_names_the_row(owner):
    body = (HEADER + GOOD * 3000).encode() + "Café,Safety\n".encode("latin-1")
    report = import_risks(SimpleUploadedFile("risks.csv", body), actor=owner)
    assert "not UTF-8 text" in report.errors[0].message and "Row 3,002" in report.errors[0].message


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker")
def test_a_real_worker_imports_a_file_checked_by_the_page(settings, owner):
    """The page only checks the file and queues it; a real Celery worker saves the rows, all in one go."""
    settings.IMPORT_MAX_ROWS = 50
    client = client_for(owner)
    body = HEADER + GOOD * 20
    response = client.post("/risks/import/", {"file": SimpleUploadedFile("risks.csv", body.encode())})
    job = wait_for(Job.objects.get())
    assert response.status_code == 302 and job.status == "done", job.error
    assert job.params["summary"] == "20 created, 0 updated, 0 unchanged."
    assert Risk.objects.filter(title="Good row", owner=owner).count() == 20
    assert not any((settings.PRIVATE_MEDIA_ROOT / "imports").iterdir())  # the upload was only a means
