"""The readiness (maturity) assessment, the first step of an implementation: rate every clause
requirement (4-10) and Annex A group 0-5 with evidence, see the gaps by priority and the progress since
the last run, raise implementation actions from the gaps, and hand the board a readiness report PDF."""

import datetime as dt

import django_filters as filters
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.views import View
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from aims.actions import RecordAction
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.policies import allows
from aims.record_reports import RecordReportView
from aims.records import StaleEdit
from aims.register import Register
from aims.registry import registry
from aims.views.records import RecordListView, RecordMixin, record_url_names
from registers import readiness
from registers.models import Maturity, ReadinessAssessment

FIELDS = readiness.FIELDS
services = readiness.services


class ReadinessAssessmentForm(RecordForm):
    class Meta:
        model = ReadinessAssessment
        fields = FIELDS


class ReadinessAssessmentFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "notes")
    status = filters.ChoiceFilter(choices=ReadinessAssessment.Status.choices, empty_label="Any")
    ordering = filters.OrderingFilter(fields=(("assessed_on", "assessed_on"), ("reference", "reference")))

    class Meta:
        model = ReadinessAssessment
        fields = []


ACTIONS = [
    RecordAction(
        "raise-actions",
        "Create actions from gaps",
        readiness.raise_actions,
        lambda u, r: allows("raise-actions", u, r),
        done="Implementation actions created for the gaps of {reference}; see the implementation plan.",
        description="One implementation action per gap that has none yet.",
    )
]


# -- pages beyond list, record and form ----------------------------------------------------------------------
class ReadinessAssessmentListView(RecordListView):
    """The list, each assessment's readiness counted in the list's own query (not one query per row)."""

    def visible(self):
        return readiness.with_progress(super().visible())


class ReadinessAnswersView(RecordMixin, View):
    """Save the questionnaire (POST only); a stale page or a bad value changes nothing and says why."""

    def post(self, request, reference):
        assessment = self.get_record()
        try:
            version = int(request.POST.get("version", ""))
            readiness.save_answers(
                assessment, actor=request.user, expected_version=version, data=request.POST
            )
        except ValueError:
            messages.error(
                request, "The form was missing the assessment's version; reload the page and try again."
            )
        except StaleEdit as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Answers of {assessment.reference} saved.")
        return redirect(assessment.get_absolute_url())


class ReadinessReportView(RecordReportView):
    """Queue the readiness report PDF as a job; its page follows the progress."""

    kind, title = readiness.KIND, "Readiness report"


class ReadinessCompareView(RecordMixin, TemplateView):
    """Two assessments question by question: what moved, up or down."""

    template_name = "registers/readiness_compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visible = self.visible().live().order_by("-assessed_on", "-id")
        newer = visible.filter(reference=self.request.GET.get("b", "")).first() or visible.first()
        older = visible.filter(reference=self.request.GET.get("a", "")).first()
        if older is None and newer is not None:
            older = readiness.previous_of(newer)
        rows = readiness.compare(older, newer) if older and newer and older != newer else []
        context.update(
            assessments=visible,
            older=older,
            newer=newer,
            rows=rows,
            improved=sum(1 for r in rows if (r["delta"] or 0) > 0),
            declined=sum(1 for r in rows if (r["delta"] or 0) < 0),
            chart=readiness.chart_for(newer, older) if newer else "",
            model_meta=self.model._meta,
            urls=record_url_names(self.model),
        )
        return context


registry.add_job_runner(readiness.KIND, readiness.readiness_report_pdf)


# -- API, with the questionnaire at …/answers/ ---------------------------------------------------------------
class AnswerSerializer(serializers.Serializer):
    requirement = serializers.CharField(
        help_text="Clause requirement or Annex A group code, e.g. 6.1.2 or A.7."
    )
    title = serializers.CharField(read_only=True)
    maturity = serializers.IntegerField(
        min_value=0, max_value=5, allow_null=True, help_text="0-5; null: not rated."
    )
    evidence = serializers.CharField(required=False, allow_blank=True)


