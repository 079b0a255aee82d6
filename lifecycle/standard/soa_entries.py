"""SoA entries (ISO/IEC 42001 6.1.3 d-f): one row of the Statement of Applicability per Annex A control,
or a control of the organisation's own -- applicable or not and why, implementation, the risks and AI
systems it serves. Its evidence is the evidence library's (mapped to the control, or attached on the
entry's Evidence tab); a note says where the rest is. The statement (lifecycle/standard/soa.py) shows them
all with their judgement and checks, and freezes them when the board approves it."""

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html

from aims import permissions
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, ReferencesFilter, YesNoFilter
from aims.forms import RecordForm
from aims.models import Requirement
from aims.register import Register
from aims.services import RecordServices
from aims.views.records import RecordListView
from lifecycle.models import SoAEntry
from lifecycle.standard import soa

FIELDS = [
    "title", "control", "applicable", "justification", "implementation", "risks", "systems", "evidence_note",
    "owner", "review_cadence", "next_review_on",
]  # fmt: skip


class SoAEntryServices(RecordServices):
    """The shared services, plus: one entry per control, the title from the control when left empty, and
    implementation that agrees with applicability."""

    def derive(self, fields: dict, record) -> dict:
        current = lambda name: fields.get(name, getattr(record, name, None))  # noqa: E731
        control = current("control")
        if control is not None:
            if control.kind != Requirement.Kind.CONTROL:
                raise ValidationError({"control": f"{control.code} is not an Annex A control."})
            taken = SoAEntry.objects.filter(control=control).exclude(pk=getattr(record, "pk", None)).first()
            if taken:
                raise ValidationError(
                    {"control": f"{control.code} already has an SoA entry: {taken.reference} {taken.title}."}
                )
        if not (current("title") or "").strip():
            if control is None:
                raise ValidationError({"title": "Give a title to a control of the organisation's own."})
            fields["title"] = f"{control.code} {control.title}"[:200]
        applicable = current("applicable")
        implementation = current("implementation")
        if applicable is False:
            fields["implementation"] = (
                SoAEntry.Implementation.NOT_APPLICABLE
            )  # excluded: nothing to implement
        elif implementation == SoAEntry.Implementation.NOT_APPLICABLE:
            raise ValidationError(
                {"implementation": "An applicable control is planned, partly implemented or implemented."}
            )
        return fields


services = SoAEntryServices(SoAEntry, FIELDS)


class SoAEntryForm(RecordForm):
    title = forms.CharField(
        max_length=200, required=False, help_text="Leave empty to use the control's code and title."
    )

    class Meta:
        model = SoAEntry
        fields = [*FIELDS, "requirements"]
        widgets = {
            "risks": forms.SelectMultiple(attrs={"size": 8}),
            "systems": forms.SelectMultiple(attrs={"size": 6}),
            "justification": forms.Textarea(attrs={"rows": 3}),
            "evidence_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["control"].queryset = soa.annex_a_controls()
        self.fields["control"].label_from_instance = lambda c: f"{c.code} {c.title}"
        self.fields["control"].empty_label = "None: a control of our own"


class SoAEntryFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "control__code", "justification", "evidence_note")
    applicable = YesNoFilter()
    implementation = filters.MultipleChoiceFilter(choices=SoAEntry.Implementation.choices)
    has_issue = YesNoFilter(method="filter_has_issue", label="Has an issue")
    # ?system=SYS-0001: the entries applying to one AI system (its page links here).
    system = ReferencesFilter(
        field_name="systems__reference", to_field_name="reference", label="AI system", distinct=True,
        queryset=lambda request: SoAEntry._meta.get_field("systems").related_model.objects.live(),
    )  # fmt: skip
    issue = filters.ChoiceFilter(
        choices=list(soa.CHECKS.items()), method="filter_issue", label="Issue", empty_label="Any"
    )
    ordering = filters.OrderingFilter(fields=(("control__position", "control"), ("reference", "reference")))

    class Meta:
        model = SoAEntry
        fields = []

    def filter_has_issue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(soa.issue_q()) if value else queryset.exclude(soa.issue_q())

    def filter_issue(self, queryset, name, value):
        return queryset.filter(soa.issue_q(value)) if value in soa.CHECKS else queryset


