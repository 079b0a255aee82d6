"""The builders of the 9.3.2 input sections (registered in reviews.inputs), each from real records and in
a fixed number of queries whatever the registers hold. Every builder takes the period (since, until),
both days included, and returns figures plus the records behind them, by reference and link."""

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from aims.models import Change, RecordVersion
from aims.text import count
from lifecycle.models import KPI, Incident, Measurement, SoAEntry, Statement
from registers.models import ContextIssue, InterestedParty, Objective, Opportunity, Risk, RiskCriteria

ITEM_LIMIT = 60  # a review reads the outliers; the registers hold the rest


def item(record, detail: str, title: str | None = None) -> dict:
    return {
        "reference": record.reference,
        "title": title if title is not None else record.title,
        "url": record.get_absolute_url(),
        "detail": detail,
    }


def number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def _in_period(changes, since, until):
    return changes.filter(at__date__gte=since, at__date__lte=until)


# -- status of actions from previous reviews -----------------------------------------------------------


def previous_actions(since: dt.date, until: dt.date) -> dict:
    """Outputs of reviews held up to the period's end, except those closed before it began."""
    from .models import ReviewAction

    today = timezone.localdate()
    actions = list(
        ReviewAction.objects.live()
        .filter(review__held_on__lte=until)
        .exclude(status=ReviewAction.Status.DONE, completed_on__lt=since)
        .select_related("review", "owner")
        .order_by("due_on", "reference")
    )
    if not actions:
        return {"summary": "No actions from earlier management reviews."}
    counts = Counter(a.status for a in actions)
    overdue = [a for a in actions if a.is_overdue(today)]
    return {
        "summary": f"{count(len(actions), 'action', 'actions')} from earlier reviews: {counts[ReviewAction.Status.DONE]} "
        f"done, {len(overdue)} overdue.",
        "figures": [
            *[(label, counts[value]) for value, label in ReviewAction.Status.choices],
            ("Overdue", len(overdue)),
        ],
        "items": [
            item(
                a,
                f"{a.get_status_display()}{' (overdue)' if a.is_overdue(today) else ''}; due {a.due_on:%Y-%m-%d}; "
                f"owner {a.owner}; from {a.review.reference}"
                + (f"; done {a.completed_on:%Y-%m-%d}" if a.completed_on else ""),
            )
            for a in actions[:ITEM_LIMIT]
        ],
    }


# -- changes in context issues and interested parties --------------------------------------------------


def context_changes(since: dt.date, until: dt.date) -> dict:
    figures, items = [], []
    for model in (ContextIssue, InterestedParty):
        changes = _in_period(
            Change.objects.filter(content_type=ContentType.objects.get_for_model(model)), since, until
        ).order_by("at", "id")
        per_record = defaultdict(list)
        for change in changes:
            per_record[change.object_id].append(change)
        records = model.objects.in_bulk(per_record.keys())
        counts = Counter()
        for pk, entries in per_record.items():
            what = []
            actions = {c.action for c in entries}
            for action in (Change.Action.CREATED, Change.Action.ARCHIVED, Change.Action.RESTORED):
                if action in actions:
                    counts[action] += 1
                    what.append(Change.Action(action).label.lower())
            fields = sorted(
                {c["label"] for e in entries if e.action == Change.Action.UPDATED for c in e.changes}
            )
            if fields:
                counts[Change.Action.UPDATED] += 1
                what.append("changed: " + ", ".join(fields))
            if pk in records:
                items.append(item(records[pk], "; ".join(what)))
        noun = model._meta.verbose_name_plural
        figures += [
            (f"{noun.capitalize()} added", counts[Change.Action.CREATED]),
            (f"{noun.capitalize()} changed", counts[Change.Action.UPDATED]),
            (f"{noun.capitalize()} archived", counts[Change.Action.ARCHIVED]),
        ]
    summary = (
        f"{count(len(items), 'context issue or interested party', 'context issues and interested parties')} "
        "added, changed or archived in the period."
        if items
        else "No context issue or interested party changed in the period."
    )
    return {"summary": summary, "figures": figures, "items": items[:ITEM_LIMIT]}


# -- monitoring results and KPI trends -------------------------------------------------------------------


def _trend(kpi, values) -> str:
    if len(values) < 2 or values[0] == values[-1]:
        return "steady" if len(values) >= 2 else "too few measurements for a trend"
    rising = values[-1] > values[0]
    better = rising == (kpi.direction == KPI.Direction.HIGHER)
    return f"{'rising' if rising else 'falling'} ({'improving' if better else 'worsening'})"


