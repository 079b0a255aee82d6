"""Internal audits (ISO/IEC 42001 9.2.1): planned by the AIMS manager with a scope, criteria and a team of
independent auditors; carried out through a checklist the lead and team fill; reported as a PDF; closed
once every finding has its auditee's answer."""

import datetime as dt

import django_filters as filters
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from aims.actions import RecordAction
from aims.api.base import RecordViewSet
from aims.api.fields import RecordLinkField, RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm, RequirementChoiceField, RequirementField
from aims.links import Related
from aims.models import Requirement, User
from aims.policies import allows, policy_of
from aims.records import StaleEdit
from aims.register import Register
from aims.views.records import RecordMixin, record_url_names
from audits import checklist
from audits.models import Audit, AuditProgramme, ChecklistItem, Evidence, Result, audited_by
from audits.report import AuditReportView
from audits.services import AUDIT_FIELDS, audit_services, close_audit, report_audit, start_audit


def auditors():
    return policy_of(Audit).auditors()


class ScopeField(RequirementChoiceField):
    """Auditable requirements of every standard in the catalogue (a joint audit takes in another's)."""

    def label_from_instance(self, obj):
        prefix = "" if obj.standard.key == "iso42001" else f"{obj.standard.name} "
        return f"{prefix}{obj.code} {obj.title}"


class AuditForm(RecordForm):
    scope = ScopeField(
        queryset=Requirement.objects.filter(kind__in=Requirement.MAPPABLE)
        .select_related("standard")
        .order_by("standard__name", "position"),
        required=False,
        label="Clauses and controls audited",
    )

    class Meta:
        model = Audit
        fields = AUDIT_FIELDS
        labels = {"kind": "Kind of audit", "outcome": "The certification body's outcome"}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "next_review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_auditor"].queryset = auditors()
        self.fields["team"].queryset = auditors()
        self.fields["team"].required = False
        self.fields["scope"].widget.attrs["size"] = 12
        # Of the live records its editor may see (RecordForm): systems by title, the latest cycle first.
        self.fields["systems"].queryset = self.fields["systems"].queryset.order_by("title")
        self.fields["programme"].queryset = self.fields["programme"].queryset.order_by("-year", "reference")

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class AuditFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "criteria", "certification_body", "body_auditor")
    status = filters.MultipleChoiceFilter(choices=Audit.Status.choices)
    kind = filters.ChoiceFilter(choices=Audit.Kind.choices, empty_label="Any")
    stage = filters.MultipleChoiceFilter(choices=Audit.Stage.choices)
    outcome = filters.MultipleChoiceFilter(choices=Audit.Outcome.choices)
    programme = filters.ModelChoiceFilter(
        queryset=AuditProgramme.objects.all(), to_field_name="reference", empty_label="Any"
    )
    lead_auditor = filters.CharFilter(field_name="lead_auditor__username", label="Lead auditor (username)")
    audited_by_me = YesNoFilter(method="filter_audited_by_me", label="Audits I lead or am on")
    ordering = filters.OrderingFilter(
        fields=(("reference", "reference"), ("title", "title"), ("starts_on", "starts"), ("status", "status"),
                ("kind", "kind"))
    )  # fmt: skip

    class Meta:
        model = Audit
        fields = []

    def filter_audited_by_me(self, queryset, name, value):
        if value is None or self.user is None:
            return queryset
        mine = audited_by(self.user)
        return queryset.filter(pk__in=mine) if value else queryset.exclude(pk__in=mine)


def _offered(transition: str):
    """A button shown when the audit's state allows the transition and its guard allows the person."""
    return lambda user, r: not getattr(policy_of(r), f"{transition}_state")(r) and allows(transition, user, r)


START = RecordAction(
    "start", "Start the audit", start_audit, _offered("start"),
    done="{reference} is in progress.", style="primary", description="The lead or team starts fieldwork.",
)  # fmt: skip
REPORT = RecordAction(
    "report", "Mark as reported", report_audit, _offered("report"),
    done="{reference} reported.", style="primary",
    description="Every checklist item has a result; the audit's results are reported.",
)  # fmt: skip
CLOSE = RecordAction(
    "close", "Close the audit", close_audit, _offered("close"),
    done="{reference} closed.", description="Close a reported audit once every finding is answered.",
    confirm="Close the audit? Its checklist and findings can no longer be changed.",
)  # fmt: skip
ACTIONS = (START, REPORT, CLOSE)


