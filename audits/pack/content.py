"""What goes into a pack's folders: the records of every register that serve a clause or control (mapped to
it, or serving it by the nature of their register: `serves` on the model), as they were at the pack's
moment, written as records.csv, records.json and a records.pdf; the evidence files current at that moment
under evidence/; and, in a whole-AIMS pack, every register complete under registers/.

One pass over the database per folder and register, in chunks: the CSV and the JSON are spooled to
temporary files and queued for the ZIP (audits.pack.pipeline, which writes them in order while workers lay
out the PDFs), and only the first PDF_ROWS records are kept for the PDF (the CSV and JSON carry them all).
A register read whole (every folder a register serves by its nature, and registers/) is read from the
database once: its rows, CSV and JSON already rendered, are spooled to a temporary file and replayed from
there for every other folder that holds it whole, so a risk register is not rebuilt from its history five
times over (6.1.2, 6.1.3, 8.2, 8.3 and registers/)."""

import csv
import datetime as dt
import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator, capfirst

from aims.files import original_name
from aims.models import BaseRecord, Requirement
from aims.records import tracked_fields
from aims.registry import registry
from aims.spreadsheets import escape_formula

from .as_of import ARCHIVED, RecordAsOf, files_as_of, ids_with_requirement_changes, records_as_of
from .scope import Section, safe_name

PDF_ROWS = 50  # records shown in a folder's records.pdf; the CSV and JSON hold every one
PDF_DETAILS = 300  # characters of a record's details shown in the PDF
CSV_COLUMNS = ["Register", "Reference", "Title", "Owner", "Clauses and controls", "Version", "Details"]
SUMMARY_FIELDS = ("title", "owner", "requirements", ARCHIVED)
EVIDENCE_CHUNK = 200


def registers() -> list:
    """Every register whose records map to requirements (all BaseRecord registers)."""
    return [info for info in registry.registers if issubclass(info.model, BaseRecord)]


@cache
def labels(model) -> dict[str, str]:
    return {f.name: capfirst(str(f.verbose_name)) for f in tracked_fields(model)}


def served_codes(model) -> tuple[str, ...]:
    """The clauses every record of `model` serves by its nature (BaseRecord.serves)."""
    return tuple(getattr(model, "serves", ()))


def record_entry(info, item: RecordAsOf) -> dict:
    model = type(item.record)
    names = labels(model)
    return {
        "register": info.label,
        "model": model._meta.label_lower,
        "reference": item.record.reference,
        "title": item.values.get("title", ""),
        "owner": item.values.get("owner", ""),
        # The links it had at the moment, and what its register serves by nature (a record saved before
        # its register declared `serves` may not carry those links yet): the reasons it is in a folder.
        "requirements": sorted({*item.requirement_codes, *served_codes(model)}),
        "version": item.version,
        "fields": {names.get(k, k): v for k, v in item.values.items() if k != ARCHIVED},
    }


def details(entry: dict) -> str:
    skip = ("Title", "Owner", "Clauses and controls")  # columns of their own
    return " | ".join(f"{k}: {v}" for k, v in entry["fields"].items() if v and k not in skip)


def csv_row(entry: dict) -> list[str]:
    return [
        escape_formula(v)
        for v in (
            entry["register"], entry["reference"], entry["title"], entry["owner"],
            ", ".join(entry["requirements"]), entry["version"], details(entry),
        )
    ]  # fmt: skip


def csv_line(entry: dict) -> str:
    line = io.StringIO(newline="")
    csv.writer(line).writerow(csv_row(entry))
    return line.getvalue()


@dataclass(slots=True)
class Row:
    """One record as a folder's records files hold it, rendered once: its line of records.csv and its
    entry in records.json (text), with its model and id (a record counts once however many folders)."""

    model: str
    pk: int
    csv: str
    json: str
    parsed: dict | None = None

    @classmethod
    def of(cls, info, item: RecordAsOf) -> "Row":
        entry = record_entry(info, item)
        return cls(
            entry["model"], item.record.pk, csv_line(entry), json.dumps(entry, ensure_ascii=False), entry
        )

    @property
    def entry(self) -> dict:
        if self.parsed is None:
            self.parsed = json.loads(self.json)
        return self.parsed

    def dumps(self) -> str:
        """One line of a register's spool (JSON escapes every line break the CSV and JSON hold)."""
        return json.dumps([self.model, self.pk, self.csv, self.json], ensure_ascii=False) + "\n"

    @classmethod
    def loads(cls, line: str) -> "Row":
        model, pk, csv_text, json_text = json.loads(line)
        return cls(model, pk, csv_text, json_text)


def rows_of(items: Iterable[tuple[object, RecordAsOf]]) -> Iterator[Row]:
    return (Row.of(info, item) for info, item in items)


