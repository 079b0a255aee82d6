"""The AI risk treatment plan's page (6.1.3): the plan as it stands, what changed since its last approval,
the approvals so far, and the approval form for who may approve it."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from aims.policies import policy_of

from .models import TreatmentPlanApproval
from .treatment_plan import approval_refusal, approve_treatment_plan, plan_for

HISTORY = 20  # approvals listed on the page
PER_PAGE = 100  # risks of the plan per page: the approval covers them all, the page shows a part


class ApproveForm(forms.Form):
    seen = forms.CharField(widget=forms.HiddenInput)
    approved_on = forms.DateField(
        label="Approved on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The day management approved it, e.g. the board meeting's date; not a day to come.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="e.g. the meeting or decision that approved it.",
    )


class TreatmentPlanView(LoginRequiredMixin, TemplateView):
    template_name = "registers/treatment_plan.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        plan = plan_for(user)
        refusal = approval_refusal(user, plan)
        approvers = policy_of(TreatmentPlanApproval).approvers
        context.update(
            plan=plan,
            page_obj=Paginator(plan.rows, PER_PAGE).get_page(self.request.GET.get("page")),
            changed_ids={row["id"] for row, _what in plan.changed},
            added_ids={row["id"] for row in plan.added},
            approvals=list(TreatmentPlanApproval.objects.select_related("approved_by")[:HISTORY]),
            can_approve=not refusal,
            refusal=refusal if user.has_role(*approvers) else "",
        )
        context.setdefault(
            "form", ApproveForm(initial={"seen": plan.digest, "approved_on": timezone.localdate()})
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ApproveForm(request.POST)
        if form.is_valid():
            try:
                approval = approve_treatment_plan(
                    actor=request.user,
                    seen=form.cleaned_data["seen"],
                    approved_on=form.cleaned_data["approved_on"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    f"The AI risk treatment plan is approved as of {approval.approved_on:%Y-%m-%d}, "
                    f"covering {len(approval.covered)} risks.",
                )
                return redirect("risk-treatment-plan")
        return self.render_to_response(self.get_context_data(form=form), status=400)