# -- The checklist ----------------------------------------------------------------------------------------
class ItemForm(forms.Form):
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    requirement = RequirementField(
        queryset=Requirement.objects.filter(kind__in=Requirement.MAPPABLE).order_by("standard__name", "position"),
        required=False, label="Clause or control",
    )  # fmt: skip
    result = forms.ChoiceField(choices=[("", "Not assessed yet"), *Result.choices], required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    evidence = forms.ModelMultipleChoiceField(
        queryset=Evidence.objects.live().order_by("reference"), required=False, label="Sampled evidence"
    )
    records_sampled = forms.CharField(required=False, max_length=500, label="Records sampled")
    auditee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Auditee",
        help_text="For a finding: the owner of the audited record, who answers it.",
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from aims.forms import owner_choices

        self.fields["auditee"].queryset = owner_choices().order_by("username")
        # Confidential evidence stays out of the choices of those who may not see it.
        self.fields["evidence"].queryset = (
            Evidence.objects.restrict(user, "view").live().order_by("reference")
        )


class ChecklistItemView(RecordMixin, TemplateView):
    """Add (no pk) or record one checklist item; only the audit's lead and team get here."""

    model = Audit
    template_name = "audits/checklist_item_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.audit = self.get_record()
        self.item = (
            get_object_or_404(
                ChecklistItem.objects.select_related("audit"), pk=kwargs["pk"], audit=self.audit
            )
            if "pk" in kwargs
            else None
        )
        checklist.require_conducting(self.audit, request.user)  # 403 with the reason
        return super().dispatch(request, *args, **kwargs)

    def initial(self) -> dict:
        item = self.item
        if item is None:
            return {}
        finding = getattr(item, "finding", None)
        return {
            "question": item.question, "requirement": item.requirement, "result": item.result,
            "notes": item.notes, "evidence": list(item.evidence.all()), "records_sampled": item.records_sampled,
            "auditee": finding.owner if finding else None, "version": item.version,
        }  # fmt: skip

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ItemForm(initial=self.initial(), user=self.request.user))
        return super().get_context_data(
            record=self.audit, item=self.item, model_meta=Audit._meta, urls=record_url_names(Audit),
            also_covers=checklist.joint_mapping(self.audit).get(self.item.requirement_id, []) if self.item else [],
            **kwargs,
        )  # fmt: skip

    def post(self, request, *args, **kwargs):
        form = ItemForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if self.item is None:
                    checklist.add_item(self.audit, actor=request.user, question=data["question"],
                                       requirement=data["requirement"])  # fmt: skip
                    messages.success(request, "Question added to the checklist.")
                else:
                    checklist.save_item(
                        self.item, actor=request.user, expected_version=data["version"] or 0,
                        question=data["question"], requirement=data["requirement"], result=data["result"],
                        notes=data["notes"], evidence=data["evidence"], records_sampled=data["records_sampled"],
                        auditee=data["auditee"],
                    )  # fmt: skip
                    messages.success(request, "Checklist item saved.")
                return redirect(f"{self.audit.get_absolute_url()}#checklist")
            except StaleEdit as exc:
                form.add_error(None, exc.message)
                return self.render_to_response(self.get_context_data(form=form), status=409)
            except ValidationError as exc:
                for field, msgs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, msgs)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class _ChecklistAction(RecordMixin, TemplateView):
    model = Audit

    def post(self, request, *args, **kwargs):
        audit = self.get_record()
        try:
            messages.success(request, self.act(request, audit))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(f"{audit.get_absolute_url()}#checklist")


class GenerateView(_ChecklistAction):
    def act(self, request, audit):
        made = checklist.generate(audit, actor=request.user)
        if not made:
            return "Every requirement and AI system in scope already has its questions."
        return f"{made} question{'s' if made != 1 else ''} added from the catalogue for the scope."


class RemoveItemView(_ChecklistAction):
    def act(self, request, audit):
        item = get_object_or_404(
            ChecklistItem.objects.select_related("audit"), pk=self.kwargs["pk"], audit=audit
        )
        checklist.remove_item(item, actor=request.user)
        return "Question removed from the checklist."


# -- API ------------------------------------------------------------------------------------------------
class ChecklistItemSerializer(serializers.ModelSerializer):
    requirement = serializers.SlugRelatedField(slug_field="key", read_only=True)
    # Linked records as the requester may see them: confidential evidence is left out (aims.api.fields).
    system = RecordLinkField(slug_field="reference", read_only=True)
    evidence = RecordLinkField(slug_field="reference", many=True, read_only=True)
    finding = serializers.SerializerMethodField()

    class Meta:
        model = ChecklistItem
        fields = ["id", "position", "requirement", "system", "question", "result", "notes", "evidence",
                  "records_sampled", "version", "finding"]  # fmt: skip

    def get_finding(self, obj) -> str | None:
        finding = getattr(obj, "finding", None)
        return finding.reference if finding else None


class AuditSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Audit
        fields = record_fields([*AUDIT_FIELDS, "status"])


class AuditViewSet(RecordViewSet):
    """Audits: internal (9.2; `kind` internal, auditors by username) and the certification body's (`kind` certification: `stage` stage_1, stage_2, surveillance or recertification, `certification_body`, `body_auditor`, `outcome`, `certificate` by reference for the audits that maintain one). `scope` by ISO/IEC 42001 code, `systems` by reference. POST …/start/, …/report/, …/close/ move the audit on; GET …/checklist/ lists its checklist, whose non-conforming items are the findings."""

    serializer_class = AuditSerializer
    filterset_class = AuditFilterSet
    services = audit_services
    record_actions = ACTIONS

    @extend_schema(responses=ChecklistItemSerializer(many=True), description="The audit's checklist.")
    @action(detail=True, methods=["get"])
    def checklist(self, request, *args, **kwargs):
        audit = self.get_object()
        items = audit.checklist.select_related("requirement", "system", "finding").prefetch_related(
            "evidence"
        )
        return Response(ChecklistItemSerializer(items, many=True, context={"request": request}).data)


