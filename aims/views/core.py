"""Dashboard, catalogue, notifications, jobs and API tokens: pages that belong to no one register."""

import datetime as dt
from functools import partial
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, IntegerField, Value, Window
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from aims import freshness, jobs
from aims.downloads import download
from aims.filters import awaiting_decision
from aims.models import Job, Requirement, Standard
from aims.models.catalogue import PRIMARY_STANDARD, naming
from aims.permissions import restrict
from aims.policies import allows, dashboard_sections
from aims.prepared import prepared, prepared_together
from aims.redirects import safe_next
from aims.registry import registry
from aims.selectors import firsts_with_totals
from aims.together import totals


class DashboardView(LoginRequiredMixin, TemplateView):
    """The shell of the dashboard: my work and what waits for my decision, in a constant number of
    queries whatever the number of registers. Each register's panel loads on its own (DashboardPanelView,
    through htmx), so adding registers adds requests that run side by side, never queries to this one.
    A person gets the panels of their roles only (registry.dashboard_panels_for): each role's first
    screen answers its own question, and nothing on it is for someone else to act on."""

    template_name = "aims/dashboard.html"

    def get(self, request, *args, **kwargs):
        return freshness.kept_page(request, lambda: super(DashboardView, self).get(request, *args, **kwargs))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        sections = dashboard_sections(user)
        owns_records = sections["my_work"]
        registers = registry.registers

        def work():  # registers by position: what is kept (aims.freshness) is data, not the registry
            position = {id(info): i for i, info in enumerate(registers)}
            mine = my_due_records(user, today) if owns_records else []
            waiting = []
            if sections["decisions"]:  # every register's first few and count, in one round trip
                deciding = [i for i, info in enumerate(registers) if info.awaiting_decision]
                found = awaiting_firsts(user)
                waiting = [(i, rows, total) for i, (rows, total) in zip(deciding, found, strict=True)]
            return [(position[id(info)], *rest) for info, *rest in mine], waiting

        mine, waiting = freshness.kept(("dashboard", user.pk), work)
        context["my_work"] = [(registers[i], *rest) for i, *rest in mine]
        # Only the registers where something waits: a row of "nothing waits" boxes hides what does.
        context["awaiting"] = [(registers[i], records, total) for i, records, total in waiting if total]
        context["decides"] = sections["decides"]
        context["panels"] = [
            (panel.__name__, panel.__name__.removesuffix("_panel").replace("_", " ").capitalize())
            for panel in registry.dashboard_panels_for(user)
        ]  # (name, what a page without JavaScript calls its link)
        context["owns_records"] = owns_records
        context["today"] = today
        return context


def awaiting(info, user):
    """The records of a register waiting for `user`'s decision, with their owners: the list's
    `awaiting_decision=true` filter reads the same selector (aims.filters)."""
    return awaiting_decision(info.model, user).select_related("owner")


AWAITING_SHOWN = 5  # records the dashboard names of each register's waiting ones


def awaiting_firsts(user) -> list[tuple[list, int]]:
    """For each register that takes decisions (in registry order): the first records waiting for `user`'s
    decision and how many wait. One round trip, its SQL kept per set of roles (aims.prepared): built and
    compiled for each request, its sixteen parts were half of the dashboard's Python."""
    answers = prepared_together("awaiting_decision", _awaiting_asked, user)
    if answers is None:
        return firsts_with_totals(_awaiting_each(user), shown=AWAITING_SHOWN)
    return [
        (rows, counted[0]["total"] if counted else 0)
        for rows, counted in zip(answers[::2], answers[1::2], strict=True)
    ]


def _awaiting_asked(user):
    """firsts_with_totals()'s parts for each register: its first waiting records, then their count. None
    when a register's are DISTINCT (firsts_with_totals counts those with a window, apart)."""
    querysets = _awaiting_each(user)
    if any(queryset.query.distinct for queryset in querysets):
        return None
    return [part for q in querysets for part in (q[:AWAITING_SHOWN], totals(q, total=Count("pk")))]


def _awaiting_each(user) -> list:
    """awaiting() of each register that takes decisions, in registry order."""
    return [awaiting(info, user) for info in registry.registers if info.awaiting_decision]


