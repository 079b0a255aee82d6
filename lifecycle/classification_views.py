"""EU AI Act classification pages and API (the rules: lifecycle.eu_ai_act; storing and four eyes:
lifecycle.classification): the questionnaire, where every question is answered yes or no; the section of
the system's page (in effect, awaiting answers or confirmation, refused, prohibited and why); the confirm
and refuse decision; the same through …/classification/ in the systems API."""

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

from aims.api.base import expected_version
from aims.policies import allows, policy_of, require
from aims.records import StaleEdit
from aims.views.records import RecordMixin, record_url_names

from . import classification, eu_ai_act
from .models import AISystem, ClassificationStatus, Tier

Status = ClassificationStatus


# -- The section on the system's page ------------------------------------------------------------------------
def classification_context(request, system) -> dict:
    """What templates/lifecycle/aisystem_classification.html shows."""
    user = request.user
    waiting = system.awaiting_confirmation
    shown = (
        system.eu_proposal
        if waiting and system.proposed_tier == Tier.PROHIBITED
        else system.eu_classification
    )
    return {
        "classification": system.eu_classification or {},
        "proposal": system.eu_proposal or {},
        "unanswered_questions": classification.unanswered_questions(system),
        "prohibited_points": classification.prohibited_points(system) if system.is_prohibited else [],
        "prohibited_reasons": (shown or {}).get("reasons", []) if system.is_prohibited else [],
        "can_classify": allows("answer_classification", user, system),
        "can_confirm_classification": waiting and allows("confirm_classification", user, system),
        "confirm_refusal": policy_of(system).refusal("confirm_classification", user, system)
        if waiting
        else "",
    }


