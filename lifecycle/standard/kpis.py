"""KPIs and their measurements (ISO/IEC 42001 9.1 monitoring and measurement, A.6.2.6 operation and
monitoring of AI systems): what is measured, its target, warning and breach thresholds, how often, and
every measurement -- entered on the page, imported from CSV or pushed by a pipeline through the API.

A measurement moves the KPI's state (on target, warning, breach). Moving into breach notifies the owner
and drafts an AI incident; a late measurement reminds the owner through the daily sweep."""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import django_filters as filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from aims import permissions, records
from aims.api.base import make_api
from aims.charts import line_chart_svg
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.models import Notification
from aims.registry import registry
from aims.services import RecordServices
from aims.views.records import RecordMixin, make_views, record_url_names
from lifecycle.models import KPI, AISystem, Incident, Measurement
from registers.models import Objective
from reviews.raising import RAISE_NC_FROM_KPI

MENU = ("KPIs", "kpis", 80)

FIELDS = [
    "title", "metric", "unit", "direction", "target", "warning", "breach", "frequency_days", "system",
    "objective", "owner", "review_cadence", "next_review_on",
]  # fmt: skip

CHART_POINTS = 100  # the chart shows the last 100 measurements; the table the latest few
TABLE_ROWS = 20
FUTURE_GRACE = dt.timedelta(minutes=5)  # a pipeline's clock may run a little ahead of ours
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LIMIT = Decimal("1e10")  # the model stores 14 digits, 4 after the point
QUANTUM = Decimal("0.0001")

services = RecordServices(KPI, FIELDS)
State = KPI.State
BADGE = {State.OK: "badge-ok", State.WARNING: "badge-warn", State.BREACH: "badge-bad", State.NO_DATA: ""}


def number(value) -> str:
    """0.8100 -> 0.81: values as people write them, in the list, the table and messages."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def with_unit(value, unit: str) -> str:
    shown = number(value)
    return f"{shown} {unit}".strip() if shown else ""


def state_badge(kpi):
    # The state in words inside the coloured badge: never colour alone.
    return format_html('<span class="badge {}">{}</span>', BADGE.get(kpi.state, ""), kpi.get_state_display())


# -- when a measurement is overdue --------------------------------------------------------------------
def _due_at():
    """When the next measurement is due: the last one (or the KPI's creation) plus its frequency."""
    return ExpressionWrapper(
        Coalesce(F("last_measured_at"), F("created_at")) + F("frequency_days") * dt.timedelta(days=1),
        output_field=DateTimeField(),
    )


def overdue(queryset, at=None):
    """KPIs whose next measurement was due before `at` (default: now), in SQL."""
    at = at or timezone.now()
    if connection.vendor == "sqlite":
        # SQLite (make run's embedded database) cannot add a number of days held in a column to a
        # timestamp; the embedded setup holds a handful of KPIs, so the dates are compared here instead.
        late = [
            k.pk
            for k in queryset.only("pk", "last_measured_at", "created_at", "frequency_days")
            if (k.last_measured_at or k.created_at) + dt.timedelta(days=k.frequency_days) < at
        ]
        return queryset.filter(pk__in=late)
    return queryset.alias(due_at=_due_at()).filter(due_at__lt=at)


def due_date(kpi) -> dt.date:
    basis = kpi.last_measured_at or kpi.created_at
    return timezone.localdate(basis + dt.timedelta(days=kpi.frequency_days))


# -- the measurement service --------------------------------------------------------------------------
def _clean_value(value) -> Decimal:
    try:
        value = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"value": "Give a number, e.g. 0.82 or 97.5."}) from None
    if not value.is_finite() or value.copy_abs() >= LIMIT:  # copy_abs: no context, no overflow
        raise ValidationError({"value": "Give a number between -9999999999 and 9999999999."})
    return value.quantize(QUANTUM)  # a pipeline's 0.812345678 is kept to the 4 places the KPI stores


def _clean_measured_at(measured_at) -> dt.datetime:
    if measured_at is None:
        return timezone.now()
    if isinstance(measured_at, dt.date) and not isinstance(measured_at, dt.datetime):
        measured_at = dt.datetime.combine(measured_at, dt.time())
    if timezone.is_naive(measured_at):
        measured_at = timezone.make_aware(measured_at)
    if measured_at > timezone.now() + FUTURE_GRACE:
        raise ValidationError({"measured_at": "A measurement cannot be in the future."})
    if measured_at < EARLIEST:
        raise ValidationError({"measured_at": "A measurement cannot be before 1970."})
    return measured_at