def monitoring(since: dt.date, until: dt.date) -> dict:
    latest = Measurement.objects.filter(kpi=OuterRef("pk"), measured_at__date__lte=until).order_by(
        "-measured_at", "-id"
    )
    kpis = list(
        KPI.objects.live().annotate(period_value=Subquery(latest.values("value")[:1])).order_by("title")
    )
    if not kpis:
        return {"summary": "No KPIs are monitored yet."}
    in_period = defaultdict(list)
    for kpi_id, value in (
        Measurement.objects.filter(kpi__in=[k.pk for k in kpis], measured_at__date__gte=since)
        .filter(measured_at__date__lte=until)
        .order_by("measured_at", "id")
        .values_list("kpi_id", "value")
    ):
        in_period[kpi_id].append(value)
    states = Counter()
    breaches_total, items = 0, []
    for kpi in kpis:
        state = kpi.state_of(kpi.period_value)
        states[state] += 1
        values = in_period[kpi.pk]
        breaches = sum(1 for v in values if kpi.state_of(v) == KPI.State.BREACH)
        breaches_total += breaches
        unit = f" {kpi.unit}" if kpi.unit else ""
        items.append(
            item(
                kpi,
                f"latest {number(kpi.period_value)}{unit}, target {number(kpi.target)}{unit} "
                f"({kpi.get_direction_display().lower()}): {KPI.State(state).label.lower()}; "
                f"{count(len(values), 'measurement', 'measurements')} and {count(breaches, 'breach', 'breaches')} in the period; "
                f"{_trend(kpi, values)}",
            )
        )
    return {
        "summary": f"{count(len(kpis), 'KPI', 'KPIs')}: {states[KPI.State.OK]} on target, {states[KPI.State.BREACH]} in breach "
        f"at the end of the period; {count(breaches_total, 'breaching measurement', 'breaching measurements')} in the period.",
        "figures": [
            ("KPIs monitored", len(kpis)),
            *[(label, states[value]) for value, label in KPI.State.choices],
            ("Measurements in the period", sum(len(v) for v in in_period.values())),
            ("Breaching measurements in the period", breaches_total),
        ],
        "items": items[:ITEM_LIMIT],
    }


# -- risks and their movement ------------------------------------------------------------------------------


def _as_int(text, default):
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


def risks(since: dt.date, until: dt.date) -> dict:
    """Levels now against the period start, rebuilt from history: each change since the start is undone
    (old values of residual likelihood, impact and status) to find where a risk stood then."""
    criteria = RiskCriteria.current()
    status_by_label = {label: value for value, label in Risk.Status.choices}
    all_risks = list(
        Risk.objects.select_related("owner")
    )  # archived too: they may have been open at the start
    since_start = Change.objects.filter(
        content_type=ContentType.objects.get_for_model(Risk), at__date__gte=since
    ).order_by("-at", "-id")
    undo = defaultdict(list)
    closed_in_period, accepted_in_period = set(), set()
    for change in since_start:
        undo[change.object_id].append(change)
        if change.at.date() > until:
            continue
        if change.action == Change.Action.ACCEPTED:
            accepted_in_period.add(change.object_id)
        if any(c["field"] == "status" and c["new"] == Risk.Status.CLOSED.label for c in change.changes):
            closed_in_period.add(change.object_id)

    now_levels, start_levels, moved, above = Counter(), Counter(), [], []
    new_in_period = 0
    for risk in all_risks:
        created = timezone.localdate(risk.created_at)
        if since <= created <= until:
            new_in_period += 1
        band_now = None
        if not risk.archived_at and risk.status != Risk.Status.CLOSED:
            band_now = criteria.level(risk.residual_score)
            now_levels[band_now.name if band_now else "Unscored"] += 1
            if risk.residual_score > criteria.appetite_max:
                above.append(risk)
        if created >= since or (risk.archived_at and timezone.localdate(risk.archived_at) < since):
            continue  # did not exist, or was already archived, when the period began
        state = {
            "residual_likelihood": risk.residual_likelihood,
            "residual_impact": risk.residual_impact,
            "status": risk.status,
        }
        for change in undo[risk.pk]:
            for c in change.changes:
                if c["field"] in ("residual_likelihood", "residual_impact"):
                    state[c["field"]] = _as_int(c["old"], state[c["field"]])
                elif c["field"] == "status":
                    state["status"] = status_by_label.get(c["old"], state["status"])
        if state["status"] == Risk.Status.CLOSED:
            continue
        band_then = criteria.level(state["residual_likelihood"] * state["residual_impact"])
        start_levels[band_then.name if band_then else "Unscored"] += 1
        if band_now and band_then and band_now.name != band_then.name:
            moved.append((risk, f"moved from {band_then.name} to {band_now.name}"))

    bands = [b.name for b in criteria.band_list]
    figures = [
        (f"{name}: now (at period start)", f"{now_levels[name]} ({start_levels[name]})") for name in bands
    ]
    figures += [
        ("New in the period", new_in_period),
        ("Closed in the period", len(closed_in_period)),
        ("Accepted in the period", len(accepted_in_period)),
        (f"Above the appetite ({criteria.appetite}) now", len(above)),
    ]
    items = [
        item(r, f"above appetite: residual {criteria.level(r.residual_score).name} ({r.residual_score}); "
             f"{r.get_status_display().lower()}; owner {r.owner}")
        for r in above
    ] + [item(r, f"{text}; owner {r.owner}") for r, text in moved]  # fmt: skip
    return {
        "summary": f"{count(sum(now_levels.values()), 'open risk', 'open risks')} now against {sum(start_levels.values())} at the start "
        f"of the period; {len(above)} above the appetite.",
        "figures": figures,
        "items": items[:ITEM_LIMIT],
    }


