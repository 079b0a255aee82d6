"""AI system impact assessments (ISO/IEC 42001 6.1.4, 8.4, A.5): what a system could do to people, groups
and society, the harms scored by likelihood, severity and reversibility, the measures, and what remains.
High-risk deployers add the EU AI Act Art. 27 fundamental-rights fields.

An assessment follows the shared approval lifecycle (aims.publishing): the board approves, every
approved version is kept and comparable, harms included. A harm can be turned into a linked AI risk in
one step, so the risk register treats it (6.1.3). A new model version or a changed dataset marks the
assessment "reassessment due" (lifecycle.standard.model_versions); approving a new version clears it."""

import dataclasses

import django_filters as filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.text import capfirst
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from aims import permissions, publishing, records
from aims.actions import Input, RecordAction
from aims.api.base import make_api
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.models import Lifecycle, Requirement
from aims.records import StaleEdit
from aims.services import RecordServices
from aims.views.records import _label, _shown, make_views
from lifecycle.models import AISystem, Harm, ImpactAssessment
from registers import services as risk_services
from registers.models import Risk, RiskCategory
from registers.models.risk import IMPACT_LABELS, LIKELIHOOD_LABELS

MENU = ("Impact assessments", "impact-assessments", 30)

FRIA = ["fria_needed", "fria_process", "fria_period", "fria_persons", "fria_risks", "fria_oversight",
        "fria_remedies"]  # fmt: skip
FIELDS = [
    "title", "system", "trigger", "scope", "system_information", "data_information", "model_information",
    "deployment_information", "interested_parties", "vulnerable_groups", "benefits", "measures",
    "residual_impact", *FRIA, "owner", "review_cadence", "next_review_on",
]  # fmt: skip
FRIA_NOTE = "Applies to deployers of high-risk AI systems (EU AI Act Art. 27); leave it empty otherwise."

services = RecordServices(ImpactAssessment, FIELDS)


# -- Frozen versions include the harms ------------------------------------------------------------------
def _harm_line(harm) -> str:
    return (
        f"{harm.description} (affects {harm.get_affected_display().lower()}; likelihood {harm.likelihood}, "
        f"severity {harm.severity}; {harm.get_reversibility_display().lower()})"
    )


def frozen_content(record) -> list[dict]:
    """The approved content: the fields as usual, then the harms, one per line, so comparing versions
    shows a harm added or rescored. `reassessment_due` is bookkeeping, not content."""
    fields = [f for f in publishing.content_fields(ImpactAssessment) if f.name != "reassessment_due"]
    content = [
        {"field": f.name, "label": capfirst(str(f.verbose_name)), "value": records.display_value(record, f)}
        for f in fields
    ]
    harms = "\n".join(_harm_line(h) for h in record.harms.all())
    return [*content, {"field": "harms", "label": "Harms", "value": harms}]


# aims.publishing.freeze looks for the model's frozen_content; the model cannot import this module.
ImpactAssessment.frozen_content = staticmethod(frozen_content)


# -- Approval clears "reassessment due" -----------------------------------------------------------------
@transaction.atomic
def approve(record, *, actor, expected_version, change_summary=""):
    """The board approves as usual (publishing.approve); a newly approved version is the reassessment
    the flag asked for, so it is cleared in the same transaction, with its own history entry."""
    record = publishing.approve(
        record, actor=actor, expected_version=expected_version, change_summary=change_summary
    )
    if not record.reassessment_due:
        return record
    return records.update_record(
        record,
        actor=actor,
        expected_version=record.version,
        fields={},
        note=f"Reassessment done: v{record.version_number} approved.",
        prepare=lambda locked, before: setattr(locked, "reassessment_due", False),
    )


ACTIONS = [
    dataclasses.replace(a, service=approve) if a.name == "approve" else a
    for a in publishing.lifecycle_actions()
]


# -- Harms ------------------------------------------------------------------------------------------------
def _may_edit_harms(user, record) -> bool:
    return record.is_editable and not record.is_archived and permissions.allowed(user, "change", record)


def _require_draft(actor, record, doing: str):
    permissions.require(actor, "change", record)
    if record.is_archived:
        raise PermissionDenied(f"{record.reference} is archived; restore it before {doing}.")
    if not record.is_editable:
        raise ValidationError(
            f"{record.reference} is {record.get_status_display().lower()}; start a revision before {doing}."
        )