@transaction.atomic
def record_measurement(kpi, *, actor, value, measured_at=None, source: str, note: str = ""):
    """Store one measurement; if it is the newest, move the KPI's state, last value and time on (with
    history). A pipeline pushes blind, so no version is asked for: the KPI row is locked and its
    current version passed on. Into breach from any other state: the owner is notified and an AI
    incident drafted (A.8.4); staying in breach drafts nothing more."""
    locked = KPI.objects.select_for_update(of=("self",)).select_related("owner", "system").get(pk=kpi.pk)
    permissions.require(actor, "change", locked)
    if locked.is_archived:
        raise PermissionDenied(f"{locked.reference} is archived; restore it before recording measurements.")
    measurement = Measurement(
        kpi=locked,
        value=_clean_value(value),
        measured_at=_clean_measured_at(measured_at),
        source=source,
        recorded_by=actor,
        note=(note or "").strip(),
    )
    measurement.full_clean(exclude=["kpi", "recorded_by"])
    measurement.save()
    newer = locked.measurements.filter(measured_at__gt=measurement.measured_at).exists()
    if newer:  # a late or back-filled value: kept in the series, the state stays with the newest
        return measurement
    before = locked.state
    after = locked.state_of(measurement.value)
    when = timezone.localtime(measurement.measured_at)
    record = records.update_record(
        locked,
        actor=actor,
        expected_version=locked.version,
        fields={"state": after, "last_value": measurement.value, "last_measured_at": measurement.measured_at},
        extra_changes=[
            {
                "field": "last_value",
                "label": "Last value",
                "old": with_unit(locked.last_value, locked.unit),
                "new": with_unit(measurement.value, locked.unit),
            }
        ],
        note=f"Measured {with_unit(measurement.value, locked.unit)} at {when:%Y-%m-%d %H:%M} "
        f"({measurement.get_source_display().lower()}).",
    )
    if after == State.BREACH and before != State.BREACH:
        _breached(record, measurement, actor=actor)
    return measurement


def _breached(kpi, measurement, *, actor):
    from lifecycle.standard.incidents import draft_incident  # written alongside; imported when needed

    value = with_unit(measurement.value, kpi.unit)
    threshold = with_unit(kpi.breach, kpi.unit)
    serious = kpi.system is not None and kpi.system.criticality >= 4
    incident = draft_incident(
        actor=actor,
        system=kpi.system,
        title=f"{kpi.reference} in breach: {kpi.title}"[:200],
        description=f"{kpi.metric} measured {value} on "
        f"{timezone.localtime(measurement.measured_at):%Y-%m-%d %H:%M}, past the breach threshold of "
        f"{threshold} (target {with_unit(kpi.target, kpi.unit)}). Investigate the cause and the harm.",
        severity=Incident.Severity.HIGH if serious else Incident.Severity.MEDIUM,
        drafted_from=kpi.reference,
        owner=kpi.owner,  # the KPI's owner investigates, not the pipeline account that pushed the value
    )
    Notification.objects.get_or_create(
        user=kpi.owner,
        key=f"kpi-breach:{kpi.pk}:{measurement.pk}",
        defaults={
            "kind": Notification.Kind.REVIEW_DUE,  # no kind of its own: a breach asks the owner to act
            "message": f"{kpi.reference} {kpi.title} is in breach: {value} (breach threshold {threshold}). "
            f"{incident.reference} was drafted for you to investigate."[:500],
            "url": kpi.get_absolute_url(),
        },
    )


# -- the register -------------------------------------------------------------------------------------
class KPIForm(RecordForm):
    class Meta:
        model = KPI
        fields = [*FIELDS, "requirements"]
        help_texts = {
            "target": "The value aimed for.",
            "warning": "Past this value the KPI shows a warning.",
            "breach": "Past this value the KPI is in breach: the owner is told and an incident drafted.",
        }


class KPIFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "metric")
    state = filters.ChoiceFilter(choices=State.choices, empty_label="Any")
    system = filters.ModelChoiceFilter(
        queryset=AISystem.objects.all(), to_field_name="reference", empty_label="Any", label="AI system"
    )
    objective = filters.ModelChoiceFilter(
        queryset=Objective.objects.all(), to_field_name="reference", empty_label="Any", label="AI objective"
    )
    overdue = YesNoFilter(method="filter_overdue", label="Measurement overdue")
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("state", "state"),
            ("last_measured_at", "last_measured"),
        )
    )

    class Meta:
        model = KPI
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return overdue(queryset)
        return queryset.alias(due_at=_due_at()).exclude(due_at__lt=timezone.now())


