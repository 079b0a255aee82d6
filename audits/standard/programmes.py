"""Audit programmes (ISO/IEC 42001 9.2.2): per cycle, which clauses, controls and AI systems are audited
when and how often, with frequencies suggested from risk and previous results, and a coverage page that
shows what the cycle has not reached yet."""

import django_filters as filters
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views import View
from django.views.generic import TemplateView
from rest_framework import serializers

from aims.api.base import RecordViewSet
from aims.api.fields import RecordLinkField, RecordSerializer, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm, RequirementField
from aims.models import Requirement
from aims.policies import allows
from aims.register import Register
from aims.services import RecordServices
from aims.views.records import RecordMixin, record_url_names
from audits import programme as planning
from audits.models import AuditProgramme, Frequency, ProgrammeItem
from lifecycle.models import AISystem

FIELDS = ["title", "year", "cycle_years", "objectives", "method", "owner", "review_cadence", "next_review_on"]

services = RecordServices(AuditProgramme, FIELDS)


class ProgrammeForm(RecordForm):
    class Meta:
        model = AuditProgramme
        fields = [*FIELDS, "requirements"]


class ProgrammeFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "objectives")
    year = filters.NumberFilter()
    ordering = filters.OrderingFilter(
        fields=(("reference", "reference"), ("title", "title"), ("year", "year"))
    )

    class Meta:
        model = AuditProgramme
        fields = []


