"""Pages of the AI risk register."""

import functools

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views import View
from django.views.generic import TemplateView

from aims import jobs, permissions
from aims.charts import heatmap_svg
from aims.files import size_text
from aims.imports import MAX_PROBLEMS, start_import
from aims.policies import policy_of
from aims.records import StaleEdit
from aims.spreadsheets import TableError
from aims.views.job_answers import answer_with_job
from aims.views.records import RecordDetailView, RecordFormView, RecordListView, RecordMixin

from . import selectors, services
from .forms import AcceptRiskForm, ImportForm
from .models import IMPACT_LABELS, LIKELIHOOD_LABELS, Risk, RiskCriteria
from .templatetags.risk_table import LISTED_SYSTEMS
from .treatment_plan import approval_refusal, standing_for


def heat_link(which: str):
    base = reverse("risk-list")
    return lambda likelihood, impact: f"{base}?{which}_likelihood={likelihood}&{which}_impact={impact}"


def filters_param(query) -> dict:
    """A query string as JSON-friendly data for a job: single values stay scalars, repeats become lists."""
    return {
        key: values if len(values) > 1 else values[0]
        for key, values in query.lists()
        if key not in ("page", "export", "csrfmiddlewaretoken")
    }


class RiskListView(RecordListView):
    """The risk list with levels and appetite; its model, filters and columns come from RiskRegister."""

    template_name = "registers/risk_list.html"

    def export(self, queryset, fmt):
        from .io import export_response

        try:
            return export_response(queryset, RiskCriteria.current(), fmt)
        except ValueError as exc:
            raise PermissionDenied(f"Unknown export format {fmt!r}: use csv or xlsx.") from exc

    def rows_read(self, queryset):
        """The rows name each risk's AI systems by title: only that is read of them, not an AI system's
        45 columns (its texts among them) for every risk of the page. Kept as a plain list on each risk
        (LISTED_SYSTEMS): a prefetch kept in the risk's manager builds a filtered queryset for each of
        them, a tenth of the page's Python, for a list that is only read."""
        systems = Risk._meta.get_field("systems").related_model
        return queryset.prefetch_related(
            Prefetch(
                "systems", queryset=systems.objects.only("id", "reference", "title"), to_attr=LISTED_SYSTEMS
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        criteria = RiskCriteria.current()
        context["criteria"] = criteria
        # Read only when the table is drawn: a kept table (aims.freshness) reads no rows.
        context["rows"] = SimpleLazyObject(
            lambda: [
                (risk, criteria.level(risk.inherent_score), criteria.level(risk.residual_score))
                for risk in context["records"]
            ]
        )
        context["appetite_max"] = criteria.appetite_max
        context["today"] = timezone.localdate()
        # 6.1.3: whether the plan's approval still covers the register, and the button to approve it;
        # worked out only when drawn, like the rows (the page is kept whole, see risk_list.html).
        user = self.request.user
        standing = functools.cache(lambda: standing_for(user))
        context["plan"] = SimpleLazyObject(standing)
        context["can_approve_plan"] = SimpleLazyObject(lambda: not approval_refusal(user, standing()))
        # Filters set by links (heat-map cells, dashboard numbers) but not shown as inputs stay applied.
        shown = {"search", "level", "category", "status", "review", "above_appetite", "archived", "mine"}
        context["hidden_filters"] = SimpleLazyObject(
            lambda: [k for k in self.request.GET if k not in shown and k in self.built_filterset().filters]
        )
        return context


class RiskDetailView(RecordDetailView):
    template_name = "registers/risk_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        risk, user = context["record"], self.request.user
        criteria = RiskCriteria.current()
        context.update(
            # Drawn as links, or "a record you may not see" (aims.links); asked only where they are shown.
            systems=list(risk.systems.all()) if context["tab"] == "details" else [],
            criteria=criteria,
            inherent_level=criteria.level(risk.inherent_score),
            residual_level=criteria.level(risk.residual_score),
            target_level=criteria.level(risk.target_score),
            above_appetite=risk.residual_score > criteria.appetite_max,
            likelihood_labels=LIKELIHOOD_LABELS,
            impact_labels=IMPACT_LABELS,
            accept_form=kwargs.get("accept_form") or AcceptRiskForm(initial={"version": risk.version}),
            today=timezone.localdate(),
        )
        policy = policy_of(risk)
        refusal = policy.can_accept(user, risk)
        context["can_accept"] = refusal == ""
        if refusal and policy.explains_acceptance_to(user):
            context["accept_refusal"] = refusal
        return context


class RiskFormView(RecordFormView):
    template_name = "registers/risk_form.html"


class RiskAcceptView(RiskDetailView):
    def post(self, request, *args, **kwargs):
        risk = self.get_record()
        permissions.require(request.user, "approve", risk)
        form = AcceptRiskForm(request.POST)
        if form.is_valid():
            try:
                services.risk_accept(
                    risk,
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                    rationale=form.cleaned_data["rationale"],
                )
            except StaleEdit as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                form.add_error("rationale", exc.messages)
            else:
                messages.success(request, f"{risk.reference} accepted.")
                return redirect(risk.get_absolute_url())
        return self.render_to_response(self.get_context_data(accept_form=form), status=400)


class RiskHeatMapView(RecordMixin, TemplateView):
    template_name = "registers/risk_heatmap.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        risks = self.visible().live()
        criteria = RiskCriteria.current()
        context["maps"] = [
            heatmap_svg(
                selectors.heat_matrix(risks, which),
                criteria,
                title=f"{which.title()} risk",
                link=heat_link(which),
            )
            for which in ("inherent", "residual")
        ]
        return context


class RiskImportView(RecordMixin, TemplateView):
    template_name = "registers/risk_import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            permissions.require_add(request.user, Risk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ImportForm())
        context["max_rows"] = f"{settings.IMPORT_MAX_ROWS:,}"  # the one reader's limits (aims.spreadsheets)
        context["max_size"] = size_text(settings.MAX_UPLOAD_BYTES)
        context["max_problems"] = MAX_PROBLEMS
        return context

    def post(self, request, *args, **kwargs):
        """A file that is wrong as a whole is refused here; its rows are checked and saved by a job."""
        from .io import IMPORT_KIND, check_file

        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                check_file(upload)
            except TableError as exc:
                form.add_error("file", str(exc))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        job = start_import(kind=IMPORT_KIND, title="Import of AI risks", upload=upload, user=request.user)
        messages.info(request, "Every row is being checked; nothing is saved unless all of them are valid.")
        return redirect("job-detail", pk=job.pk)


class RiskReportView(RecordMixin, View):
    """Queue the PDF register for what the user's filter (the query string) shows."""

    def post(self, request, *args, **kwargs):
        filters = filters_param(request.GET)
        job = jobs.start_job(
            kind="risk_register_pdf",
            title="AI risk register (PDF)",
            params={"filters": filters},
            user=request.user,
        )
        return answer_with_job(request, job, waiting="The AI risk register is being made.")