def _harm_of(record, harm_id) -> Harm:
    try:
        return record.harms.get(pk=int(harm_id))
    except (Harm.DoesNotExist, TypeError, ValueError):
        raise ValidationError({"harm": f"{record.reference} has no harm {harm_id}."}) from None


@transaction.atomic
def add_harm(record, *, actor, expected_version: int, **fields):
    """A harm the system could cause (A.5.4, A.5.5): content of the draft, so only while it is a draft."""
    _require_draft(actor, record, "adding harms")
    harm = Harm(assessment=record, **{k: fields.get(k) for k in HARM_FIELDS})
    harm.full_clean()
    record = records.update_record(
        record,
        actor=actor,
        expected_version=expected_version,
        fields={},
        extra_changes=[{"field": "harms", "label": "Harm added", "old": "", "new": _harm_line(harm)[:500]}],
    )
    harm.save()
    return record


@transaction.atomic
def remove_harm(record, *, actor, expected_version: int, harm: str):
    _require_draft(actor, record, "removing harms")
    found = _harm_of(record, harm)
    record = records.update_record(
        record,
        actor=actor,
        expected_version=expected_version,
        fields={},
        extra_changes=[
            {"field": "harms", "label": "Harm removed", "old": _harm_line(found)[:500], "new": ""}
        ],
    )
    found.delete()
    return record


def _default_category():
    return RiskCategory.objects.filter(active=True, slug="accountability").first() or (
        RiskCategory.objects.filter(active=True).first()
    )


@transaction.atomic
def harm_to_risk(
    record, *, actor, expected_version: int, harm: str, category: str = "", risk_source: str = ""
):
    """Turn a harm into a linked AI risk (6.1.2) in one step: scored as the harm, residual the same until
    treated, to be mitigated by the assessment's measures. Allowed at any stage: approved assessments are
    where risks come from. The risk's owner refines category and source afterwards."""
    permissions.require(actor, "change", record)
    permissions.require_add(actor, Risk)
    found = _harm_of(record, harm)
    if found.risk_id:
        raise ValidationError({"harm": f"This harm is already {found.risk.reference}."})
    chosen = RiskCategory.objects.filter(slug=category).first() if category else _default_category()
    if chosen is None:
        raise ValidationError({"category": f"Unknown risk category {category!r}."})
    measures = record.measures.strip()
    risk = risk_services.risk_create(
        actor=actor,
        fields={
            "title": found.description.splitlines()[0][:200],
            "description": f"From impact assessment {record.reference}: {found.description}\n"
            f"Reversibility: {found.get_reversibility_display().lower()}.",
            "ai_system": record.system.title,
            "category": chosen,
            "risk_source": risk_source or "C.3.6",  # life cycle issues, until the owner says better
            f"affects_{found.affected}": True,
            "inherent_likelihood": found.likelihood,
            "inherent_impact": found.severity,
            "residual_likelihood": found.likelihood,
            "residual_impact": found.severity,
            "treatment": Risk.Treatment.MITIGATE,
            "treatment_plan": f"The measures of impact assessment {record.reference}"
            + (f": {measures}" if measures else "."),
        },
        # Found by the impact assessment (6.1.4), to be treated as an AI risk (6.1.2).
        requirements=Requirement.objects.filter(standard__key="iso42001", code__in=["6.1.2", "6.1.4"]),
    )
    record = records.update_record(
        record,
        actor=actor,
        expected_version=expected_version,
        fields={},
        extra_changes=[
            {"field": "harms", "label": "Harm turned into a risk", "old": str(found), "new": risk.reference}
        ],
    )
    found.risk = risk
    found.save(update_fields=["risk"])
    return record


HARM_FIELDS = ["description", "affected", "likelihood", "severity", "reversibility"]
LIKELIHOOD = tuple((str(k), f"{k} {v}") for k, v in LIKELIHOOD_LABELS.items())
SEVERITY = tuple((str(k), f"{k} {v}") for k, v in IMPACT_LABELS.items())

