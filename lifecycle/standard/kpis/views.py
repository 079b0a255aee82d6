"""A KPI's page beyond the shared record page: its chart and latest measurements, entering a
measurement, and importing measurements from CSV."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import TemplateView

from aims.charts import line_chart_svg
from aims.files import size_text
from aims.imports import start_import
from aims.policies import allows, policy_of, require
from aims.views.records import RecordDetailView, RecordMixin, record_url_names
from lifecycle.models import Measurement

from .forms import ImportForm, MeasurementForm
from .imports import IMPORT_KIND, file_problems
from .selectors import State, due_date, state_badge, with_unit
from .services import record_measurement

CHART_POINTS = 100  # the chart shows the last 100 measurements; the table the latest few
TABLE_ROWS = 20


def kpi_context(request, kpi, tab) -> dict:
    """The state, the chart of the latest measurements, the table of the latest few and the form."""
    if tab != "details":
        return {}
    latest = list(kpi.measurements.select_related("recorded_by")[:CHART_POINTS])
    can_measure = allows("measure", request.user, kpi)
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


class MeasurementView(RecordDetailView):
    """POST a measurement from the KPI's page; errors show on the page's form, nothing is saved."""

    http_method_names = ["post"]

    def post(self, request, reference):
        kpi = self.get_record()
        require(policy_of(kpi), "measure", request.user, kpi)
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


class ImportView(RecordMixin, TemplateView):
    """Upload a CSV of measurements; every problem is listed with its line, and nothing is saved."""

    template_name = "lifecycle/kpi_import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.record = self.get_record()
            require(policy_of(self.record), "import", request.user, self.record)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            record=self.record,
            model_meta=self.model._meta,
            urls=record_url_names(self.model),
            max_rows=f"{settings.IMPORT_MAX_ROWS:,}",  # the one reader's limits (aims.spreadsheets)
            max_size=size_text(settings.MAX_UPLOAD_BYTES),
            **{"form": ImportForm(), **kwargs},
        )

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        upload = form.cleaned_data["file"]
        errors = file_problems(upload)  # a file wrong as a whole is refused at once; rows by the job
        if errors:
            return self.render_to_response(self.get_context_data(errors=errors), status=400)
        job = start_import(
            kind=IMPORT_KIND,
            title=f"Import of measurements into {self.record.reference}",
            upload=upload,
            user=request.user,
            params={"kpi": self.record.reference},
        )
        messages.info(request, "Every row is being checked; nothing is saved unless all of them are valid.")
        return redirect("job-detail", pk=job.pk)