class AnswersRequest(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you last read; a newer one gives 409 Conflict.")
    answers = AnswerSerializer(many=True)


def _answer_rows(assessment):
    return [
        {
            "requirement": a.requirement.code,
            "title": a.requirement.title,
            "maturity": a.maturity,
            "evidence": a.evidence_note,
        }
        for a in assessment.answers.select_related("requirement")
    ]


class ReadinessAssessmentSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = ReadinessAssessment
        fields = record_fields(FIELDS)


class ReadinessAssessmentViewSet(RecordViewSet):
    """Readiness assessments, plus their questionnaire at …/answers/."""

    serializer_class = ReadinessAssessmentSerializer
    filterset_class = ReadinessAssessmentFilterSet
    services = services
    record_actions = ACTIONS

    @extend_schema(
        methods=["GET"], responses=AnswerSerializer(many=True), description="The questionnaire's answers."
    )
    @extend_schema(
        methods=["POST"],
        request=AnswersRequest,
        responses=AnswerSerializer(many=True),
        description="Rate some or all questions; those not sent are unchanged. A bad code or value names the "
        "question and nothing is saved.",
    )
    @action(detail=True, methods=["get", "post"])
    def answers(self, request, *args, **kwargs):
        assessment = self.get_object()
        if request.method == "POST":
            body = AnswersRequest(data=request.data)
            body.is_valid(raise_exception=True)
            by_code = {a.requirement.code: a.pk for a in assessment.answers.select_related("requirement")}
            unknown = [
                item["requirement"]
                for item in body.validated_data["answers"]
                if item["requirement"] not in by_code
            ]
            if unknown:
                raise ValidationError(
                    {"answers": f"Not a question of this assessment: {', '.join(unknown)}."}
                )
            data = {}
            for item in body.validated_data["answers"]:
                pk = by_code[item["requirement"]]
                data[f"maturity-{pk}"] = "" if item["maturity"] is None else str(item["maturity"])
                if "evidence" in item:
                    data[f"evidence-{pk}"] = item["evidence"]
            assessment = readiness.save_answers(
                assessment, actor=request.user, expected_version=body.validated_data["version"], data=data
            )
        return Response(_answer_rows(assessment))


class ReadinessAssessmentRegister(Register):
    model = ReadinessAssessment
    label, url_prefix, position = "Readiness", "readiness", 2
    menu_group = "Readiness and roll-out"
    more_links = (
        ("Compare assessments", "readinessassessment-compare"),
        ("Implementation roadmap", "roadmap"),
    )
    services = services
    form = ReadinessAssessmentForm
    filterset = ReadinessAssessmentFilterSet
    viewset = ReadinessAssessmentViewSet
    actions = ACTIONS
    detail_template = "registers/readiness_detail.html"
    list_view = ReadinessAssessmentListView
    columns = [
        ("Assessment", "title", "reference"),
        ("Date", "assessed_on", "assessed_on"),
        ("Status", "status", None),
        ("Target", "target_maturity", None),
        ("Ready", lambda r: f"{readiness.readiness_percent(r)}%", None),
        ("Owner", "owner", None),
    ]
    fieldsets = [("The assessment", ["assessed_on", "target_maturity", "notes"])]
    form_fieldsets = [
        ("The assessment", ["title", "assessed_on", "status", "target_maturity", "notes"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "Where the organisation stands against ISO/IEC 42001: maturity 0-5 per clause requirement and "
        "Annex A group. A new assessment starts from the answers of the last one, so progress shows."
    )
    empty_text = (
        "No readiness assessment yet. Start one: it lists every clause requirement and Annex A group to rate."
    )

    def detail_context(self, request, assessment, tab) -> dict:
        """The questionnaire, its gaps and the progress since the last run, on the details tab."""
        if tab != "details":
            return {}
        answers = list(assessment.answers.select_related("requirement"))
        sections = {}
        for answer in answers:
            sections.setdefault(readiness.section_of(answer.requirement), []).append(answer)
        previous = readiness.previous_of(assessment)
        can_rate = assessment.status == ReadinessAssessment.Status.IN_PROGRESS and allows(
            "edit", request.user, assessment
        )
        return {
            "questionnaire": list(sections.items()),
            "unrated": sum(1 for a in answers if a.maturity is None),
            "maturity_choices": Maturity.choices,
            "can_rate": can_rate,
            "gaps": readiness.gaps(assessment),
            "percent": readiness.readiness_percent(assessment),
            "chart": readiness.chart_for(assessment, previous),
            "previous": previous,
            "actions_raised": assessment.actions.live().count(),
        }

    def sample(self, people, n=0):
        fields = {"title": f"Baseline, {n}", "assessed_on": dt.date(2026, 3, 1) + dt.timedelta(days=n)}
        return self.services.create(actor=people["owner"], fields=fields)

    def extra_urls(self) -> list:
        prefix, ref = self.url_prefix, "<str:reference>"
        return [
            path(
                f"{prefix}/compare/",
                ReadinessCompareView.as_view(**self._base()),
                name="readinessassessment-compare",
            ),
            path(
                f"{prefix}/{ref}/answers/",
                ReadinessAnswersView.as_view(**self._base()),
                name="readinessassessment-answers",
            ),
            path(
                f"{prefix}/{ref}/report/",
                ReadinessReportView.as_view(**self._base()),
                name="readinessassessment-report",
            ),
        ]