class ItemForm(forms.Form):
    """A programme line: a requirement or an AI system, the month, and optionally a frequency other than
    the suggested one (with the reason)."""

    requirement = RequirementField(
        queryset=Requirement.objects.filter(standard__key="iso42001", kind__in=Requirement.MAPPABLE).order_by(
            "position"
        ),
        required=False,
        label="Clause or control",
    )
    system = forms.ModelChoiceField(
        queryset=AISystem.objects.live().order_by("title"), required=False, label="or AI system"
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    planned_month = forms.TypedChoiceField(
        label="Planned month",
        coerce=int,
        choices=[(m, f"{m:02d} (Q{(m - 1) // 3 + 1})") for m in range(1, 13)],
    )
    frequency = forms.TypedChoiceField(
        label="Frequency", coerce=int, required=False, empty_value=None,
        choices=[("", "As suggested"), *Frequency.choices],
    )  # fmt: skip
    override_reason = forms.CharField(
        label="Reason for a different frequency", required=False, max_length=300
    )

    def clean(self):
        data = super().clean()
        if not self.initial.get("editing") and bool(data.get("requirement")) == bool(data.get("system")):
            raise ValidationError({"requirement": "Choose either a clause or control, or an AI system."})
        return data


class _ItemAction(RecordMixin, View):
    """POST a programme line; a refusal comes back as a message on the programme's page."""

    model = AuditProgramme

    def post(self, request, *args, **kwargs):
        programme = self.get_record()
        item = (
            get_object_or_404(ProgrammeItem, pk=kwargs["pk"], programme=programme) if "pk" in kwargs else None
        )
        try:
            done = self.act(request, programme, item)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except planning.StaleLine as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
        return redirect(f"{programme.get_absolute_url()}#programme-items")


class ItemSaveView(_ItemAction):
    def act(self, request, programme, item):
        form = ItemForm(request.POST, initial={"editing": item is not None})
        if not form.is_valid():
            raise ValidationError([f"{form.fields[f].label if f in form.fields else ''}: {' '.join(m)}".lstrip(": ")
                                   for f, m in form.errors.items()])  # fmt: skip
        data = form.cleaned_data
        saved = planning.save_item(
            programme, actor=request.user, item=item, requirement=data["requirement"], system=data["system"],
            planned_month=data["planned_month"], frequency=data["frequency"],
            override_reason=data["override_reason"], expected_version=data["version"],
        )  # fmt: skip
        return f"{saved.subject} planned for month {saved.planned_month}, {saved.get_frequency_display().lower()}."


class ItemRemoveView(_ItemAction):
    def act(self, request, programme, item):
        planning.remove_item(item, actor=request.user)
        return f"{item.subject} taken off the programme."


class CoverageView(RecordMixin, TemplateView):
    """Every clause, applicable control and AI system, and whether the cycle's audits have reached it."""

    model = AuditProgramme
    template_name = "audits/coverage.html"

    def get_context_data(self, **kwargs):
        programme = self.get_record()
        found = planning.coverage(programme)
        # ?state=audited|planned|not_reached and ?kind=clause|control|system show part of it (the figures on
        # the dashboard, the programme and readiness link here); ?show=gaps is the older name of not_reached.
        state = self.request.GET.get("state") or (
            "not_reached" if self.request.GET.get("show") == "gaps" else ""
        )
        wanted = state.replace("_", " ") if state.replace("_", " ") in planning.STATES else ""
        kind = planning.KINDS.get(self.request.GET.get("kind", ""), "")
        shown = [
            r
            for r in found["rows"]
            if (not wanted or r["state"] == wanted) and (not kind or r["kind"] == kind)
        ]
        return super().get_context_data(
            record=programme,
            model_meta=AuditProgramme._meta,
            urls=record_url_names(AuditProgramme),
            state=wanted,
            kind=self.request.GET.get("kind", "") if kind else "",
            shown=shown,
            figures=planning.coverage_figures(found),
            **found,
            **kwargs,
        )


class ItemSerializer(serializers.ModelSerializer):
    requirement = serializers.SlugRelatedField(slug_field="code", read_only=True)
    system = RecordLinkField(slug_field="reference", read_only=True)
    planned_quarter = serializers.IntegerField(read_only=True)

    class Meta:
        model = ProgrammeItem
        fields = ["requirement", "system", "planned_month", "planned_quarter", "frequency", "suggested_frequency",
                  "suggestion_reason", "override_reason"]  # fmt: skip


class ProgrammeSerializer(RecordSerializer):
    items = ItemSerializer(many=True, read_only=True)

    class Meta(RecordSerializer.Meta):
        model = AuditProgramme
        fields = record_fields([*FIELDS, "items"])


class ProgrammeViewSet(RecordViewSet):
    """Audit programmes (9.2.2), one per cycle, with what each audits when (`items`, read-only: planned on the programme's page; frequencies in months). DELETE archives."""

    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilterSet
    services = services
    extra_prefetch = ("items__requirement", "items__system")


class ProgrammeRegister(Register):
    model = AuditProgramme
    label, url_prefix, position = "Audit programmes", "audit-programmes", 10
    menu_group = "9"
    services = services
    form = ProgrammeForm
    filterset = ProgrammeFilterSet
    viewset = ProgrammeViewSet
    columns = [
        ("Programme", "title", "title"),
        ("Cycle", "cycle_label", "year"),
        ("Owner", "owner", None),
        ("Next review", "next_review_on", None),
    ]
    fieldsets = [("The cycle", ["year", "cycle_years", "objectives", "method"])]
    form_fieldsets = [
        ("The cycle", ["title", "year", "cycle_years", "objectives", "method", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    detail_template = "audits/programme_detail.html"
    lead = (
        "ISO/IEC 42001 9.2.2: what each audit cycle covers, when, and how often -- more often where risk "
        "is high or the last audit found nonconformities -- so that within the cycle (three years for a "
        "certification cycle) every clause and applicable control is audited."
    )
    empty_text = "No audit programme yet. The AIMS manager plans one per cycle: start with this year's."

    def sample(self, people, n=0):
        fields = {"title": f"Audit programme {2026 + n}", "year": 2026 + n, "owner": people["owner"]}
        return self.services.create(actor=people["manager"], fields=fields)

    def detail_context(self, request, record, tab) -> dict:
        if tab != "details":
            return {}
        items = planning.with_current_suggestions(list(record.items.select_related("requirement", "system")))
        return {
            "coverage": planning.coverage_figures(planning.coverage(record)),
            "items": items,
            "item_form": ItemForm(),
            "can_plan": allows("plan", request.user, record),
            "audits": list(record.audits.live().select_related("lead_auditor").order_by("starts_on")),
        }

    def extra_urls(self) -> list:
        ref = f"{self.url_prefix}/<str:reference>"
        return [
            path(f"{ref}/items/", ItemSaveView.as_view(), name="auditprogramme-item-add"),
            path(f"{ref}/items/<int:pk>/", ItemSaveView.as_view(), name="auditprogramme-item-edit"),
            path(
                f"{ref}/items/<int:pk>/remove/", ItemRemoveView.as_view(), name="auditprogramme-item-remove"
            ),
            path(f"{ref}/coverage/", CoverageView.as_view(), name="auditprogramme-coverage"),
        ]