def _last_measured(kpi):
    return timezone.localtime(kpi.last_measured_at).strftime("%Y-%m-%d %H:%M") if kpi.last_measured_at else ""


class MeasurementForm(forms.Form):
    """One measurement on the KPI's page; the service checks the value and time (one set of rules)."""

    value = forms.DecimalField(help_text="Up to 4 decimal places are kept.")
    measured_at = forms.DateTimeField(
        label="Measured at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Empty: now.",
    )
    note = forms.CharField(max_length=500, required=False, help_text="e.g. the sample or the data set.")


def kpi_context(request, kpi, tab):
    if tab != "details":
        return {}
    latest = list(kpi.measurements.select_related("recorded_by")[:CHART_POINTS])
    can_measure = not kpi.is_archived and permissions.allowed(request.user, "change", kpi)
    return {
        "state_badge": state_badge(kpi),
        "last_value": with_unit(kpi.last_value, kpi.unit),
        "measurements": [
            (m, with_unit(m.value, kpi.unit), State(kpi.state_of(m.value)).label) for m in latest[:TABLE_ROWS]
        ],
        "measurement_count": kpi.measurements.count(),
        "chart": line_chart_svg(
            [(m.measured_at, m.value) for m in latest],
            target=kpi.target,
            warning=kpi.warning,
            breach=kpi.breach,
            title=f"{kpi.reference} {kpi.title}",
            unit=kpi.unit,
        ),
        "can_measure": can_measure,
        "measurement_form": MeasurementForm() if can_measure else None,
        "due_on": due_date(kpi),
    }