# -- The questionnaire ---------------------------------------------------------------------------------------
class ClassifyView(RecordMixin, TemplateView):
    """Every question answered yes or no (nothing is read as "no" by default); an unanswered question is
    named and what was answered is kept. The result waits for a second person's confirmation."""

    model = AISystem
    template_name = "lifecycle/aisystem_classify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.record = self.get_record()
            require(policy_of(self.record), "answer_classification", request.user, self.record)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, answers=None, errors=None, **kwargs):
        answers = classification.pending_answers(self.record) if answers is None else answers
        errors = errors or {}
        sections = [
            (heading, [(key, question, answers.get(key), errors.get(key)) for key, question in items])
            for heading, items in eu_ai_act.questions()
        ]
        return super().get_context_data(
            record=self.record,
            sections=sections,
            annex_iii=list(eu_ai_act.ANNEX_III.items()),
            annex_iii_question=eu_ai_act.ANNEX_III_QUESTION,
            area=answers.get("annex_iii", ""),
            area_error=errors.get("annex_iii"),
            errors=errors,
            model_meta=self.model._meta,
            urls=record_url_names(self.model),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        answers = classification.answers_from_form(request.POST)
        try:
            version = int(request.POST.get("version", ""))
            system = classification.answer_classification(
                self.record, actor=request.user, expected_version=version, answers=answers
            )
        except ValueError:
            messages.error(
                request, "The form was missing the system's version; reload the page and try again."
            )
            return redirect(request.path)
        except StaleEdit as exc:
            messages.error(request, exc.message)
            return redirect(request.path)
        except ValidationError as exc:
            errors = (
                {k: " ".join(v) for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {}
            )
            context = self.get_context_data(answers=answers, errors=errors, refusal=" ".join(exc.messages))
            return self.render_to_response(context, status=400)
        messages.success(request, answered_message(system))
        return redirect(f"{system.get_absolute_url()}#classification")


def answered_message(system) -> str:
    if system.awaiting_confirmation:
        return (
            f"{system.reference}: answers recorded, proposing {system.get_proposed_tier_display()}. The "
            "classification awaits confirmation by the governance board or the AIMS manager (someone other "
            f"than you); until then the tier in effect stays {system.get_eu_tier_display()}."
        )
    return f"{system.reference}: the answers are those in effect ({system.get_eu_tier_display()})."


class ClassificationDecisionView(RecordMixin, View):
    """Confirm or refuse (with a reason) the classification awaiting confirmation; POST only."""

    model = AISystem

    def post(self, request, *args, **kwargs):
        system = self.get_record()
        confirm = request.POST.get("decision") == "confirm"
        try:
            version = int(request.POST.get("version", ""))
            if confirm:
                system = classification.confirm_classification(
                    system, actor=request.user, expected_version=version
                )
                messages.success(
                    request, f"{system.reference} classification confirmed: {system.get_eu_tier_display()}."
                )
            else:
                system = classification.refuse_classification(
                    system,
                    actor=request.user,
                    expected_version=version,
                    reason=request.POST.get("reason", ""),
                )
                messages.success(
                    request, f"{system.reference} classification refused; the answers are to be revised."
                )
        except ValueError:
            messages.error(
                request, "The form was missing the system's version; reload the page and try again."
            )
        except StaleEdit as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(f"{system.get_absolute_url()}#classification")


REF = "systems/<str:reference>"
URLS = [
    path(f"{REF}/classify/", ClassifyView.as_view(), name="aisystem-classify"),
    path(
        f"{REF}/classification/decide/",
        ClassificationDecisionView.as_view(),
        name="aisystem-classification-decide",
    ),
]


# -- API --------------------------------------------------------------------------------------------------
def classification_data(system) -> dict:
    stored, proposal = system.eu_classification or {}, system.eu_proposal or {}
    return {
        "status": system.classification_status,
        "tier": system.eu_tier,
        "answers": stored.get("answers", {}),
        "reasons": stored.get("reasons", []),
        "duties": stored.get("duties", []),
        "articles": stored.get("articles", []),
        "answered_by": stored.get("answered_by", ""),
        "confirmed_by": str(system.classified_by or ""),
        "confirmed_at": system.classified_at.isoformat() if system.classified_at else None,
        "proposal": {
            "tier": system.proposed_tier,
            "answers": proposal.get("answers", {}),
            "reasons": proposal.get("reasons", []),
            "duties": proposal.get("duties", []),
            "articles": proposal.get("articles", []),
            "answered_by": str(system.proposed_by or ""),
            "answered_at": system.proposed_at.isoformat() if system.proposed_at else None,
            "unanswered": eu_ai_act.unanswered(proposal.get("answers", {}))
            if system.classification_status == Status.AWAITING_ANSWERS
            else [],
            "refusal": proposal.get("refusal"),
        }
        if proposal
        else None,
        "version": system.version,
        "questions": eu_ai_act.question_texts(),
        "annex_iii": eu_ai_act.ANNEX_III,
    }


class ClassificationSerializer(serializers.Serializer):
    version = serializers.IntegerField(write_only=True, help_text="The version you last read.")
    answers = serializers.DictField(
        help_text="Every question key (see GET questions) to true or false, and annex_iii: one of the Annex III "
        "area keys (none for none). A missing or non-boolean answer is a 400 naming the question."
    )
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    tier = serializers.CharField(read_only=True, help_text="The tier in effect (confirmed).")
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    duties = serializers.ListField(child=serializers.CharField(), read_only=True)
    articles = serializers.ListField(child=serializers.CharField(), read_only=True)
    proposal = serializers.DictField(read_only=True, allow_null=True, help_text="Answers not yet in effect.")


class ClassificationDecisionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you last read.")
    decision = serializers.ChoiceField(choices=[("confirm", "Confirm"), ("refuse", "Refuse")])
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required to refuse."
    )


class ClassificationApiMixin:
    """…/classification/ (GET, POST answers) and …/classification/decision/ (confirm or refuse)."""

    @extend_schema(methods=["GET"], responses=ClassificationSerializer)
    @extend_schema(methods=["POST"], request=ClassificationSerializer, responses=ClassificationSerializer)
    @action(detail=True, methods=["get", "post"])
    def classification(self, request, *args, **kwargs):
        system = self.get_object()
        if request.method == "POST":
            data = request.data if isinstance(request.data, dict) else {}
            answers = data.get("answers")
            if not isinstance(answers, dict):
                raise ValidationError({"answers": "Send the answers as an object of question keys."})
            system = classification.answer_classification(
                system, actor=request.user, expected_version=expected_version(request), answers=answers
            )
        return Response(classification_data(system))

    @extend_schema(request=ClassificationDecisionSerializer, responses=ClassificationSerializer)
    @action(detail=True, methods=["post"], url_path="classification/decision")
    def classification_decision(self, request, *args, **kwargs):
        system = self.get_object()
        body = ClassificationDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["decision"] == "confirm":
            system = classification.confirm_classification(
                system, actor=request.user, expected_version=data["version"]
            )
        else:
            system = classification.refuse_classification(
                system, actor=request.user, expected_version=data["version"], reason=data["reason"]
            )
        return Response(classification_data(system))
