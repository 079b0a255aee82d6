"""The "AI risk register" PDF: the register as the requester sees it, with heat maps, summaries and
treatment plans (ISO/IEC 42001 6.1.2 assessment, 6.1.3 treatment, 8.2-8.3 in operation; kept as
documented information, 7.5). Runs as a background job: see aims.jobs."""

from functools import partial
from itertools import pairwise
from types import SimpleNamespace

from django.db.models import Model, Prefetch
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone

from aims.charts import heatmap_svg, safe_colour
from aims.jobs import JobError
from aims.models import Requirement
from aims.pdf import html_parts_to_pdf, html_to_pdf, pdf_processes
from aims.registry import registry

from . import selectors
from .filters import RiskFilterSet
from .models import Risk, RiskCriteria

KIND = "risk_register_pdf"
TITLE = "AI risk register"
TEMPLATE = "reports/risk_register.html"

# A register this long or longer is rendered in parts at once, one per CPU (aims.pdf.html_parts_to_pdf):
# below it, forking and joining cost more than a part saves. What the cover and overview (with their heat
# maps) cost to render, in register rows of two cells, so that the first part takes fewer rows and the
# parts take about as long as each other: the report takes as long as its longest part. Measured on the
# bench register of 1,010 accepted risks (make bench): a part of 525 rows alone and one of the cover and
# 485 rows took 2.2-2.6 s each, about 4.4 ms a row and 0.35 s for the cover.
MIN_RISKS_PER_PART = 250
COVER_COST = 80


def _querydict(filters) -> QueryDict:
    """The list page's query string, as stored on the job, back into what the FilterSet reads."""
    if not isinstance(filters, dict):
        raise JobError("The report's filters must be a set of query parameters (params.filters).")
    data = QueryDict(mutable=True)
    for key, value in filters.items():
        if key in ("archived", "page", "page_size"):  # the register lists every live risk, unpaged
            continue
        values = value if isinstance(value, list | tuple) else [value]
        data.setlist(key, [str(v) for v in values if v not in (None, "")])
    return data


def _describe(field, value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, list | tuple) or hasattr(value, "model"):  # choices lists and querysets
        return ", ".join(_describe(field, v) for v in value)
    # Iterated, never tested for truth: django-filter's lazy choices have no len().
    choices = getattr(field, "choices", None)
    labels = {
        str(k): v for k, v in (choices if choices is not None else []) if not isinstance(v, list | tuple)
    }
    return str(labels.get(str(value), value))


def filtered_risks(user, filters: dict):
    """Live risks `user` may see, narrowed by the list page's filters; plus a readable summary."""
    queryset = Risk.objects.restrict(user, "view").live()
    data = _querydict(filters)
    if not data:
        return queryset, []
    filterset = RiskFilterSet(data, queryset=queryset, request=SimpleNamespace(user=user))
    if not filterset.is_valid():
        fields = filterset.form.fields
        problems = "; ".join(
            f"{fields[name].label if name in fields else name}: {' '.join(msgs)}"
            for name, msgs in filterset.errors.items()
        )
        raise JobError(f"The report's filters are not valid. {problems}")
    summary = [
        f"{filterset.form.fields[name].label or name}: {_describe(filterset.form.fields[name], value)}"
        for name, value in filterset.form.cleaned_data.items()
        if name in data and value not in (None, "", [])
    ]
    return filterset.qs, summary


def _band_classes(criteria) -> tuple[list[dict], dict]:
    bands = [
        {"index": n, "name": b.name, "min": b.min, "max": b.max, "colour": safe_colour(b.colour)}
        for n, b in enumerate(criteria.band_list)
    ]
    by_score = {}
    for band in bands:
        for score in range(band["min"], band["max"] + 1):
            by_score[score] = band
    return bands, by_score


def _controls():
    return Prefetch(
        "requirements",
        queryset=Requirement.objects.filter(kind=Requirement.Kind.CONTROL).order_by("position"),
        to_attr="controls",
    )


def render_register(user, filters: dict, progress=lambda percent: None, parts: int | None = None) -> bytes:
    """The report as PDF bytes; a constant number of queries whatever the number of risks. `parts`: how
    many parts to render it in at once (default: one per CPU for a long register, see MIN_RISKS_PER_PART);
    the PDF reads the same either way, except that each part after the first starts on a new page, under
    a "continued" heading."""
    context = register_context(user, filters)
    progress(10)
    risks = context["risks"]
    if parts is None:
        parts = parts_for(len(risks))
    # Rough page count (cover, overview, ~15 register rows a page) for the progress bar.
    expected_pages = 3 + len(risks) // 15
    slices = split_register(len(risks), parts)
    if len(slices) == 1:
        html = render_to_string(TEMPLATE, context)
        progress(30)
        return html_to_pdf(html, progress, expected_pages)
    # Each part's HTML is rendered in its own process, from what the context loaded (no query there).
    return html_parts_to_pdf(
        [partial(render_to_string, TEMPLATE, _part_context(context, part)) for part in slices],
        progress,
        expected_pages,
    )