def _due_union(user, soon, per_register):
    """One SELECT per register of what `user` owns due by `soon`, as one UNION where the database can."""
    selects = [
        info.model.objects.restrict(user, "view")
        .live()
        .filter(owner=user, next_review_on__lte=soon)
        .order_by("next_review_on")
        .annotate(register=Value(index, output_field=IntegerField()), total=Window(Count("pk")))
        .values_list("register", "reference", "title", "next_review_on", "total")[:per_register]
        for index, info in enumerate(registry.registers)
    ]
    if len(selects) > 1 and connection.features.supports_slicing_ordering_in_compound:
        return selects[0].union(*selects[1:], all=True)
    # SQLite (the embedded default of `make run`) cannot LIMIT inside a UNION: one query each
    return [row for select in selects for row in select]


def my_due_records(user, today, per_register: int = 5):
    """[(register info, [(reference, title, next review, url)], how many in all)] of what `user` owns
    that is due within REMINDER_DUE_WITHIN_DAYS (or overdue), across every register, in ONE query (a UNION
    of one SELECT per register, each counting its rows before the limit). The list behind each is
    ?mine=true&review=due_or_overdue."""
    soon = today + dt.timedelta(days=settings.REMINDER_DUE_WITHIN_DAYS)
    rows = prepared("my_due_records", partial(_due_union, per_register=per_register), user, soon=soon)
    found: dict[int, list] = {}
    totals: dict[int, int] = {}
    for index, reference, title, due, total in rows:
        info = registry.registers[index]
        url = reverse(info.model.url_name("detail"), args=[reference])
        found.setdefault(index, []).append((reference, title, due, url))
        totals[index] = total
    return [
        (registry.registers[i], sorted(items, key=lambda r: r[2]), totals[i])
        for i, items in sorted(found.items())
    ]


def _draw_panel(request, panel) -> str:
    """A panel as the person last saw it while nothing has been written since (aims.freshness), else
    drawn again. Kept per person and per CSRF cookie: a panel's buttons carry the session's token."""

    def draw():
        context = panel(request)
        return render_to_string(
            context["template"], {"panel": context, "today": timezone.localdate()}, request=request
        )

    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    return freshness.kept(("panel", panel.__name__, request.user.pk, csrf), draw)


class DashboardPanelView(LoginRequiredMixin, View):
    """One register's dashboard panel, by the name of its function (see registry.add_dashboard_panel)."""

    def get(self, request, name):
        # Any panel by its name, whoever asks: its records pass restrict() as everywhere; the shell loads
        # only the panels of the person's roles.
        for panel in registry.dashboard_panels:
            if panel.__name__ == name:
                return HttpResponse(_draw_panel(request, panel))
        raise Http404(f"No dashboard panel called {name!r}.")


class DashboardPanelsView(LoginRequiredMixin, View):
    """Every panel of the person's roles in one answer, in their order: the dashboard costs the shell and
    this one request, not one request per panel (each paying for the session, the person and the menu)."""

    def get(self, request):
        panels = registry.dashboard_panels_for(request.user)
        return HttpResponse("".join(_draw_panel(request, panel) for panel in panels))


class CatalogueView(LoginRequiredMixin, TemplateView):
    template_name = "aims/catalogue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        standards = list(Standard.objects.order_by("pk"))  # ISO/IEC 42001 first: loaded first
        chosen = self.request.GET.get("standard") or PRIMARY_STANDARD
        standard = next((s for s in standards if s.key == chosen), None)
        if standard is None:
            raise Http404(f"No standard {chosen!r} in the catalogue.")
        requirements = list(
            Requirement.objects.filter(standard=standard).select_related("standard").order_by("position")
        )
        counts = {}
        for info in registry.registers:
            name = f"{info.model._meta.app_label}_{info.model._meta.model_name}_records"
            visible = info.model.objects.restrict(self.request.user, "view").live()
            for req_id, n in (
                Requirement.objects.filter(**{f"{name}__in": visible})
                .values_list("id")
                .annotate(n=Count(name))
            ):
                counts[req_id] = counts.get(req_id, 0) + n
        for requirement in requirements:
            requirement.record_count = counts.get(requirement.id, 0)
        context["standards"] = standards
        context["standard"] = standard
        context["requirements"] = requirements
        return context