# -- objectives, incidents, SoA, opportunities -------------------------------------------------------------


def objectives(since: dt.date, until: dt.date) -> dict:
    rows = list(Objective.objects.live().order_by("due_on", "reference"))
    if not rows:
        return {"summary": "No AI objectives are set yet."}
    counts = Counter(o.status for o in rows)
    average = round(sum(o.progress for o in rows) / len(rows))
    return {
        "summary": f"{count(len(rows), 'AI objective', 'AI objectives')}, {average}% progress on average; "
        f"{counts[Objective.Status.AT_RISK]} at risk, {counts[Objective.Status.MISSED]} missed.",
        "figures": [(label, counts[value]) for value, label in Objective.Status.choices],
        "items": [
            item(
                o,
                f"{o.get_status_display()}, {o.progress}% done, due {o.due_on:%Y-%m-%d}; target: {o.target}",
            )
            for o in rows[:ITEM_LIMIT]
        ],
    }


def incidents(since: dt.date, until: dt.date) -> dict:
    rows = list(
        Incident.objects.live()
        .filter(detected_on__gte=since, detected_on__lte=until)
        .select_related("system")
    )
    counts = Counter(i.severity for i in rows)
    serious = [i for i in rows if i.serious]
    notable = [
        i for i in rows if i.serious or i.severity in (Incident.Severity.HIGH, Incident.Severity.CRITICAL)
    ]
    return {
        "summary": f"{count(len(rows), 'AI incident', 'AI incidents')} became known in the period, {len(serious)} serious under "
        "the EU AI Act."
        if rows
        else "No AI incident became known in the period.",
        "figures": [
            ("Incidents in the period", len(rows)),
            *[(label, counts[value]) for value, label in reversed(Incident.Severity.choices)],
            ("Serious (EU AI Act)", len(serious)),
            (
                "Still open",
                sum(1 for i in rows if i.status in (Incident.Status.OPEN, Incident.Status.INVESTIGATING)),
            ),
        ],
        "items": [
            item(
                i,
                f"{i.get_severity_display()}{', serious' if i.serious else ''}; {i.get_status_display().lower()}; "
                f"became aware {i.detected_on:%Y-%m-%d}" + (f"; {i.system.title}" if i.system else ""),
            )
            for i in notable[:ITEM_LIMIT]
        ],
    }


def soa_changes(since: dt.date, until: dt.date) -> dict:
    versions = list(
        RecordVersion.objects.filter(
            content_type=ContentType.objects.get_for_model(Statement),
            approved_at__date__gte=since,
            approved_at__date__lte=until,
        )
        .select_related("approved_by")
        .order_by("approved_at")
    )
    statements = Statement.objects.in_bulk({v.object_id for v in versions})
    changes = _in_period(
        Change.objects.filter(content_type=ContentType.objects.get_for_model(SoAEntry)), since, until
    )
    per_entry = defaultdict(set)
    for object_id, action in changes.values_list("object_id", "action"):
        per_entry[object_id].add(action)
    entries = SoAEntry.objects.select_related("control").in_bulk(per_entry.keys())
    items = [
        item(
            statements[v.object_id],
            f"version {v.number} approved {timezone.localdate(v.approved_at):%Y-%m-%d} by {v.approved_by}"
            + (f": {v.change_summary}" if v.change_summary else ""),
        )
        for v in versions
        if v.object_id in statements
    ]
    items += [
        item(
            entry,
            ", ".join(sorted(Change.Action(a).label.lower() for a in per_entry[pk])),
            title=f"{entry.control.code} {entry.title}" if entry.control else entry.title,
        )
        for pk, entry in sorted(entries.items(), key=lambda kv: kv[1].reference)
    ]
    return {
        "summary": f"{count(len(versions), 'SoA version', 'SoA versions')} approved and {count(len(entries), 'SoA entry', 'SoA entries')} "
        "changed in the period."
        if versions or entries
        else "The Statement of Applicability did not change in the period.",
        "figures": [("SoA versions approved", len(versions)), ("SoA entries added or changed", len(entries))],
        "items": items[:ITEM_LIMIT],
    }


def opportunities(since: dt.date, until: dt.date) -> dict:
    rows = list(Opportunity.objects.live().order_by("reference"))
    if not rows:
        return {"summary": "No opportunities for improvement recorded yet."}
    counts = Counter(o.status for o in rows)
    new = sum(1 for o in rows if since <= timezone.localdate(o.created_at) <= until)
    return {
        "summary": f"{count(len(rows), 'opportunity', 'opportunities')}, {new} new in the period; "
        f"{counts[Opportunity.Status.PURSUING]} "
        "being pursued.",
        "figures": [
            ("New in the period", new),
            *[(label, counts[value]) for value, label in Opportunity.Status.choices],
        ],
        "items": [item(o, o.get_status_display()) for o in rows[:ITEM_LIMIT]],
    }