views = make_views(
    KPI,
    services=services,
    form_class=KPIForm,
    filterset_class=KPIFilterSet,
    columns=[
        ("KPI", "title", "title"),
        ("State", state_badge, "state"),
        ("Last value", lambda k: with_unit(k.last_value, k.unit), None),
        ("Last measured", _last_measured, "last_measured"),
        ("AI system", "system", None),
        ("Owner", "owner", None),
    ],
    select_related=("owner", "system"),
    fieldsets=[
        ("What is measured", ["metric", "unit", "direction", "frequency_days", "system", "objective"]),
        ("Thresholds", ["target", "warning", "breach"]),
    ],
    form_fieldsets=[
        ("What is measured", ["title", "metric", "unit", "direction", "frequency_days"]),
        ("Thresholds", ["target", "warning", "breach"]),
        ("What it serves", ["system", "objective", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ],
    lead="ISO/IEC 42001 9.1 and A.6.2.6: what is measured about the AIMS and its AI systems, against which "
    "target and thresholds, and how often. A breach tells the owner and drafts an incident.",
    empty_text="No KPIs yet. Start with one per AI system in operation: a fairness ratio, an error rate, "
    "or how often answers are correct.",
    detail_template="lifecycle/kpi_detail.html",
    detail_context=kpi_context,
    actions=[RAISE_NC_FROM_KPI],
)


# -- entering a measurement on the page ---------------------------------------------------------------
class MeasurementView(views.detail):
    """POST a measurement from the KPI's page; errors show on the page's form, nothing is saved."""

    http_method_names = ["post"]

    def post(self, request, reference):
        kpi = self.get_record()
        permissions.require(request.user, "change", kpi)
        form = MeasurementForm(request.POST)
        if form.is_valid():
            try:
                record_measurement(
                    kpi,
                    actor=request.user,
                    source=Measurement.Source.UI,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                kpi.refresh_from_db()
                messages.success(
                    request,
                    f"Measurement recorded. {kpi.reference} is {kpi.get_state_display().lower()}.",
                )
                return redirect(kpi.get_absolute_url())
        self.bound_form = form
        return self.render_to_response(self.get_context_data(), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["measurement_form"] = self.bound_form
        return context


# -- CSV import ---------------------------------------------------------------------------------------
MAX_ROWS = 1000
MAX_BYTES = 512 * 1024
COLUMNS = ("measured_at", "value", "note")


@dataclass(frozen=True)
class RowError:
    line: int  # as a text editor shows it: the header is line 1; 0 means the file as a whole
    column: str
    message: str


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV file with the columns measured_at, value and note.")


def _read_csv(upload) -> tuple[list[list[str]], str]:
    if upload.size > MAX_BYTES:
        raise ValueError(f"The file is {upload.size // 1024} KB; the limit is {MAX_BYTES // 1024} KB.")
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError(f"The file is larger than the limit of {MAX_BYTES // 1024} KB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("The file is not UTF-8 text. Save it as 'CSV UTF-8' and upload it again.") from None
    if not text.strip():
        raise ValueError("The file is empty.")
    if "\x00" in text:
        raise ValueError("The file is not a text CSV file (it holds binary data).")
    first = text.split("\n", 1)[0]
    # Excel in many European locales saves CSV with semicolons (and a decimal comma).
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), delimiter
    except csv.Error as exc:
        raise ValueError(f"The CSV file cannot be read: {exc}.") from None


def _parse_time(text: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(text.strip())  # a date, or a date and time
    except ValueError:
        raise ValidationError(
            f"{text.strip()[:40]!r} is not a date or time like 2026-03-31 or 2026-03-31 14:00."
        ) from None
    return _clean_measured_at(parsed)


def parse_rows(rows, delimiter: str, existing: set) -> tuple[list[dict], list[RowError]]:
    """Every row checked; each problem named with its line and column. Nothing touches the database."""
    header = [cell.strip().lower() for cell in rows[0]]
    missing = [name for name in ("measured_at", "value") if name not in header]
    if missing:
        return [], [
            RowError(1, ", ".join(missing), "Missing column: the header names measured_at and value.")
        ]
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        return [], [RowError(1, ", ".join(unknown), f"Unknown column; use {', '.join(COLUMNS)}.")]
    position = {name: header.index(name) for name in COLUMNS if name in header}
    good, errors, seen = [], [], {}
    for line, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, often at the end of a file
        values = {name: cells[i].strip() if i < len(cells) else "" for name, i in position.items()}
        row = {"line": line, "note": values.get("note", "")}
        if delimiter == ";" and "," in values["value"] and "." not in values["value"]:
            values["value"] = values["value"].replace(",", ".")  # a decimal comma, from a semicolon file
        for name, parse in (("measured_at", _parse_time), ("value", _clean_value)):
            try:
                text = values[name]
                if not text:
                    raise ValidationError("Required: this cell is empty.")
                row[name] = parse(text)
            except ValidationError as exc:
                errors.append(RowError(line, name, " ".join(exc.messages)))
        if len(row["note"]) > 500:
            errors.append(RowError(line, "note", f"At most 500 characters (it has {len(row['note'])})."))
        when = row.get("measured_at")
        if when is not None:
            if when in seen:
                errors.append(RowError(line, "measured_at", f"The same time is on line {seen[when]}."))
            elif when in existing:
                errors.append(RowError(line, "measured_at", "There is already a measurement at this time."))
            seen.setdefault(when, line)
        if "measured_at" in row and "value" in row:
            good.append(row)
    return good, errors


class _RollBack(Exception):
    pass


def import_measurements(kpi, upload, *, actor) -> tuple[int, list[RowError]]:
    """All or nothing: every row is checked, and any problem leaves the KPI as it was."""
    permissions.require(actor, "change", kpi)
    try:
        rows, delimiter = _read_csv(upload)
    except ValueError as exc:
        return 0, [RowError(0, "file", str(exc))]
    if len(rows) - 1 > MAX_ROWS:
        return 0, [RowError(0, "file", f"The file has {len(rows) - 1} rows; the limit is {MAX_ROWS}.")]
    existing = set(kpi.measurements.values_list("measured_at", flat=True))
    good, errors = parse_rows(rows, delimiter, existing)
    if not errors and not good:
        errors = [RowError(0, "file", "The file has a header but no measurements.")]
    if errors:
        return 0, errors
    try:
        with transaction.atomic():
            # Newest first: only the newest can move the state, so a year of history makes one
            # history entry and at most one incident, not one per past breach.
            for row in sorted(good, key=lambda r: r["measured_at"], reverse=True):
                try:
                    record_measurement(
                        kpi,
                        actor=actor,
                        value=row["value"],
                        measured_at=row["measured_at"],
                        source=Measurement.Source.CSV,
                        note=row["note"],
                    )
                except ValidationError as exc:
                    errors += [
                        RowError(row["line"], field, " ".join(msgs))
                        for field, msgs in exc.message_dict.items()
                    ]
            if errors:
                raise _RollBack
    except _RollBack:
        return 0, sorted(errors, key=lambda e: e.line)
    return len(good), []


class ImportView(RecordMixin, TemplateView):
    model = KPI
    template_name = "lifecycle/kpi_import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.record = self.get_record()
            permissions.require(request.user, "change", self.record)
            if self.record.is_archived:
                raise PermissionDenied(f"{self.record.reference} is archived; restore it before importing.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            record=self.record,
            model_meta=KPI._meta,
            urls=record_url_names(KPI),
            max_rows=MAX_ROWS,
            max_kb=MAX_BYTES // 1024,
            **{"form": ImportForm(), **kwargs},
        )

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        count, errors = import_measurements(self.record, form.cleaned_data["file"], actor=request.user)
        if errors:
            return self.render_to_response(self.get_context_data(errors=errors), status=400)
        self.record.refresh_from_db()
        messages.success(
            request,
            f"{count} measurement{'s' if count != 1 else ''} imported. "
            f"{self.record.reference} is {self.record.get_state_display().lower()}.",
        )
        return redirect(self.record.get_absolute_url())


EXTRA_URLS = [
    path("kpis/<str:reference>/measurements/", MeasurementView.as_view(), name="kpi-measurements"),
    path("kpis/<str:reference>/import/", ImportView.as_view(), name="kpi-import"),
]


# -- API ----------------------------------------------------------------------------------------------
class MeasurementSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Measurement
        fields = ["id", "value", "measured_at", "source", "note", "recorded_by", "recorded_at"]
        read_only_fields = fields


class NewMeasurementSerializer(serializers.Serializer):
    value = serializers.DecimalField(
        max_digits=None, decimal_places=None, help_text="The measured value; 4 decimal places are kept."
    )
    measured_at = serializers.DateTimeField(required=False, help_text="When it was measured; default now.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


_GenericViewSet = make_api(
    KPI,
    services=services,
    # state, last_value and last_measured_at are read-only: measurements set them
    fields=[*FIELDS, "state", "last_value", "last_measured_at"],
    filterset_class=KPIFilterSet,
    actions=[RAISE_NC_FROM_KPI],
)


class ViewSet(_GenericViewSet):
    """KPIs (9.1, A.6.2.6) with target, warning and breach thresholds. `state`, `last_value` and
    `last_measured_at` follow the newest measurement; POST …/measurements/ adds one. Filter with
    ?state=breach or ?overdue=true. DELETE archives."""

    @extend_schema(
        methods=["GET"],
        responses=MeasurementSerializer(many=True),
        description="The KPI's measurements, newest first.",
    )
    @extend_schema(
        methods=["POST"],
        request=NewMeasurementSerializer,
        responses={201: MeasurementSerializer},
        description="Record a measurement (no version needed: pipelines push blind). Open to whoever may "
        "change the KPI; a newest value moves its state, and a breach drafts an incident.",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])  # the list's filters are for KPIs
    def measurements(self, request, *args, **kwargs):
        kpi = self.get_object()
        if request.method == "POST":
            permissions.require(request.user, "change", kpi)  # before the body: a 403 says who may
            body = NewMeasurementSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            measurement = record_measurement(
                kpi, actor=request.user, source=Measurement.Source.API, **body.validated_data
            )
            return Response(MeasurementSerializer(measurement).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(kpi.measurements.select_related("recorded_by"))
        return self.get_paginated_response(MeasurementSerializer(page, many=True).data)


# -- reminders and the dashboard ----------------------------------------------------------------------
def overdue_measurement_reminders(today):
    """A measurement due by the end of `today` and not made reminds the owner once per due date (the
    key carries it, so the next measurement starts a new period)."""
    end_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time.max))
    late = overdue(KPI.objects.live().filter(owner__is_active=True), at=end_of_day).select_related("owner")
    for kpi in late:
        due = due_date(kpi)
        yield (
            kpi.owner,
            Notification.Kind.REVIEW_DUE,
            f"kpi-measure:{kpi.pk}:{due.isoformat()}",
            f"A measurement of {kpi.reference} {kpi.title} was due on {due:%Y-%m-%d}.",
            kpi.get_absolute_url(),
        )


def kpis_panel(request) -> dict:
    """KPIs in breach and in warning, and how many are late to be measured: a fixed number of queries."""
    kpis = KPI.objects.restrict(request.user, "view").live()
    counts = overdue(kpis).aggregate(overdue_count=Count("pk"))
    counts |= kpis.aggregate(
        breach_count=Count("pk", filter=Q(state=State.BREACH)),
        warning_count=Count("pk", filter=Q(state=State.WARNING)),
    )
    flagged = kpis.filter(state__in=[State.BREACH, State.WARNING]).order_by("state", "title")  # breach first
    return {
        "template": "lifecycle/kpis_panel.html",
        "list_url": reverse("kpi-list"),
        **counts,
        "kpis": [(k, state_badge(k), with_unit(k.last_value, k.unit)) for k in flagged[:10]],
    }


registry.add_reminder_source(overdue_measurement_reminders)
registry.add_dashboard_panel(kpis_panel)