# The harm services as API actions (the page has its own form with errors by field, below).
HARM_ACTIONS = [
    RecordAction(
        "add-harm",
        "Add a harm",
        add_harm,
        _may_edit_harms,
        inputs=(
            Input("description", "The harm"),
            Input("affected", "Who is affected", choices=tuple(Harm.Affected.choices)),
            Input("likelihood", "Likelihood", choices=LIKELIHOOD),
            Input("severity", "Severity", choices=SEVERITY),
            Input("reversibility", "Reversibility", choices=tuple(Harm.Reversibility.choices)),
        ),
        description="Add a harm to a draft assessment (A.5).",
    ),
    RecordAction(
        "remove-harm",
        "Remove a harm",
        remove_harm,
        _may_edit_harms,
        inputs=(Input("harm", "Harm id (see …/harms/)"),),
        description="Remove a harm from a draft assessment.",
    ),
    RecordAction(
        "harm-to-risk",
        "Turn into a risk",
        harm_to_risk,
        lambda u, r: permissions.allowed(u, "change", r),
        inputs=(
            Input("harm", "Harm id (see …/harms/)"),
            Input("category", "Risk category slug", required=False),
            Input(
                "risk_source", "Annex C.3 risk source", required=False, choices=tuple(Risk.RiskSource.choices)
            ),
        ),
        description="Create a linked AI risk from a harm, scored as the harm.",
    ),
]


class HarmForm(forms.ModelForm):
    likelihood = forms.TypedChoiceField(choices=LIKELIHOOD, coerce=int)
    severity = forms.TypedChoiceField(choices=SEVERITY, coerce=int)
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Harm
        fields = HARM_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        labels = {"description": "The harm", "affected": "Who is affected"}


# -- Pages ------------------------------------------------------------------------------------------------
class ImpactAssessmentForm(RecordForm):
    class Meta:
        model = ImpactAssessment
        fields = [*FIELDS, "requirements"]
        help_texts = {"fria_needed": FRIA_NOTE}


class ImpactAssessmentFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "scope", "interested_parties", "measures")
    system = filters.ModelChoiceFilter(
        queryset=AISystem.objects.all(), to_field_name="reference", empty_label="Any", label="AI system"
    )
    status = filters.MultipleChoiceFilter(choices=Lifecycle.choices)
    trigger = filters.MultipleChoiceFilter(choices=ImpactAssessment.Trigger.choices)
    reassessment_due = YesNoFilter(label="Reassessment due")
    ordering = filters.OrderingFilter(fields=(("reference", "reference"), ("title", "title")))

    class Meta:
        model = ImpactAssessment
        fields = []


def assessment_context(request, record, tab, harm_form=None) -> dict:
    """The reassessment badge, the Art. 27 fields with their note, and the harms with their risks."""
    if tab != "details":
        return {}
    user = request.user
    reason = ""
    if record.reassessment_due:
        flagged = records.history(record).filter(note__startswith="Reassessment due").first()
        reason = flagged.note if flagged else ""
    return {
        "reassessment_reason": reason,
        "fria_note": FRIA_NOTE,
        "fria_items": [(_label(ImpactAssessment, n), _shown(record, n)) for n in FRIA],
        "harms": list(record.harms.select_related("risk")),
        "can_edit_harms": _may_edit_harms(user, record),
        "can_make_risks": not record.is_archived
        and permissions.allowed(user, "change", record)
        and permissions.can_add(user, Risk),
        "harm_form": harm_form or HarmForm(initial={"version": record.version}),
    }


