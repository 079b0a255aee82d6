"""aims.together: several querysets asked in one query give the rows each gives alone."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Value
from django.test.utils import CaptureQueriesContext

from aims.together import MAX_ARGUMENTS, Compiled, together, totals
from lifecycle.models import KPI, AISystem, Dataset
from lifecycle.standard.ai_systems import services as systems
from lifecycle.standard.kpis.services import services as kpis
from registers.models import Risk


def _system(owner, title, **fields):
    return systems.create(
        actor=owner,
        fields={"title": title, "purpose": "Scores loans.", "kind": "ml", "automation": "in_loop", **fields},
    )


def _kpi(owner, system, target):
    return kpis.create(
        actor=owner,
        fields={
            "title": f"Approval ratio {target}", "metric": "Lowest over highest", "unit": "ratio",
            "direction": "higher", "target": target, "warning": Decimal("0.85"), "breach": Decimal("0.8"),
            "frequency_days": 30, "system": system,
        },
    )  # fmt: skip


def test_each_queryset_comes_back_as_it_would_alone_in_one_query(make_risk, owner):
    credit = _system(owner, "Credit scoring", criticality=5)
    chatbot = _system(owner, "Support chatbot", criticality=2)
    AISystem.objects.filter(pk=credit.pk).update(eu_classification={"tier": "high", "score": 0.75})
    for n in range(3):
        make_risk(title=f"Thin-file applicants {n}", systems=[credit], residual_impact=n + 1)
    _kpi(owner, credit, Decimal("0.9100"))
    _kpi(owner, chatbot, Decimal("12.5"))
    asked = [
        Risk.objects.live().select_related("owner", "category").annotate(n=Count("systems"))[:2],
        AISystem.objects.annotate(risky=Exists(Risk.systems.through.objects.filter(aisystem=OuterRef("pk")))),
        AISystem.objects.only("reference", "eu_classification").order_by("-reference"),
        credit.kpis.order_by("title"),
        KPI.objects.values("reference", "target", "created_at", system_title=Q(system=credit)),
        Risk.objects.values_list("residual_score", "reference").order_by("reference"),
        Risk.objects.values_list("reference", flat=True).order_by("-reference"),
        totals(Risk.objects.live(), total=Count("pk"), above=Count("pk", filter=Q(residual_score__gt=4))),
        Risk.objects.none(),
        AISystem.objects.filter(pk__in=[]),
    ]
    alone = [list(qs.all()) for qs in asked]
    with CaptureQueriesContext(connection) as queries:
        found = together(*asked)
    assert len(queries.captured_queries) == 1
    for one, other in zip(found, alone, strict=True):
        assert one == other
    risks, annotated, deferred, own_kpis, kpi_rows, *_ = found
    first = alone[0][0]
    assert [(r.owner.username, r.category.name, r.n, r.created_at) for r in risks] == [
        (r.owner.username, r.category.name, r.n, r.created_at) for r in alone[0]
    ] and isinstance(first.created_at, dt.datetime)
    assert [s.risky for s in annotated] == [s.risky for s in alone[1]]
    assert deferred[-1].eu_classification == {"tier": "high", "score": 0.75}  # a float stays a float
    assert deferred[-1].get_deferred_fields() == alone[2][-1].get_deferred_fields()
    with CaptureQueriesContext(connection) as queries:
        assert own_kpis[0].system is credit  # a related manager's record, without asking for it again
    assert not queries.captured_queries
    assert [row["target"] for row in kpi_rows] == [Decimal("0.9100"), Decimal("12.5000")]
    assert str(kpi_rows[0]["target"]) == str(alone[4][0]["target"])  # exact, as the database holds it


def test_prefetches_still_follow_each_queryset(make_risk, owner):
    credit = _system(owner, "Credit scoring")
    make_risk(systems=[credit])
    with CaptureQueriesContext(connection) as queries:
        risks, systems_ = together(Risk.objects.prefetch_related("systems"), AISystem.objects.all())
    assert len(queries.captured_queries) == 2  # the two querysets, then the prefetch
    assert list(risks[0].systems.all()) == [credit] == systems_


def test_totals_refuses_a_count_that_a_to_many_join_would_repeat(db):
    """Once one aggregate follows a to-many link, each record is repeated once per linked row for every
    aggregate of the SELECT: a plain count is refused where it is written, a distinct one is asked."""
    linked = Count("pk", filter=Q(systems__isnull=False), distinct=True)
    with pytest.raises(ValueError, match="total counts without distinct=True over a to-many join"):
        totals(Dataset.objects.live(), total=Count("pk"), linked=linked)
    assert list(totals(Dataset.objects.live(), total=Count("pk", distinct=True), linked=linked)) == [
        {"total": 0, "linked": 0}
    ]


def test_totals_counts_rows_as_count_star_so_an_index_alone_can_answer(make_risk, owner):
    """COUNT(id) makes PostgreSQL read each row's id from the table; COUNT(*) lets a partial index that
    holds the filter answer alone (the dashboard's risks awaiting acceptance). Same number either way;
    a distinct or filtered count is left as written."""
    make_risk(title="Open")
    make_risk(title="Closed", status="closed")
    asked = totals(
        Risk.objects.live(),
        rows=Count("pk"),
        ids=Count("id"),
        closed=Count("pk", filter=Q(status="closed")),
        distinct=Count("pk", distinct=True),
    )
    sql = str(asked.query)
    assert 'COUNT(*) AS "total_of_rows"' in sql and 'COUNT(*) AS "total_of_ids"' in sql
    assert 'COUNT("registers_risk"."id") FILTER' in sql and 'COUNT(DISTINCT "registers_risk"."id")' in sql
    assert list(asked) == [{"rows": 2, "ids": 2, "closed": 1, "distinct": 2}]


def _values(record) -> tuple[dict, dict]:
    """A record's own values and those of the records it was read with (select_related)."""
    own = {k: v for k, v in record.__dict__.items() if not k.startswith("_")}
    cached = record._state.__dict__.get("fields_cache", {})
    return own, {name: _values(other) for name, other in cached.items() if other is not None}


def test_a_row_reads_the_same_as_an_array_of_columns_or_as_an_object_naming_them(make_risk, owner):
    """A part's rows come as arrays of their columns; a row wider than PostgreSQL's 100 function
    arguments comes as an object. Either way every value is what the queryset alone reads."""
    system = _system(owner, "Credit scoring", criticality=5)
    AISystem.objects.filter(pk=system.pk).update(eu_classification={"tier": "high", "score": 0.75})
    make_risk(title="Thin-file applicants", systems=[system])
    _kpi(owner, system, Decimal("0.9100"))
    narrow = Risk.objects.select_related("owner", "category", "created_by")
    wide = AISystem.objects.annotate(**{f"extra_{n}": Value(n) for n in range(MAX_ARGUMENTS)})
    decimals = KPI.objects.select_related("system").order_by("pk")
    assert Compiled(narrow).arrays and Compiled(decimals).arrays and not Compiled(wide).arrays
    for rows, queryset in zip(together(narrow, wide, decimals), (narrow, wide, decimals), strict=True):
        alone = list(queryset.all())
        assert rows and [_values(r) for r in rows] == [_values(r) for r in alone]
    (kpi,) = together(decimals, narrow)[0]
    assert str(kpi.target) == "0.9100" and kpi.system.eu_classification == {"tier": "high", "score": 0.75}
