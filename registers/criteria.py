"""The AI risk criteria page (6.1.1): everyone reads the bands and appetite; the AIMS manager edits
them, and the risk categories."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect
from django.utils.text import slugify
from django.views.generic import TemplateView

from aims.policies import allows, policy_of, require
from aims.records import history

from .models import RiskCategory, RiskCriteria
from .services import criteria_update


class BandForm(forms.Form):
    name = forms.CharField(max_length=30)
    min = forms.IntegerField(min_value=1, max_value=25, label="From score")
    max = forms.IntegerField(min_value=1, max_value=25, label="To score")
    colour = forms.RegexField(
        regex=r"^#[0-9a-fA-F]{6}$", max_length=7, error_messages={"invalid": "Give a colour as #rrggbb."}
    )


BandFormSet = forms.formset_factory(BandForm, extra=1, can_delete=True, max_num=8)


class CriteriaView(LoginRequiredMixin, TemplateView):
    template_name = "registers/risk_criteria.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        criteria = RiskCriteria.current()
        context.update(
            criteria=criteria,
            can_edit=allows("change", self.request.user, criteria),
            categories=RiskCategory.objects.all(),
            changes=history(criteria).select_related("actor")[:20],
        )
        context.setdefault("formset", BandFormSet(initial=criteria.bands, prefix="band"))
        return context

    def post(self, request, *args, **kwargs):
        require(policy_of(RiskCriteria), "change", request.user, RiskCriteria.current())
        if "category_name" in request.POST:
            return self._category(request)
        formset = BandFormSet(request.POST, prefix="band")
        if formset.is_valid():
            bands = [
                {k: f.cleaned_data[k] for k in ("name", "min", "max", "colour")}
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            bands.sort(key=lambda b: b["min"])
            try:
                criteria_update(
                    actor=request.user,
                    expected_version=int(request.POST.get("version") or 0),
                    bands=bands,
                    appetite=request.POST.get("appetite", ""),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    formset._non_form_errors = formset.error_class([*formset.non_form_errors(), message])
            else:
                messages.success(request, "AI risk criteria saved; every risk is re-levelled with them.")
                return redirect("risk-criteria")
        return self.render_to_response(self.get_context_data(formset=formset), status=400)

    def _category(self, request):
        name = request.POST.get("category_name", "").strip()
        toggle = request.POST.get("toggle")
        if toggle:
            category = RiskCategory.objects.filter(pk=toggle).first()
            if category:
                category.active = not category.active
                category.save(update_fields=["active"])
                state = "available again" if category.active else "retired: existing risks keep it"
                messages.success(request, f"Category “{category.name}” {state}.")
        elif not name or len(name) > 80:
            messages.error(request, "Name the category (1 to 80 characters).")
        else:
            try:
                RiskCategory.objects.create(
                    name=name, slug=slugify(name)[:80], position=RiskCategory.objects.count()
                )
            except IntegrityError:
                messages.error(request, f"A category called “{name}” exists already.")
            else:
                messages.success(request, f"Category “{name}” added.")
        return redirect("risk-criteria")
