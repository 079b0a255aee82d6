"""Stage gate pages, API and dashboard panel (ISO/IEC 42001 8.1, A.6): the "Stage gates" section of an
AI system's page, the gate criteria page, the gate endpoints of the systems API, and the reviews
waiting for a decision. The rules live in lifecycle.gates; who may do what, in lifecycle.policies."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views import View
from django.views.generic import TemplateView
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from aims import permissions, roles
from aims.api.fields import absolute_links
from aims.models import User
from aims.policies import allows, policy_of
from aims.registry import registry
from aims.selectors import first_with_total
from aims.together import together
from aims.views.files import serve_private_file
from aims.views.records import RecordMixin

from . import gates
from .models import AISystem, GateCriteria, GateReview, Stage

PENDING = GateReview.Decision.PENDING


# -- The section on the system's page ---------------------------------------------------------------------
def gate_context(request, system) -> dict:
    """What templates/lifecycle/gate_panel.html shows: the next gates' checklists, the request form,
    the pending review and every past review."""
    user = request.user
    # Two queries for the section: the reviews with the criteria, then what every check of the next gates
    # reads with the approvers to choose from (aims.together).
    reviews, criteria = together(
        system.gate_reviews.select_related("requested_by", "approver"), GateCriteria.objects.all()
    )
    criteria = gates.criteria_rows(criteria)
    pending = next((r for r in reviews if r.decision == PENDING), None)
    can_change = not system.is_archived and permissions.allowed(user, "change", system)
    stages = gates.targets(system.stage)
    can_request = can_change and pending is None and bool(stages)
    keys = {key for stage in stages for key in gates.checklist_keys(stage, criteria)}
    wanted = gates.check_reads(system, keys)
    people = gates.eligible_approvers(system, requester=user) if can_request else User.objects.none()
    *found, approvers = together(*wanted.values(), people)
    rows = dict(zip(wanted, found, strict=True))
    options = []
    for stage in stages:
        items = gates.checklist(system, stage, criteria=criteria, rows=rows)
        options.append(
            {
                "stage": stage,
                "label": gates.stage_label(stage),
                "items": items,
                "missing": len(gates.unmet(items)),
                # What must change before the request can be made: the button says so before it is pressed.
                "blocking": gates.blocking(items),
            }
        )
    can_decide = bool(pending and allows("decide", user, pending))
    can_withdraw = bool(pending and allows("withdraw", user, pending))
    # The answer to the person's last gate action, shown beside the form they used (not at the top of the
    # page, off-screen), with what they had entered when it was refused; at the section's head when that
    # form is gone (the gate was decided meanwhile).
    outcome = request.session.pop(outcome_key(system), None)
    if outcome:
        beside = {"request": bool(approvers), "decide": can_decide, "withdraw": can_withdraw or can_decide}
        outcome["where"] = outcome["form"] if beside.get(outcome["form"]) else "top"
        if outcome["where"] == "withdraw":
            outcome["where"] = "decide"  # the withdraw button sits under the decision form
    return {
        "gate_outcome": outcome,
        "gate_entered": (outcome or {}).get("entered", {}),
        "gate_requestable": [o for o in options if not o["blocking"]],
        "gate_reviews": reviews,
        "gate_pending": pending,
        "gate_options": options,
        "gate_can_request": can_request,
        "gate_approvers": approvers,
        "gate_can_decide": can_decide,
        "gate_can_withdraw": can_withdraw,
    }


class GateRequestForm(forms.Form):
    to_stage = forms.ChoiceField(label="Into", choices=Stage.choices, required=False)
    approver = forms.ModelChoiceField(
        queryset=User.objects.none(),
        error_messages={
            "required": "Choose who approves the gate.",
            "invalid_choice": "Choose an approver from the list: an AIMS manager or board member "
            "who does not own the system.",
        },
    )
    evidence_note = forms.CharField(label="Evidence", required=False, widget=forms.Textarea)
    evidence = forms.FileField(label="Evidence file", required=False)

    def __init__(self, *args, system, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approver"].queryset = gates.eligible_approvers(system, requester=user)


def outcome_key(system) -> str:
    return f"gate-outcome:{system.pk}"


class _GateAction(RecordMixin, View):
    """POST only; the answer -- done, or refused and why -- comes back on the system's page inside its gate
    section, next to the form the person used, and the page opens there (#gate-outcome)."""

    model = AISystem
    kept = ("to_stage", "approver", "evidence_note", "reason")  # what a refused form gives back

    def back(self, system):
        return redirect(f"{system.get_absolute_url()}#gate-outcome")

    def review(self, system):
        return get_object_or_404(GateReview, pk=self.kwargs["pk"], system=system)

    def post(self, request, *args, **kwargs):
        system = self.get_record()
        try:
            done = self.act(request, system)
        except ValidationError as exc:
            outcome = {"refused": " ".join(exc.messages), "form": self.form_name}
            outcome["entered"] = {name: request.POST.get(name, "")[:5000] for name in self.kept}
        else:
            outcome = {"done": done, "form": self.form_name}
        request.session[outcome_key(system)] = outcome
        return self.back(system)


class GateRequestView(_GateAction):
    form_name = "request"

    def act(self, request, system):
        permissions.require(request.user, "change", system)
        form = GateRequestForm(request.POST, request.FILES, system=system, user=request.user)
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        data = form.cleaned_data
        review = gates.request_gate(
            system,
            actor=request.user,
            approver=data["approver"],
            evidence_note=data["evidence_note"],
            evidence_file=data.get("evidence"),
            to_stage=data["to_stage"],
        )
        return f"Gate into {review.get_to_stage_display()} requested; {review.approver} decides."


class GateDecideView(_GateAction):
    form_name = "decide"

    def act(self, request, system):
        approve = request.POST.get("decision") == "approve"
        review = gates.decide_gate(
            self.review(system), actor=request.user, approve=approve, reason=request.POST.get("reason", "")
        )
        if approve:
            return f"Gate approved: {system.reference} is now in {review.get_to_stage_display()}."
        return f"Gate into {review.get_to_stage_display()} rejected; the reason is in the gate history."


class GateWithdrawView(_GateAction):
    form_name = "withdraw"

    def act(self, request, system):
        review = gates.withdraw_gate(self.review(system), actor=request.user)
        return f"Gate request into {review.get_to_stage_display()} withdrawn."


class GateEvidenceView(RecordMixin, View):
    """The evidence file of a review, to anyone who may see the system."""

    model = AISystem

    def get(self, request, *args, **kwargs):
        system = self.get_record()  # 404 unless the person may see the system
        review = get_object_or_404(GateReview, pk=kwargs["pk"], system=system)
        if not review.evidence:
            raise Http404("This gate review has no evidence file.")
        review.reference = f"{system.reference}-gate-{review.pk}"  # what serve_private_file names it by
        return serve_private_file(request, review, "evidence", "evidence_name")


# -- Gate criteria ----------------------------------------------------------------------------------------
class GateCriteriaView(RecordMixin, TemplateView):
    """Which checks each stage's gate requires. Everyone reads it; only the AIMS manager changes it."""

    model = AISystem
    template_name = "lifecycle/gate_criteria.html"

    def get_context_data(self, **kwargs):
        criteria = gates.all_criteria()
        stages = [(s, gates.stage_label(s)) for s in gates.GATED_STAGES]
        rows = [
            (key, label, [(stage, key in criteria[stage]) for stage, _ in stages])
            for key, (label, _) in gates.CHECKS.items()
        ]
        return super().get_context_data(
            stages=stages,
            rows=rows,
            always=[label for label, _ in gates.ALWAYS.values()],
            can_edit=not policy_of(GateCriteria).refusal("change", self.request.user, None),
            log=gates.criteria_log()[:100],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        wanted = {stage: request.POST.getlist(stage) for stage in gates.GATED_STAGES}
        try:
            changed = gates.set_criteria(actor=request.user, wanted=wanted)  # PermissionDenied: 403, why
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("aisystem-gate-criteria")
        if changed:
            names = ", ".join(gates.stage_label(s) for s in changed)
            messages.success(request, f"Gate criteria saved: {names}.")
        else:
            messages.info(request, "Nothing changed.")
        return redirect("aisystem-gate-criteria")


REF = "systems/<str:reference>/gates"
URLS = [
    path("systems/gate-criteria/", GateCriteriaView.as_view(), name="aisystem-gate-criteria"),
    path(f"{REF}/request/", GateRequestView.as_view(), name="aisystem-gate-request"),
    path(f"{REF}/<int:pk>/decide/", GateDecideView.as_view(), name="aisystem-gate-decide"),
    path(f"{REF}/<int:pk>/withdraw/", GateWithdrawView.as_view(), name="aisystem-gate-withdraw"),
    path(f"{REF}/<int:pk>/evidence/", GateEvidenceView.as_view(), name="aisystem-gate-evidence"),
]


# -- API --------------------------------------------------------------------------------------------------
def review_data(review) -> dict:
    system = review.system
    return {
        "id": review.pk,
        "from_stage": review.from_stage,
        "to_stage": review.to_stage,
        "requested_by": review.requested_by.username,  # people by username, as everywhere in the API
        "requested_at": review.requested_at.isoformat(),
        "approver": review.approver.username,
        "decision": review.decision,
        "decided_at": review.decided_at.isoformat() if review.decided_at else None,
        "reason": review.reason,
        "checklist": review.checklist,
        "evidence_note": review.evidence_note,
        "evidence_name": review.evidence_name,
        "evidence_sha256": review.evidence_sha256,
        "evidence_url": reverse("aisystem-gate-evidence", args=[system.reference, review.pk])
        if review.evidence
        else None,
    }


def gates_data(system) -> dict:
    return {
        "system": system.reference,
        "stage": system.stage,
        "next": [
            {
                "to_stage": stage,
                "checklist": (items := gates.checklist(system, stage)),
                "ready": not gates.unmet(items),
            }
            for stage in gates.targets(system.stage)
        ],
        "reviews": [
            review_data(r) for r in system.gate_reviews.select_related("system", "requested_by", "approver")
        ],
    }


class GateRequestSerializer(serializers.Serializer):
    approver = serializers.CharField(
        max_length=150, help_text="Username of an AIMS manager or board member who does not own the system."
    )
    evidence_note = serializers.CharField(required=False, allow_blank=True, default="")
    to_stage = serializers.ChoiceField(
        choices=Stage.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Default: the next stage. Decommissioning may be asked from any stage after design.",
    )


class GateRequestUploadSerializer(GateRequestSerializer):
    """A gate request with its evidence file, sent as multipart/form-data."""

    evidence = serializers.FileField(required=False, allow_null=True, default=None)


class GateDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required to reject."
    )


class GatesSerializer(serializers.Serializer):
    system = serializers.CharField()
    stage = serializers.CharField()
    next = serializers.ListField(child=serializers.DictField())
    reviews = serializers.ListField(child=serializers.DictField())


class GateApiMixin:
    """…/gates/ (GET: history and the next checklist; POST: request a gate) and
    …/gates/{id}/decision/ (POST: the designated approver decides)."""

    @extend_schema(
        methods=["GET"], responses=GatesSerializer, description="Gate history and the next checklist."
    )
    @extend_schema(
        methods=["POST"],
        # Two bodies of two names: a generated client tells JSON from multipart with a file by type.
        request={
            "application/json": GateRequestSerializer,
            "multipart/form-data": GateRequestUploadSerializer,
        },
        responses={201: GatesSerializer},
        description="Request the gate into the next stage (8.1, A.6).",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="gates",
        url_name="gates",
        parser_classes=[JSONParser, MultiPartParser],  # the evidence comes as a file
    )
    def gate_reviews(self, request, *args, **kwargs):
        system = self.get_object()
        if request.method != "POST":
            return Response(absolute_links(gates_data(system), request))
        serializer = GateRequestUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        approver = User.objects.filter(username=data["approver"]).first()
        if approver is None:
            raise ValidationError({"approver": "No one has that username."})
        gates.request_gate(
            system,
            actor=request.user,
            approver=approver,
            evidence_note=data["evidence_note"],
            evidence_file=data.get("evidence"),
            to_stage=data["to_stage"],
        )
        return Response(absolute_links(gates_data(system), request), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=GateDecisionSerializer,
        responses=GatesSerializer,
        parameters=[OpenApiParameter("gate_id", int, OpenApiParameter.PATH, description="The review's id.")],
        description="The designated approver approves (the system moves stage) or rejects (with a reason).",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"gates/(?P<gate_id>[0-9]{1,12})/decision",
        url_name="gate-decision",
    )
    def gate_decision(self, request, *args, gate_id=None, **kwargs):
        system = self.get_object()
        review = get_object_or_404(GateReview, pk=int(gate_id), system=system)
        serializer = GateDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        gates.decide_gate(
            review,
            actor=request.user,
            approve=serializer.validated_data["decision"] == "approve",
            reason=serializer.validated_data["reason"],
        )
        system.refresh_from_db()
        return Response(absolute_links(gates_data(system), request))


# -- Dashboard --------------------------------------------------------------------------------------------
def gates_panel(request) -> dict:
    """Gate reviews waiting for my decision; the manager and the board also see every pending one.
    Two queries, however many reviews there are: each list's first rows count the rest (the AI system
    list's ?gate= filter reads the same queues)."""
    user = request.user
    visible = AISystem.objects.restrict(user, "view").live()

    def queue(name):
        reviews = gates.pending_gate_reviews(user, name).filter(system__in=visible)
        reviews = reviews.select_related("system", "requested_by", "approver")
        return first_with_total(reviews, "requested_at", "pk", shown=10)

    oversees = policy_of(GateReview).oversees(user)
    mine, mine_count = queue("awaiting_me")
    others, others_count = queue("pending_others") if oversees else ([], 0)
    return {
        "template": "lifecycle/gate_dashboard.html",
        "mine": mine,
        "mine_count": mine_count,
        "others": others,
        "others_count": others_count,
        "oversees": oversees,
        "list_url": reverse("aisystem-list"),
        "criteria_url": reverse("aisystem-gate-criteria"),
    }


registry.add_dashboard_panel(gates_panel, roles=(roles.MANAGER, roles.BOARD), order=10)