def _part_context(context: dict, part: dict) -> dict:
    risks = context["risks"]
    return {
        **context,
        **part,
        "rows": risks[slice(*part["rows"])],
    }


def parts_for(count: int) -> int:
    """How many parts a register of `count` risks is rendered in here (1: whole)."""
    return max(1, min(pdf_processes(), count // MIN_RISKS_PER_PART))


def register_context(user, filters: dict) -> dict:
    """Everything the report shows, loaded: the template renders it without a query (so do its parts)."""
    criteria = RiskCriteria.current()
    queryset, summary = filtered_risks(user, filters)
    bands, by_score = _band_classes(criteria)
    risks = list(queryset.select_related("category", "owner", "accepted_by").prefetch_related(_controls()))
    today = timezone.localdate()
    for risk in risks:  # levels from the criteria loaded once, never a query per row
        risk.inherent_band = by_score.get(risk.inherent_score)
        risk.residual_band = by_score.get(risk.residual_score)
        # What the board looks for first, in words beside the level (never colour alone).
        risk.above_appetite = risk.residual_score > criteria.appetite_max
        risk.overdue = risk.next_review_on is not None and risk.next_review_on < today
    # The cover's sums are counted over the risks listed, by key: grouped through the filters' own join
    # to the AI systems (then DISTINCT), each sum took several times as long.
    queryset = Risk.objects.filter(pk__in=queryset.order_by().values("pk"))
    level_rows = [
        (band, inherent, residual)
        for band, (_, inherent), (_, residual) in zip(
            bands,
            selectors.count_by_level(queryset, criteria, "inherent"),
            selectors.count_by_level(queryset, criteria, "residual"),
            strict=True,
        )
    ]
    return {
        "org": "AIMS",
        "title": TITLE,
        "generated": timezone.localtime(),
        "requested_by": user,
        "requested_roles": user.role_labels,
        "filters": summary,
        "count": len(risks),
        "above_count": sum(r.above_appetite for r in risks),
        "unaccepted_count": sum(r.above_appetite and r.accepted_by_id is None for r in risks),
        "accepted_count": sum(r.accepted_by_id is not None for r in risks),
        "overdue_count": sum(r.overdue for r in risks),
        "criteria": criteria,
        "appetite_max": criteria.appetite_max,
        "bands": bands,
        "risks": risks,
        "level_rows": level_rows,
        "by_category": selectors.count_by_category(queryset),
        "inherent_map": heatmap_svg(
            selectors.heat_matrix(queryset, "inherent"), criteria, title="Inherent risk", cell_size=48
        ),
        "residual_map": heatmap_svg(
            selectors.heat_matrix(queryset, "residual"), criteria, title="Residual risk", cell_size=48
        ),
        # The whole report; split_register gives a part's slices instead.
        "cover": True,
        "rows": risks,
        "register_starts": True,
    }


def split_register(count: int, parts: int) -> list[dict]:
    """The report of `count` risks in at most `parts` parts of about the same cost (COVER_COST), in
    reading order: the cover and overview, then the register's rows. Each part says what the template
    shows of it: whether it has the cover, which rows of the register as a (start, stop) range, and
    whether the register starts there (its heading). [{}] for the whole report in one part. A cut leaves
    at least two rows on each side (no part's table ends or starts with a lone row)."""
    if parts < 2 or count < 4:
        return [{}]
    total = COVER_COST + count
    cuts = []
    for n in range(1, parts):
        position = min(max(round(total * n / parts - COVER_COST), 2), count - 2)
        if position - (cuts[-1] if cuts else 0) >= 2:
            cuts.append(position)
    return [
        {"cover": start == 0, "rows": (start, stop), "register_starts": start == 0}
        for start, stop in pairwise([0, *cuts, count])
    ]


def risk_register_pdf(job, progress) -> tuple[str, bytes]:
    """Job runner for kind "risk_register_pdf" (6.1.2, 6.1.3 evidence for the board and auditors).

    params: {"filters": {...}} -- the risk list's query string as a dict, values plain or lists
    (`dict(request.GET.lists())` keeps repeated keys); the same RiskFilterSet as the list applies."""
    data = render_register(job.requested_by, (job.params or {}).get("filters") or {}, progress)
    return f"ai-risk-register-{timezone.localdate():%Y-%m-%d}.pdf", data


def register_reports() -> None:
    registry.add_job_runner(KIND, risk_register_pdf)
