"""The impact assessment's record page: the reassessment badge, the Art. 27 fields and the harms, and
the POSTs its harm forms make (add, remove, turn into a risk)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from aims import records
from aims.policies import allows, policy_of
from aims.records import StaleEdit
from aims.views.records import RecordDetailView, _label, _shown
from lifecycle.models import Harm, ImpactAssessment, ImpactThresholds, UseLevel

from .forms import HarmForm, ThresholdsForm
from .harms import HARM_FIELDS, add_harm, may_edit_harms, remove_harm
from .services import FRIA, FRIA_NOTE
from .uses import describe, indicated, thresholds_update, top_severity, understated


def assessment_context(request, record, tab) -> dict:
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
        "uses": uses_context(record),
        "fria_note": FRIA_NOTE,
        "fria_items": [(_label(ImpactAssessment, n), _shown(record, n)) for n in FRIA],
        "harms": list(record.harms.select_related("risk")),
        "can_edit_harms": may_edit_harms(user, record),
        "can_make_risks": not record.is_archived and allows("harm-to-risk", user, record),
        "harm_form": HarmForm(initial={"version": record.version}),
    }


def uses_context(record) -> dict:
    """The thresholds the assessment keeps, what its harms reach against them, and its conclusion; for
    a draft, whether the organisation's thresholds changed since it was saved (saving takes them)."""
    top = top_severity(record)
    kept = (record.sensitive_from, record.restricted_from)
    reached = indicated(top, *kept)
    current = ImpactThresholds.current()
    now = (current.sensitive_from, current.restricted_from)
    return {
        "thresholds": describe(*kept) if record.sensitive_from else "",
        "top": top,
        "reached": UseLevel(reached).label if reached else "",
        "problem": understated(record.use_conclusion, record.use_conclusion_reason, top, *kept),
        "changed_since": describe(*now) if record.is_editable and kept != now else "",
    }


class HarmAddView(RecordDetailView):
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


class HarmActionView(RecordDetailView):
    """A POST per harm (remove, turn into a risk): the outcome as a message on the record's page.
    `service` and `done_message` are handed over by as_view()."""

    http_method_names = ["post"]
    service = None  # callable(record, *, actor, expected_version, harm, category)
    done_message = "{reference} updated."

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        get_object_or_404(Harm, pk=kwargs["harm"], assessment=record)
        try:
            version = int(request.POST.get("version", ""))
            record = self.service(
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
            messages.success(request, self.done_message.format(reference=record.reference))
        return redirect(record.get_absolute_url())


def remove(record, *, category="", **kwargs):
    """remove_harm as a HarmActionView service (the form's category is for turning into a risk)."""
    return remove_harm(record, **kwargs)


class ThresholdsView(LoginRequiredMixin, TemplateView):
    """The organisation's thresholds for sensitive and restricted uses: everyone reads them and their
    history; the AIMS manager changes them."""

    template_name = "lifecycle/impact_thresholds.html"

    def get_context_data(self, **kwargs):
        thresholds = ImpactThresholds.current()
        kwargs.setdefault(
            "form",
            ThresholdsForm(
                initial={"sensitive_from": thresholds.sensitive_from, "restricted_from": thresholds.restricted_from,
                         "version": thresholds.version}
            ),
        )  # fmt: skip
        return super().get_context_data(
            thresholds=thresholds,
            described=describe(thresholds.sensitive_from, thresholds.restricted_from),
            can_edit=not policy_of(ImpactThresholds).refusal("change", self.request.user, thresholds),
            changes=records.history(thresholds).select_related("actor")[:50],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = ThresholdsForm(request.POST)
        if form.is_valid():
            try:
                thresholds_update(actor=request.user, expected_version=form.cleaned_data["version"],
                                  sensitive_from=form.cleaned_data["sensitive_from"],
                                  restricted_from=form.cleaned_data["restricted_from"])  # fmt: skip
            except ValidationError as exc:
                found = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for field, errors in found.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "Thresholds saved. Drafts take them when next saved; approved "
                                          "assessments keep those they were approved with.")  # fmt: skip
                return redirect("impactassessment-thresholds")
        return self.render_to_response(self.get_context_data(form=form), status=400)
