"""A pack's AI system folder: every record that points at the system, the evidence attached to it, and its
dossier, all as of the pack's moment.

The dossier in a pack is drawn from the same as-of records as the folder's records files (one pass over
them), not from the records as they are at export: a pack as of 31 March shows the system, its risks,
assessments, data, models, KPIs and incidents as they stood on 31 March, each register with the columns
of its own list page. The live dossier (lifecycle.dossier, the system page's button) shows today."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from .as_of import ARCHIVED, RecordAsOf, records_as_of
from .content import Context, labels, rows_of, write_records, write_system_evidence
from .scope import safe_name

DOSSIER_ROWS = 100  # rows per register in the dossier; records.csv and records.json hold every one


@dataclass
class SystemFolder:
    """What one system folder holds, for the index and the manifest."""

    reference: str
    title: str
    folder: str
    records: int = 0
    evidence_files: int = 0


def system_links(model, system_model) -> list[str]:
    """How a register's records point at an AI system: foreign keys and many-to-many fields."""
    return [
        f.name
        for f in model._meta.get_fields()
        if f.concrete and (f.many_to_one or f.many_to_many) and f.related_model is system_model
    ]


def system_records(ctx: Context, system):
    """(register, record as of the moment) of the system itself and of every record pointing at it, as
    the exporter may view them."""
    system_model = type(system)
    for info in ctx.registers:
        model = info.model
        if model is system_model:
            queryset = model.objects.filter(pk=system.pk)
        else:
            links = [Q(**{name: system}) for name in system_links(model, system_model)]
            if not links:
                continue
            condition = links[0]
            for link in links[1:]:
                condition |= link
            queryset = model.objects.filter(condition)
        queryset = model.objects.restrict(ctx.user, "view").filter(pk__in=queryset.values("pk"))
        for item in records_as_of(queryset.order_by("reference"), ctx.moment):
            yield info, item


@dataclass
class RegisterPart:
    """One register's records in the dossier: the list page's columns, as of the moment."""

    label: str
    headings: list[str]
    fields: list[str]
    rows: list[list[str]] = field(default_factory=list)
    count: int = 0


def as_of_columns(info, limit: int = 5) -> tuple[list[str], list[str]]:
    """(headings, field names) of the register's list columns that are fields kept in history, so their
    value at the moment is known; reference and title come first in every table. A register whose list
    page is its own (no `columns`) shows its owner and its first fields with choices (status, level ...)."""
    tracked = labels(info.model)
    headings, fields = [], []
    for column in getattr(info.register, "columns", None) or []:
        heading, value = column[0], column[1]
        name = value.split(".", 1)[0] if isinstance(value, str) else None
        if name and name in tracked and name not in ("title", "reference") and name not in fields:
            headings.append(heading)
            fields.append(name)
    if not fields:
        chosen = [
            f.name
            for f in info.model._meta.concrete_fields
            if f.choices and f.name in tracked and f.name != "review_cadence"
        ]
        fields = ["owner", *chosen][:limit]
        headings = [tracked[name] for name in fields]
    return headings[:limit], fields[:limit]


class Dossier:
    """Collects the dossier's content while the folder's records files are written (`tee`)."""

    def __init__(self, system):
        self.system = system
        self.values: list[tuple[str, str]] = []
        self.parts: dict[str, RegisterPart] = {}

    def tee(self, items):
        for info, item in items:
            self.add(info, item)
            yield info, item

    def add(self, info, item: RecordAsOf) -> None:
        if type(item.record) is type(self.system) and item.record.pk == self.system.pk:
            names = labels(info.model)
            self.values = [(names.get(k, k), v) for k, v in item.values.items() if v and k != ARCHIVED]
            return
        part = self.parts.get(info.label)
        if part is None:
            headings, fields = as_of_columns(info)
            part = self.parts[info.label] = RegisterPart(info.label, headings, fields)
        part.count += 1
        if len(part.rows) < DOSSIER_ROWS:
            values = item.values
            part.rows.append(
                [item.record.reference, values.get("title", ""), *(values.get(f, "") for f in part.fields)]
            )

    def gates(self, moment) -> list[dict]:
        """Stage gate reviews asked by the moment, with the decision as it stood then."""
        reviews = getattr(self.system, "gate_reviews", None)
        if reviews is None:
            return []
        rows = []
        for gate in reviews.filter(requested_at__lte=moment).select_related("requested_by", "approver"):
            decided = gate.decided_at is not None and gate.decided_at <= moment
            rows.append(
                {"requested_at": gate.requested_at, "from": gate.get_from_stage_display(),
                 "to": gate.get_to_stage_display(), "requested_by": gate.requested_by, "approver": gate.approver,
                 "decision": gate.get_decision_display() if decided else "Waiting for the approver",
                 "reason": gate.reason if decided else ""}
            )  # fmt: skip
        return rows

    def html(self, ctx: Context) -> str:
        return render_to_string(
            "audits/pack/dossier.html",
            {"system": self.system, "values": self.values, "parts": list(self.parts.values()),
             "gates": self.gates(ctx.moment), "limit": DOSSIER_ROWS, "moment": ctx.moment,
             "generated": timezone.localtime(), "org": "AIMS", "requested_by": ctx.user,
             "title": f"System dossier {self.system.reference} as of {timezone.localtime(ctx.moment):%Y-%m-%d}"},
        )  # fmt: skip


def write_system(ctx: Context, system) -> SystemFolder:
    found = SystemFolder(
        system.reference, system.title, f"systems/{safe_name(f'{system.reference} {system.title}')}"
    )
    dossier = Dossier(system)
    rows = rows_of(dossier.tee(system_records(ctx, system)))
    found.records = write_records(ctx, found.folder, rows, f"{system.reference} {system.title}")

    def evidence():  # after the folder's records files and PDF
        found.evidence_files = write_system_evidence(ctx, found.folder, system)

    ctx.pipe.then(evidence)
    ctx.pipe.add_pdf(
        f"{found.folder}/dossier.pdf", dossier.html(ctx),
        {"kind": "dossier", "model": system._meta.label_lower, "reference": system.reference},
    )  # fmt: skip
    return found
