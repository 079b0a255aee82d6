"""aims.selectors.firsts_with_totals: each queryset's first rows and how many it holds, as asking each
alone gives them, for any number of querysets in one round trip."""

from aims.selectors import first_with_total, firsts_with_totals
from registers.models import Risk


def test_the_first_rows_and_totals_of_several_querysets_in_one_query(make_risk, django_assert_num_queries):
    for n in range(4):
        make_risk(title=f"Risk {n}", residual_likelihood=1 + n, residual_impact=2)
    querysets = [
        Risk.objects.live().select_related("owner").order_by("-residual_score", "reference"),
        Risk.objects.live().filter(title="No such risk"),  # nothing: no rows, 0
        Risk.objects.none(),  # nothing to ask at all
        Risk.objects.live().filter(residual_likelihood__gte=3).order_by("reference"),
    ]
    expected = [(list(q[:2]), q.count()) for q in querysets]
    with django_assert_num_queries(1):
        found = firsts_with_totals(querysets, shown=2)
        assert found[0][0][0].owner.username  # the owner read with the risk
    assert found == expected
    assert [total for _, total in found] == [4, 0, 0, 2]
    assert [r.title for r in found[0][0]] == ["Risk 3", "Risk 2"]


def test_a_distinct_queryset_is_counted_whole_as_well(make_risk):
    for n in range(3):
        make_risk(title=f"Risk {n}")
    distinct = Risk.objects.live().distinct().order_by("reference")
    rows, total = first_with_total(distinct, shown=2)
    assert total == 3 and rows == list(distinct[:2])