def issues_cell(entry):
    """The row's judgement and failed checks, worked out for the whole page by the list view."""
    judgement, issues = getattr(entry, "judgement", None), getattr(entry, "issues", [])
    badge = (
        format_html('<span class="badge {}">{}</span>', judgement.badge, judgement.status_label)
        if judgement
        else ""
    )
    if not issues:
        return badge or "none"
    return format_html(
        '{} <span class="badge badge-warn">{}</span> {}', badge, len(issues), "; ".join(t for _, t in issues)
    )


class SoAEntryListView(RecordListView):
    """The entries with their controls' judgements and checks, worked out for the page's entries alone
    (soa.entry_rows: a fixed number of queries), and only when the table is drawn: a kept table
    (aims.freshness) reads nothing."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        records, drawn = context["records"], context["rows"]

        def judged():
            page = list(records)
            rows, _ = soa.entry_rows(page, user=self.request.user, listed=True)
            by_pk = {row["entry"].pk: row for row in rows}
            for record in page:  # an archived entry (?archived=yes) has no row: nothing to judge
                row = by_pk.get(record.pk)
                record.judgement = row["judgement"] if row else None
                record.issues = row["issues"] if row else []
            return list(drawn)  # the shared rows, drawn now that each record carries its judgement

        context["rows"] = SimpleLazyObject(judged)
        return context


class SoAEntrySerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = SoAEntry
        fields = record_fields(FIELDS)


class SoAEntryViewSet(RecordViewSet):
    """SoA entries (6.1.3 d): `control` by Annex A code (e.g. A.6.2.4), `risks` and `systems` by reference. Filters: applicable, implementation, has_issue, issue. DELETE archives."""

    serializer_class = SoAEntrySerializer
    filterset_class = SoAEntryFilterSet
    services = services


class SoAEntryRegister(Register):
    model = SoAEntry
    label, url_prefix, position = "SoA entries", "soa-entries", 21
    menu_group = "8"
    services = services
    form = SoAEntryForm
    filterset = SoAEntryFilterSet
    viewset = SoAEntryViewSet
    list_view = SoAEntryListView
    select_related = ("owner", "control")
    columns = [
        ("Control", lambda e: soa.label_of(e), "control"),
        ("Applicable", lambda e: "yes" if e.applicable else "no", None),
        ("Implementation", "implementation", None),
        ("Judgement and checks", issues_cell, None),
        ("Owner", "owner", None),
    ]
    # The risks, systems and evidence are shown by the entry's own template, each as one list.
    fieldsets = [("The control", ["control", "applicable", "justification", "implementation"])]
    form_fieldsets = [
        ("The control", ["control", "title", "applicable", "justification", "implementation"]),
        ("Why and where", ["risks", "systems", "evidence_note", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 6.1.3 d: one row per Annex A control -- whether it applies and why, how far it is "
        "implemented, the risks that call for it and the evidence. The statement shows them all for approval."
    )
    empty_text = (
        "No SoA entries yet. Open the Statement of Applicability and create the entries for all 38 "
        "Annex A controls in one go."
    )
    detail_template = "lifecycle/soa_entry_detail.html"

    def sample(self, people, n=0):
        """A control of the organisation's own: Annex A has 38 controls, one entry each."""
        fields = {
            "title": f"Second review of declined applications, {n}",
            "applicable": True,
            "justification": "Thin-file applicants are declined more often (a risk calls for it).",
            "implementation": SoAEntry.Implementation.PLANNED,
        }
        return self.services.create(actor=people["owner"], fields=fields)

    def detail_context(self, request, record, tab) -> dict:
        if tab != "details":
            return {}
        rows, _ = soa.entry_rows([record], user=request.user)
        readiness = permissions.may_see_overview(request.user, "readiness")
        if not rows:
            return {}
        return {"row": rows[0], "may_see_readiness": readiness, "linked": [rows[0]["judgement"].reason]}
