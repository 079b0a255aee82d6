"""Export and import of the AI risk register: what a user downloads, edits and uploads again."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aims.models import Change, Requirement
from aims.records import history
from registers.io import HEADERS, export_csv, export_response, export_xlsx, import_risks
from registers.models import Risk, RiskCategory, RiskCriteria
from registers.services import risk_accept, risk_archive, risk_update


def read_csv(content: bytes) -> list[dict]:
    assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(content: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(content))["AI risks"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def csv_upload(rows: list[dict]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADERS)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("risks.csv", buffer.getvalue().encode("utf-8-sig"))


def exported(risks, fmt="csv") -> list[dict]:
    criteria = RiskCriteria.current()
    if fmt == "csv":
        return read_csv(export_csv(risks, criteria))
    return read_xlsx(export_xlsx(risks, criteria))


@pytest.fixture
def new_row():
    """A row as a user would type it for a new risk (blank reference)."""
    return {
        "title": "Chatbot invents refund policy",
        "description": "The support assistant states refund terms that do not exist.",
        "ai_systems": "",
        "system_note": "Support assistant",
        "category": "transparency and explainability",
        "risk_source": "Lack of transparency and explainability",
        "affects_organisation": "yes",
        "affects_individuals": "TRUE",
        "affects_groups": "0",
        "affects_society": "no",
        "inherent_likelihood": "3",
        "inherent_impact": "3",
        "treatment": "Mitigate",
        "treatment_plan": "Ground answers in the policy documents; weekly sample review.",
        "residual_likelihood": "2",
        "residual_impact": "3",
        "requirements": "6.1.2 A.6.2.4",
        "next_review_on": "2031-01-31",
    }


# -- export ---------------------------------------------------------------------------------------
def test_the_csv_export_lists_every_column_readably(make_risk, owner):
    risk = make_risk(target_likelihood=1, target_impact=2)
    risk.requirements.set(Requirement.objects.mappable().filter(code__in=["6.1.2", "A.5.2"]))
    [row] = exported(Risk.objects.all())
    assert list(row) == HEADERS
    assert row["reference"] == risk.reference and row["version"] == "1"
    assert row["category"] == "Bias and fairness" and row["risk_source"] == "C.3.4"
    assert (row["affects_individuals"], row["affects_society"]) == ("yes", "no")
    assert (row["inherent_score"], row["inherent_level"]) == ("9", "Medium")
    assert (row["residual_score"], row["residual_level"]) == ("4", "Low")
    assert (row["target_likelihood"], row["target_impact"]) == ("1", "2")
    assert row["owner"] == "olivia" and row["status"] == "identified"
    assert row["next_review_on"] == risk.next_review_on.isoformat()
    assert row["requirements"] == "6.1.2 A.5.2"
    assert (row["accepted_by"], row["archived"]) == ("", "no")


def test_the_xlsx_export_has_a_bold_frozen_header_and_typed_cells(make_risk):
    risk = make_risk()
    content = export_xlsx(Risk.objects.all(), RiskCriteria.current())
    sheet = openpyxl.load_workbook(io.BytesIO(content))["AI risks"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    row = dict(zip(HEADERS, [c.value for c in sheet[2]], strict=True))
    assert row["reference"] == risk.reference and row["inherent_score"] == 9
    assert row["next_review_on"].date() == risk.next_review_on


def test_formulas_in_text_are_escaped_and_survive_a_round_trip(make_risk, owner):
    risk = make_risk(title='=HYPERLINK("http://evil.example","click")', description="@SUM(1+1)")
    csv_row = exported(Risk.objects.all())[0]
    assert csv_row["title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert csv_row["description"] == "'@SUM(1+1)"
    content = export_xlsx(Risk.objects.all(), RiskCriteria.current())
    cell = openpyxl.load_workbook(io.BytesIO(content))["AI risks"]["C2"]
    assert cell.data_type == "s" and cell.value.startswith("'=HYPERLINK")
    report = import_risks(SimpleUploadedFile("r.xlsx", content), actor=owner)
    assert report.ok and report.unchanged == [risk.reference]
    risk.refresh_from_db()
    assert risk.title.startswith("=HYPERLINK") and risk.version == 1


def test_export_response_names_the_file_and_refuses_other_formats(make_risk):
    make_risk()
    response = export_response(Risk.objects.all(), RiskCriteria.current(), "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    today = timezone.localdate()
    assert response["Content-Disposition"] == f'attachment; filename="ai-risks-{today:%Y-%m-%d}.xlsx"'
    assert export_response(Risk.objects.all(), RiskCriteria.current(), "csv")["Content-Type"].startswith(
        "text/csv"
    )
    with pytest.raises(ValueError, match="pdf"):
        export_response(Risk.objects.all(), RiskCriteria.current(), "pdf")


def test_each_user_exports_what_they_may_see(make_risk, owner, other_owner, auditor, outsider, manager):
    mine, theirs = make_risk(actor=owner), make_risk(actor=other_owner)
    risk_archive(theirs, actor=manager, expected_version=1)
    rows = exported(Risk.objects.restrict(auditor, "view"))
    assert {r["reference"] for r in rows} == {mine.reference, theirs.reference}
    assert {r["reference"]: r["archived"] for r in rows}[theirs.reference] == "yes"
    assert exported(Risk.objects.restrict(outsider, "view")) == []


@pytest.mark.parametrize(
    ("fmt", "export", "read"), [("csv", export_csv, read_csv), ("xlsx", export_xlsx, read_xlsx)]
)
def test_export_queries_do_not_grow_with_rows(
    fmt, export, read, make_risk, other_owner, django_assert_num_queries
):
    requirements = list(Requirement.objects.mappable().filter(code__in=["6.1.2", "A.5.2"]))
    criteria = RiskCriteria.current()
    for count in (10, 100):
        while Risk.objects.count() < count:
            actor = other_owner if Risk.objects.count() % 2 else None
            make_risk(actor=actor).requirements.set(requirements)
        with django_assert_num_queries(3):  # the risks with owners and categories; requirements; systems
            rows = read(export(Risk.objects.all(), criteria))
        assert len(rows) == count and {r["owner"] for r in rows} == {"olivia", "oscar"}
        assert rows[0]["requirements"] == "6.1.2 A.5.2"


# -- import: round trip and creation ----------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reimporting_an_unchanged_export_changes_nothing(fmt, make_risk, owner, other_owner, board, manager):
    risks = [
        make_risk(description="Line one\r\nline two", target_likelihood=1, target_impact=1),
        make_risk(actor=other_owner, system_note="", treatment="accept", treatment_plan=""),
        make_risk(title="-1 point of accuracy per month of drift"),
        make_risk(actor=other_owner),
    ]
    risks[0].requirements.set(Requirement.objects.mappable().filter(code__in=["6.1.2", "A.6.2.4"]))
    risk_accept(risks[2], actor=board, expected_version=1, rationale="Within appetite.")
    risk_archive(risks[3], actor=manager, expected_version=1)
    versions = dict(Risk.objects.values_list("reference", "version"))
    changes_before = Change.objects.count()
    export = export_csv if fmt == "csv" else export_xlsx
    content = export(Risk.objects.all(), RiskCriteria.current())
    # The owner may not edit the other owner's risks (nor an archived one), but an unchanged row is no edit.
    report = import_risks(SimpleUploadedFile(f"ai-risks.{fmt}", content), actor=owner)
    assert report.ok, report.errors
    assert (report.created, report.updated) == ([], [])
    assert sorted(report.unchanged) == sorted(versions)
    assert Change.objects.count() == changes_before
    assert dict(Risk.objects.values_list("reference", "version")) == versions
    assert Risk.objects.get(pk=risks[2].pk).accepted_by == board


def test_an_edited_export_updates_only_what_changed(make_risk, owner):
    risk = make_risk()
    rows = exported(Risk.objects.all())
    rows[0]["residual_likelihood"] = "1"
    rows[0]["requirements"] = "A.5.2"
    report = import_risks(csv_upload(rows), actor=owner)
    assert report.ok and report.updated == [risk.reference]
    risk.refresh_from_db()
    assert (risk.version, risk.residual_score) == (2, 2)
    # Every risk keeps the clauses the register serves by its nature (Risk.serves).
    assert sorted(r.code for r in risk.requirements.all()) == ["6.1.2", "6.1.3", "8.2", "8.3", "A.5.2"]
    fields = {c["field"] for c in history(risk).first().changes}
    assert fields == {"residual_likelihood", "requirements"}


def test_a_blank_reference_creates_a_risk_owned_by_the_importer(new_row, owner):
    report = import_risks(csv_upload([new_row]), actor=owner)
    assert report.ok and report.summary == "1 created, 0 updated, 0 unchanged."
    risk = Risk.objects.get(reference=report.created[0])
    assert risk.owner == owner and risk.category.name == "Transparency and explainability"
    assert risk.risk_source == "C.3.2" and risk.treatment == "mitigate"
    assert (risk.affects_organisation, risk.affects_individuals, risk.affects_groups) == (True, True, False)
    assert (risk.inherent_score, risk.residual_score) == (9, 6)
    assert sorted(r.code for r in risk.requirements.all()) == [
        "6.1.2",
        "6.1.3",
        "8.2",
        "8.3",
        "A.6.2.4",
    ]  # and Risk.serves
    assert str(risk.next_review_on) == "2031-01-31"
    assert history(risk).get().action == Change.Action.IMPORTED


def test_an_xlsx_typed_by_hand_imports_numbers_dates_and_booleans(new_row, owner, other_owner):
    values = {
        **new_row,
        "inherent_likelihood": 3,
        "inherent_impact": 3.0,
        "affects_groups": False,
        "next_review_on": dt.datetime(2031, 1, 31),
        "owner": "OSCAR",
    }
    workbook = openpyxl.Workbook()
    workbook.active.append(list(values))
    workbook.active.append(list(values.values()))
    workbook.active.append([None] * len(values))  # a blank row is skipped
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_risks(SimpleUploadedFile("Mine.XLSX", buffer.getvalue()), actor=owner)
    assert report.ok, report.errors
    risk = Risk.objects.get(reference=report.created[0])
    assert risk.owner == other_owner and risk.inherent_score == 9 and not risk.affects_groups
    assert risk.next_review_on == dt.date(2031, 1, 31)


# -- import: errors -----------------------------------------------------------------------------------
def test_every_row_error_is_reported_and_nothing_is_saved(new_row, make_risk, owner):
    existing = make_risk()
    changes_before = Change.objects.count()
    rows = [
        new_row,  # valid: row 2
        {**new_row, "inherent_likelihood": "7", "category": "Astrology", "requirements": "6.1.2 Z.9"},
        {**new_row, "residual_likelihood": "5", "residual_impact": "5"},  # residual above inherent
        {**new_row, "reference": "RSK-9999", "version": "1"},
        {**new_row, "reference": existing.reference, "version": "", "title": "Renamed"},
        {**new_row, "title": "", "affects_groups": "maybe", "next_review_on": "31/01/2031"},
        {**new_row, "owner": "audrey", "treatment": "ignore", "review_cadence": "weekly"},
    ]
    report = import_risks(csv_upload(rows), actor=owner)
    assert not report.ok and report.created == []
    where = {(e.row_number, e.column) for e in report.errors}
    assert where == {
        (3, "inherent_likelihood"), (3, "category"), (3, "requirements"),
        (4, "residual_impact"),
        (5, "reference"),
        (6, "version"),
        (7, "title"), (7, "affects_groups"), (7, "next_review_on"),
        (8, "owner"), (8, "treatment"), (8, "review_cadence"),
    }  # fmt: skip
    messages = {(e.row_number, e.column): e.message for e in report.errors}
    assert "'7' is not a whole number from 1 to 5" in messages[3, "inherent_likelihood"]
    assert "Astrology" in messages[3, "category"] and "Bias and fairness" in messages[3, "category"]
    assert "'Z.9'" in messages[3, "requirements"]
    assert "cannot exceed inherent risk" in messages[4, "residual_impact"]
    assert messages[5, "reference"] == "RSK-9999: no such risk."
    assert "version" in messages[6, "version"]
    assert "'weekly' is not one of 30, 91, 182, 365" in messages[8, "review_cadence"]
    assert str(report.errors[0]).startswith("Row 3, ")
    assert Risk.objects.count() == 1 and Change.objects.count() == changes_before
    assert Risk.objects.get().title == existing.title


def test_a_short_row_reads_its_missing_cells_as_blank(owner):
    upload = SimpleUploadedFile("risks.csv", (",".join(HEADERS) + "\r\n,,Only a title\r\n").encode())
    report = import_risks(upload, actor=owner)
    columns = {e.column for e in report.errors if e.message.startswith("Required")}
    assert columns == {"category", "risk_source", "inherent_likelihood", "inherent_impact",
                       "residual_likelihood", "residual_impact"}  # fmt: skip
    assert {e.row_number for e in report.errors} == {2}


def test_a_stale_row_says_who_changed_the_risk_since(make_risk, owner, manager):
    risk = make_risk()
    rows = exported(Risk.objects.all())
    risk_update(risk, actor=manager, expected_version=1, fields={"title": "Renamed by the manager"})
    rows[0]["description"] = "My edit, made on an old export"
    report = import_risks(csv_upload(rows), actor=owner)
    [error] = report.errors
    assert (error.row_number, error.column) == (2, "version")
    assert "Maria" in error.message and "Title" in error.message and "Nothing was saved" in error.message
    risk.refresh_from_db()
    assert risk.title == "Renamed by the manager" and risk.description != "My edit, made on an old export"


def test_changing_another_owners_risk_is_a_row_error(make_risk, owner, other_owner):
    theirs = make_risk(actor=other_owner)
    rows = exported(Risk.objects.all())
    rows[0]["treatment_plan"] = "Owner Olivia rewrote this."
    report = import_risks(csv_upload(rows), actor=owner)
    [error] = report.errors
    assert (error.row_number, error.column) == (2, "reference")
    assert f"Only the owner of {theirs.reference} (Oscar)" in error.message
    theirs.refresh_from_db()
    assert theirs.version == 1


def test_an_auditor_cannot_create_by_import(new_row, auditor):
    report = import_risks(csv_upload([new_row]), actor=auditor)
    assert [(e.row_number, e.column) for e in report.errors] == [(2, "row")]
    assert "Only owners and the AIMS manager" in report.errors[0].message
    assert not Risk.objects.exists()


def test_a_repeated_reference_is_refused(make_risk, owner):
    rows = exported(Risk.objects.filter(pk=make_risk().pk)) * 2
    report = import_risks(csv_upload(rows), actor=owner)
    assert [(e.row_number, e.column) for e in report.errors] == [(3, "reference")]
    assert "already on row 2" in report.errors[0].message


def file_error(report) -> str:
    [error] = report.errors
    assert (error.row_number, error.column) == (0, "file")
    assert str(error).startswith("File, file: ")
    return error.message


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("risks.pdf", b"%PDF-1.7 ...", "Upload a .csv or .xlsx file"),
        ("risks", b"title\n", "Upload a .csv or .xlsx file"),
        ("risks.xlsx", b"title,category\nA,B\n", "not a valid XLSX workbook"),
        ("risks.xlsx", b"PK\x03\x04" + bytes(range(256)) * 4, "not a valid XLSX workbook"),
        ("risks.csv", bytes(range(256)) * 4, "not UTF-8"),
        ("risks.csv", b"title,\x00category\n", "binary data"),
        ("risks.csv", b"", "The file is empty."),
        ("risks.csv", b"\xef\xbb\xbf\n\n", "first row must hold the column headers"),
        ("risks.csv", ",".join(HEADERS).encode(), "header row but no rows of risks"),
        ("risks.csv", b"title,colour,size\nA,red,1\n", "Unknown column(s): 'colour', 'size'"),
        ("risks.csv", b"title,description\nA,B\n", "Missing required column(s): category, risk_source"),
        ("risks.csv", b'title,"' + b"x" * 200_000 + b'"\n', "cannot be read"),
    ],
)
def test_a_file_that_is_not_a_risk_register_is_refused_clearly(name, content, expected, owner):
    report = import_risks(SimpleUploadedFile(name, content), actor=owner)
    assert expected in file_error(report)
    assert report.summary.startswith("Nothing was imported")


def test_an_oversize_file_is_refused_before_reading(settings, new_row, owner):
    settings.MAX_UPLOAD_BYTES = 200
    upload = csv_upload([new_row] * 3)
    assert upload.size > 200
    assert "the limit is 0.2 KB" in file_error(import_risks(upload, actor=owner))
    assert not Risk.objects.exists()


def test_huge_and_odd_cells_get_row_errors_not_a_crash(new_row, owner):
    rows = [
        {**new_row, "title": "T" * 100_000},
        {**new_row, "inherent_impact": "9" * 5000},
        {**new_row, "residual_impact": "²"},
    ]
    report = import_risks(csv_upload(rows), actor=owner)
    columns = [(e.row_number, e.column) for e in report.errors]
    assert columns == [(2, "title"), (3, "inherent_impact"), (4, "residual_impact")]
    assert "at most 200 characters" in report.errors[0].message
    assert len(report.errors[1].message) < 100


def test_semicolon_csv_from_a_european_excel_is_read(new_row, owner):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows([list(new_row), list(new_row.values())])
    report = import_risks(SimpleUploadedFile("risks.csv", buffer.getvalue().encode()), actor=owner)
    assert report.ok and len(report.created) == 1


# -- volume (its speed is measured by `make bench`) --------------------------------------------------
@pytest.mark.slow
def test_export_of_a_thousand_risks_is_complete(owner):
    category = RiskCategory.objects.first()
    risks = [
        Risk(
            reference=f"RSK-{n:04d}", title=f"Risk {n}", description="Some text, with a comma\nand a line.",
            category=category, risk_source="C.3.4", affects_individuals=True, inherent_likelihood=3,
            inherent_impact=3, inherent_score=9, residual_likelihood=2, residual_impact=2, residual_score=4,
            treatment_plan="Plan", owner=owner, created_by=owner, updated_by=owner,
        )
        for n in range(1, 1001)
    ]  # fmt: skip
    Risk.objects.bulk_create(risks)
    requirement = Requirement.objects.mappable().get(code="6.1.2")
    Risk.requirements.through.objects.bulk_create(
        [Risk.requirements.through(risk=r, requirement=requirement) for r in Risk.objects.all()]
    )
    criteria = RiskCriteria.current()
    for fmt, export in (("csv", export_csv), ("xlsx", export_xlsx)):
        content = export(Risk.objects.all(), criteria)
        rows = read_csv(content) if fmt == "csv" else read_xlsx(content)
        assert len(rows) == 1000 and rows[-1]["requirements"] == "6.1.2"