# -- The register ---------------------------------------------------------------------------------------
class AuditRegister(Register):
    model = Audit
    label, url_prefix, position = "Audits", "audits", 20
    menu_group = "9"
    services = audit_services
    form = AuditForm
    filterset = AuditFilterSet
    viewset = AuditViewSet
    select_related = ("owner", "lead_auditor", "programme")
    columns = [
        ("Audit", "title", "title"),
        ("Kind", lambda a: a.kind_label, "kind"),
        ("Status", "status", "status"),
        ("Starts", "starts_on", "starts"),
        ("Ends", "ends_on", None),
        ("Lead auditor", lambda a: a.body_auditor if a.is_certification else a.lead_auditor, None),
        ("Programme", "programme", None),
    ]
    fieldsets = [
        ("The audit", ["kind", "programme", "criteria", "joint", "starts_on", "ends_on"]),
        ("People", ["lead_auditor", "owner"]),
        ("Outcome", ["outcome", "conclusion"]),
    ]
    form_fieldsets = [
        ("The audit", ["title", "kind", "programme", "criteria", "starts_on", "ends_on"]),
        ("Scope", ["scope", "systems", "joint"]),
        ("Internal audit: the auditors", ["lead_auditor", "team"]),
        ("Certification body audit", ["stage", "certification_body", "body_auditor", "certificate"]),
        ("Conclusion", ["outcome", "conclusion"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    actions = ACTIONS
    related = (
        Related(
            "Findings",
            lambda audit: audit.findings.live().select_related("owner").order_by("reference"),
            detail=lambda f: f"{f.get_grade_display()} · {f.get_status_display()} · auditee {f.owner}",
            empty="None yet: checklist items recorded as not conforming become findings.",
        ),
        Related(
            "Certificates granted after it",
            lambda audit: audit.certificates_granted.live().order_by("-issued_on", "-id"),
            detail=lambda c: (
                f"No. {c.number} · {c.get_status_display().lower()} · expires {c.expires_on:%Y-%m-%d}"
            ),
        ),
    )
    detail_template = "audits/audit_detail.html"
    lead = (
        "ISO/IEC 42001 9.2.1: internal audits of the AIMS, each with its scope, criteria and independent "
        "auditors; and the certification body's audits (stage 1, stage 2, surveillance, recertification). "
        "Both record findings on the checklist: non-conforming items become findings."
    )
    empty_text = (
        "No audits yet. The AIMS manager plans them from the audit programme: start with the first audit "
        "of this cycle. A certification body's audit is recorded here too, as its kind."
    )

    def detail_context(self, request, record, tab) -> dict:
        """The scope and the checklist (with what a joint audit also covers), under the details; the
        findings are among its related records. A fixed number of queries however long the checklist:
        the records and references its items name are asked about at once ("linked")."""
        if tab != "details":
            return {}
        items = list(
            record.checklist.select_related(
                "requirement__standard", "system", "finding__owner"
            ).prefetch_related("evidence")
        )
        mapping = checklist.joint_mapping(record)
        for item in items:
            item.also_covers = mapping.get(item.requirement_id, [])
        return {
            "scope": list(record.scope.select_related("standard").order_by("standard__name", "position")),
            "systems": list(record.systems.order_by("title")),
            "team": list(record.team.order_by("username")),
            "items": items,
            "linked": [
                *(e for item in items for e in item.evidence.all()),
                *(text for item in items for text in (item.question, item.notes, item.records_sampled)),
            ],
            "can_conduct": allows("conduct", request.user, record),
        }

    def sample(self, people, n=0):
        """Planned by the AIMS manager, owned by the owner, led by the auditor (who owns nothing in scope)."""
        today = timezone.localdate()
        fields = {
            "title": f"Risk management audit {n + 1}",
            "criteria": "ISO/IEC 42001 clause 6.1 and our AI risk procedure.",
            "lead_auditor": people["auditor"],
            "scope": list(Requirement.objects.mappable().filter(code__in=("6.1.2", "A.6.2.4"))),
            "starts_on": today + dt.timedelta(days=30 + n),
            "ends_on": today + dt.timedelta(days=32 + n),
            "owner": people["owner"],
        }
        return self.services.create(actor=people["manager"], fields=fields)

    def extra_urls(self) -> list:
        ref = f"{self.url_prefix}/<str:reference>"
        return [
            path(f"{ref}/checklist/new/", ChecklistItemView.as_view(), name="audit-checklist-add"),
            path(f"{ref}/checklist/generate/", GenerateView.as_view(), name="audit-checklist-generate"),
            path(f"{ref}/checklist/<int:pk>/", ChecklistItemView.as_view(), name="audit-checklist-item"),
            path(
                f"{ref}/checklist/<int:pk>/remove/", RemoveItemView.as_view(), name="audit-checklist-remove"
            ),
            path(f"{ref}/report-pdf/", AuditReportView.as_view(), name="audit-report-pdf"),
        ]