class Context:
    """What every folder needs to know: who the pack is for, the moment, and per register the records
    whose requirement links changed since then."""

    def __init__(self, user, moment: dt.datetime, writer, pipe):
        self.user, self.moment, self.writer = user, moment, writer
        # Entries in pack order (audits.pack.pipeline.Pipeline): what is written to `writer` directly
        # (evidence files) is written in a step of the pipe, at its turn.
        self.pipe = pipe
        self.registers = registers()
        self._changed: dict = {}
        self._mapped: dict = {}
        self._served: dict = {}
        self.record_rows = 0  # rows written in records files, a record once per folder it is in
        self.records: set[tuple[str, int]] = set()  # (model, id) of every record in the pack, once
        self._whole: dict = {}  # model -> spool of its rows, once a pass over the whole register ended

    def whole(self, info) -> Iterator[Row]:
        """Every record of the register that the exporter may view, as of the moment, in reference order:
        from the database the first time, replayed from a spool on disk after that. One reader at a time
        (a folder's records are written one register after the other)."""
        spool = self._whole.get(info.model)
        if spool is not None:
            spool.seek(0)
            for line in spool:
                yield Row.loads(line)
            return
        spool = tempfile.TemporaryFile("w+", encoding="utf-8")
        for row in rows_of((info, item) for item in records_as_of(visible(self, info.model), self.moment)):
            spool.write(row.dumps())
            yield row
        self._whole[info.model] = spool  # kept only once complete: a pass left halfway is read again

    def close(self) -> None:
        for spool in self._whole.values():
            spool.close()
        self._whole.clear()

    def serves(self, model, requirement_ids) -> bool:
        """Whether every record of `model` serves one of these requirements by its nature."""
        if model not in self._served:
            codes = served_codes(model)
            self._served[model] = (
                set(Requirement.objects.mappable().filter(code__in=codes).values_list("pk", flat=True))
                if codes
                else set()
            )
        return bool(self._served[model].intersection(requirement_ids))

    def may_hold(self, model, requirement_ids) -> bool:
        """Whether any record of `model` is (or was, since the moment) linked to these requirements: one
        small query per register for the whole pack spares a query per folder and register."""
        if model not in self._mapped:
            through = model._meta.get_field("requirements").remote_field.through
            self._mapped[model] = set(through.objects.values_list("requirement_id", flat=True).distinct())
        return bool(self._mapped[model].intersection(requirement_ids) or self.changed(model))

    def changed(self, model) -> set[int]:
        if model not in self._changed:
            self._changed[model] = ids_with_requirement_changes(model, self.moment)
        return self._changed[model]


def mapped_records(ctx: Context, section: Section) -> Iterator[Row]:
    """Records the user may view that served the section's requirements at the moment: every record of a
    register that serves one by its nature, and the records mapped to one then."""
    codes = set(Requirement.objects.filter(pk__in=section.requirement_ids).values_list("code", flat=True))
    for info in ctx.registers:
        model = info.model
        if ctx.serves(model, section.requirement_ids):
            yield from ctx.whole(info)
            continue
        if not ctx.may_hold(model, section.requirement_ids):
            continue
        changed = ctx.changed(model)
        condition = Q(requirements__in=section.requirement_ids)
        if changed:
            condition |= Q(pk__in=changed)
        candidates = model.objects.filter(condition).values("pk")
        for item in records_as_of(visible(ctx, model).filter(pk__in=candidates), ctx.moment):
            # Links changed since the moment: trust the links the record had then, not today's.
            if item.record.pk in changed and not codes.intersection(item.requirement_codes):
                continue
            yield Row.of(info, item)


def visible(ctx: Context, model):
    """The exporter's view of a register (aims.permissions.restrict), in reference order."""
    return model.objects.restrict(ctx.user, "view").order_by("reference")


def write_records(ctx: Context, folder: str, rows: Iterable[Row], title: str, *, pdf: bool = True) -> int:
    """records.csv, records.json and (unless `pdf` is false) records.pdf of one folder, queued in the
    pack's pipe; returns how many records."""
    count, shown = 0, []
    # Many records per file: the manifest names how many and of which registers; each record's model and
    # reference are in records.json, whose hash the manifest holds.
    source: dict = {"kind": "records", "folder": folder, "records": 0, "models": []}
    models: set[str] = set()
    csv_spool, json_spool = _text_spool(), _text_spool()
    try:
        csv.writer(csv_spool).writerow(CSV_COLUMNS)
        for row in rows:
            csv_spool.write(row.csv)
            json_spool.write(("[\n" if count == 0 else ",\n") + row.json)
            if len(shown) < PDF_ROWS:  # the PDF is for reading: long details are cut there only
                entry = row.entry
                shown.append({**entry, "details": Truncator(details(entry)).chars(PDF_DETAILS)})
            count += 1
            models.add(row.model)
            ctx.records.add((row.model, row.pk))
        json_spool.write("\n]\n" if count else "[]\n")
    except BaseException:
        csv_spool.close()
        json_spool.close()
        raise
    source.update(records=count, models=sorted(models))
    ctx.pipe.add_spool(f"{folder}/records.csv", _detach(csv_spool), source)
    ctx.pipe.add_spool(f"{folder}/records.json", _detach(json_spool), source)
    ctx.record_rows += count
    if not count or not pdf:
        return count  # an empty folder is listed in index.pdf: no PDF to say so again (and none to lay out)
    html = render_to_string(
        "audits/pack/records.html",
        {"title": title, "records": shown, "count": count, "limit": PDF_ROWS, "moment": ctx.moment,
         "generated": timezone.localtime(), "org": "AIMS", "requested_by": ctx.user},
    )  # fmt: skip
    ctx.pipe.add_pdf(f"{folder}/records.pdf", html, source)
    return count