views = make_views(
    ImpactAssessment,
    services=services,
    form_class=ImpactAssessmentForm,
    filterset_class=ImpactAssessmentFilterSet,
    select_related=("owner", "system"),
    columns=[
        ("Impact assessment", "title", "title"),
        ("AI system", "system", None),
        ("Trigger", "trigger", None),
        ("Status", "status", None),
        ("Approved version", lambda r: f"v{r.version_number}" if r.version_number else "none yet", None),
        ("Reassessment", lambda r: "due" if r.reassessment_due else "", None),
        ("Owner", "owner", None),
    ],
    fieldsets=[
        ("Scope", ["system", "trigger", "scope"]),
        (
            "The system",
            ["system_information", "data_information", "model_information", "deployment_information"],
        ),
        ("Who is affected", ["interested_parties", "vulnerable_groups"]),
        ("Benefits, measures and what remains", ["benefits", "measures", "residual_impact"]),
    ],  # fmt: skip
    form_fieldsets=[
        ("Scope (6.1.4)", ["title", "system", "trigger", "scope"]),
        ("System information", ["system_information", "deployment_information"]),
        ("Data and model information", ["data_information", "model_information"]),
        ("Interested parties (A.5.4, A.5.5)", ["interested_parties", "vulnerable_groups"]),
        ("Benefits", ["benefits"]),
        ("Measures and residual impact", ["measures", "residual_impact"]),
        ("EU fundamental rights (Art. 27): deployers of high-risk systems only", FRIA),
        ("Links", ["requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ],
    lead="ISO/IEC 42001 6.1.4, 8.4 and A.5: the consequences an AI system can have for individuals, groups "
    "and society, its harms and benefits, and the measures. The governance board approves each version.",
    empty_text="No impact assessments yet. Assess each AI system before it goes live, and again when the "
    "system, its model or its data change materially.",
    actions=ACTIONS,
    detail_template="lifecycle/impactassessment_detail.html",
    detail_context=assessment_context,
)


class HarmAddView(views.detail):
    """POST the harm form; on an error the record's page again, the errors by their fields."""

    http_method_names = ["post"]
    harm_form = None

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        form = HarmForm(request.POST)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in HARM_FIELDS}
            try:
                add_harm(record, actor=request.user, expected_version=form.cleaned_data["version"], **data)
            except StaleEdit as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, f"{record.reference}: harm added.")
                return redirect(record.get_absolute_url())
        self.harm_form = form
        return self.render_to_response(self.get_context_data(**kwargs), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.harm_form is not None:
            context["harm_form"] = self.harm_form
        return context


def _harm_action(service, done: str):
    """A POST per harm (remove, turn into a risk): the outcome as a message on the record's page."""

    class HarmActionView(views.detail):
        http_method_names = ["post"]

        def post(self, request, *args, **kwargs):
            record = self.get_record()
            get_object_or_404(Harm, pk=kwargs["harm"], assessment=record)
            try:
                version = int(request.POST.get("version", ""))
                record = service(
                    record,
                    actor=request.user,
                    expected_version=version,
                    harm=kwargs["harm"],
                    category=request.POST.get("category", ""),
                )
            except ValueError:
                messages.error(request, "The form was missing the record's version; reload and try again.")
            except StaleEdit as exc:
                messages.error(request, exc.message)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, done.format(reference=record.reference))
            return redirect(record.get_absolute_url())

    return HarmActionView


def _remove(record, *, category="", **kwargs):
    return remove_harm(record, **kwargs)


EXTRA_URLS = [
    path(
        "impact-assessments/<str:reference>/harms/", HarmAddView.as_view(), name="impactassessment-harm-add"
    ),
    path(
        "impact-assessments/<str:reference>/harms/<int:harm>/remove/",
        _harm_action(_remove, "{reference}: harm removed.").as_view(),
        name="impactassessment-harm-remove",
    ),
    path(
        "impact-assessments/<str:reference>/harms/<int:harm>/risk/",
        _harm_action(harm_to_risk, "{reference}: the harm is now a risk in the AI risk register.").as_view(),
        name="impactassessment-harm-risk",
    ),
]


# -- API --------------------------------------------------------------------------------------------------
_GenericViewSet = make_api(
    ImpactAssessment,
    services=services,
    fields=FIELDS,
    filterset_class=ImpactAssessmentFilterSet,
    actions=[*ACTIONS, *HARM_ACTIONS],
    doc="AI system impact assessments (6.1.4, A.5) with their approval lifecycle and versions. `system` "
    "by reference. …/harms/ lists the harms; add-harm, remove-harm (drafts) and harm-to-risk change them. "
    "DELETE archives.",
)


class ViewSet(_GenericViewSet):
    @extend_schema(responses=None, description="The harms, most severe first, with the risk each became.")
    @action(detail=True, methods=["get"])
    def harms(self, request, *args, **kwargs):
        record = self.get_object()
        return Response(
            [
                {
                    "id": h.pk,
                    "description": h.description,
                    "affected": h.affected,
                    "likelihood": h.likelihood,
                    "severity": h.severity,
                    "reversibility": h.reversibility,
                    "risk": h.risk.reference if h.risk_id else None,
                }
                for h in record.harms.select_related("risk")
            ]
        )