class RequirementView(LoginRequiredMixin, TemplateView):
    """A clause or control with every record that names it, by register: a few per register, and the
    register's list filtered to the clause (the same selector, so the count and the list agree)."""

    template_name = "aims/requirement.html"
    SHOWN = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        requirement = get_object_or_404(
            Requirement.objects.select_related("standard", "parent"), key=self.kwargs["key"]
        )
        context["requirement"] = requirement
        context["children"] = requirement.children.all()
        sections = registry.requirement_sections
        replaced = {s.replaces for s in sections}
        mapped = []
        for info in registry.registers:
            if info.model in replaced:
                continue
            visible = info.model.objects.restrict(self.request.user, "view").live()
            records = list(naming(visible, requirement).select_related("owner")[: self.SHOWN + 1])
            count = len(records) if len(records) <= self.SHOWN else naming(visible, requirement).count()
            more_url = f"{reverse(info.model.url_name('list'))}?requirement={requirement.key}"
            mapped.append((info, records[: self.SHOWN], count, more_url))
        context["mapped"] = [row for row in mapped if row[1]]
        context["unmapped"] = [row[0].label for row in mapped if not row[1]]
        # What domain apps show on every requirement (the evidence serving it, through crosswalks too).
        context["sections"] = (
            [s.context(self.request, requirement) for s in sections] if requirement.is_mappable else []
        )
        return context


@login_required
def notifications(request):
    items = request.user.notifications.all()
    if request.GET.get("unread"):
        items = items.filter(read_at__isnull=True)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request, "aims/notifications.html", {"page_obj": page, "unread_only": bool(request.GET.get("unread"))}
    )


class MarkReadForm(forms.Form):
    """Which notification to mark as read: one (`id`) or, without it, all of mine."""

    id = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


@login_required
@require_POST
def notifications_mark_read(request):
    back = safe_next(request, request.POST.get("next"), fallback="notifications")
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        problem = " ".join(form.errors["id"])
        messages.error(
            request, f"Notification id {request.POST.get('id', '')[:40]!r}: {problem} Nothing was marked."
        )
        return HttpResponseRedirect(back)
    items = request.user.notifications.filter(read_at__isnull=True)
    if form.cleaned_data["id"] is not None:
        items = items.filter(pk=form.cleaned_data["id"])
    count = items.update(read_at=timezone.now())
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return HttpResponseRedirect(back)


def visible_jobs(user):
    """Your own jobs; the AIMS manager sees everyone's (aims.policies.JobPolicy)."""
    return restrict(Job.objects.select_related("requested_by"), user, "view")


@login_required
def job_list(request):
    page = Paginator(visible_jobs(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "aims/job_list.html", {"page_obj": page})


@login_required
def job_detail(request, pk):
    job = get_object_or_404(visible_jobs(request.user).select_related("retry_of"), pk=pk)
    context = {
        "job": job,
        "retried_as": job.retries.order_by("-pk").first(),
        "may_cancel": allows("cancel", request.user, job),
        "may_retry": allows("retry", request.user, job),
    }
    return render(request, "aims/job_detail.html", context)


@login_required
@require_POST
def job_cancel(request, pk):
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    try:
        job = jobs.cancel_job(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{job.title} is cancelled.")
    return redirect("job-detail", pk=job.pk)


@login_required
@require_POST
def job_retry(request, pk):
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    try:
        again = jobs.retry_job(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("job-detail", pk=job.pk)
    messages.success(request, f"{job.title} runs again as job {again.pk}.")
    return redirect("job-detail", pk=again.pk)


def job_file(job) -> Path:
    root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    path = (root / job.result_path).resolve()
    if job.status != Job.Status.DONE or not job.result_path or root not in path.parents or not path.exists():
        raise Http404("This job has no file to download.")
    return path


@login_required
def job_download(request, pk):
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    return download(job_file(job), job.result_name)


class GlossaryView(TemplateView):
    """The terms of clause 3 and of practice, in our own words; open to anyone, signed in or not, since
    it holds nothing of the organisation's."""

    template_name = "aims/glossary.html"

    def get_context_data(self, **kwargs):
        from aims.glossary import TERMS

        query = self.request.GET.get("q", "").strip().lower()
        terms = [t for t in TERMS if not query or query in t.term.lower() or query in t.meaning.lower()]
        return super().get_context_data(terms=terms, query=self.request.GET.get("q", ""), **kwargs)