def _text_spool() -> io.TextIOWrapper:
    """A temporary file on disk for UTF-8 text (the CSV module's line ends kept as they are)."""
    return io.TextIOWrapper(tempfile.TemporaryFile("w+b"), encoding="utf-8", newline="")


def _detach(spool: io.TextIOWrapper):
    spool.flush()
    return spool.detach()


def write_evidence(ctx: Context, folder: str, requirement_ids) -> int:
    """The evidence files mapped (directly or through a crosswalk) to the folder's requirements, in the
    version current at the moment; evidence expired by then no longer counts and is left out."""
    from audits.models import Evidence

    if not ctx.may_hold(Evidence, requirement_ids):
        return 0
    codes = set(Requirement.objects.filter(pk__in=requirement_ids).values_list("code", flat=True))
    changed = ctx.changed(Evidence)
    condition = Q(requirements__in=requirement_ids) | (Q(pk__in=changed) if changed else Q(pk__in=[]))
    items = records_as_of(_file_evidence(ctx, Evidence.objects.filter(condition)), ctx.moment)
    # Links changed since the moment: trust the links the evidence had then, not today's.
    kept = (i for i in items if i.record.pk not in changed or codes.intersection(i.requirement_codes))
    return write_evidence_files(ctx, folder, kept)


def _file_evidence(ctx: Context, candidates):
    from audits.models import Evidence

    return (
        Evidence.objects.restrict(ctx.user, "view")
        .filter(pk__in=candidates.values("pk"), kind=Evidence.Kind.FILE)
        .order_by("reference")
    )


def write_evidence_files(ctx: Context, folder: str, items) -> int:
    """Stream each piece of evidence's file current at the moment into `folder`/evidence/, in batches."""
    day = timezone.localtime(ctx.moment).date().isoformat()
    written, batch = 0, []

    def flush():
        nonlocal written
        files = files_as_of([item.record.pk for item in batch], ctx.moment)
        for item in batch:
            stored = files.get(item.record.pk)
            if stored is None or not item.values.get("file_name"):
                continue
            # Shortened before it is joined to the reference, so a long name keeps its extension.
            file_name = original_name(stored.file_name, 149 - len(item.record.reference))
            name = f"{folder}/evidence/{safe_name(f'{item.record.reference} {file_name}', 150)}"
            source = {
                "kind": "evidence",
                "model": "audits.evidence",
                "reference": item.record.reference,
                "file_number": stored.number,
                "file_sha256": stored.sha256,
            }
            with stored.file.open("rb") as stream:
                ctx.writer.add_stream(name, stream, source, stored.size)
            written += 1
        batch.clear()

    for item in items:
        valid_until = item.values.get("valid_until", "")
        if valid_until and valid_until < day:
            continue  # expired by the moment: no longer counts (Evidence.current)
        batch.append(item)
        if len(batch) >= EVIDENCE_CHUNK:
            flush()
    flush()
    return written


def write_system_evidence(ctx: Context, folder: str, system) -> int:
    """Evidence attached to the AI system itself (EvidenceLink), as of the moment."""
    from django.contrib.contenttypes.models import ContentType

    from audits.models import Evidence

    linked = Evidence.objects.filter(
        links__content_type=ContentType.objects.get_for_model(type(system)), links__object_id=system.pk
    )
    return write_evidence_files(ctx, folder, records_as_of(_file_evidence(ctx, linked), ctx.moment))


def write_section(ctx: Context, section: Section) -> None:
    title = f"{section.requirement.code} {section.requirement.title}"
    section.records = write_records(ctx, section.folder, mapped_records(ctx, section), title)

    def evidence():  # after the folder's records files and PDF
        section.evidence_files = write_evidence(ctx, section.folder, section.requirement_ids)

    ctx.pipe.then(evidence)


def write_registers(ctx: Context) -> list[tuple[str, str, int]]:
    """registers/<register>/records.csv and records.json: every register complete as the exporter may
    view it, as of the moment, with the same columns as the folders. Returns (register, folder, records)."""
    written = []
    for info in ctx.registers:
        folder = f"registers/{safe_name(info.label)}"
        written.append(
            (info.label, folder, write_records(ctx, folder, ctx.whole(info), info.label, pdf=False))
        )
    return written
