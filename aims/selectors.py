"""Query shapes the registers' pages and dashboard panels share."""

from django.db.models import Count, Window

from aims.together import together, totals


def first_with_total(queryset, *ordering, shown: int) -> tuple[list, int]:
    """The first `shown` rows of `queryset` (in `ordering`, else its own) and how many it holds in all, in
    one round trip (aims.together): the first rows read in the order's index, stopping at `shown`, and the
    count read off the filter's. A window counting every row before the limit read each of them whole:
    the risks awaiting acceptance at 100,000 risks, 7,000 rows joined to their owners, 21 ms."""
    if ordering:
        queryset = queryset.order_by(*ordering)
    return firsts_with_totals([queryset], shown=shown)[0]


def firsts_with_totals(querysets, *, shown: int) -> list[tuple[list, int]]:
    """first_with_total() of each queryset, all in one round trip."""
    asked, windowed = [], {}
    for n, queryset in enumerate(querysets):
        if queryset.query.distinct:  # totals() counts whole querysets only: a window for this one
            windowed[n] = list(queryset.annotate(total=Window(Count("pk")))[:shown])
        else:
            asked += [queryset[:shown], totals(queryset, total=Count("pk"))]
    found = iter(together(*asked))
    answers = []
    for n in range(len(querysets)):
        if n in windowed:
            rows = windowed[n]
            answers.append((rows, rows[0].total if rows else 0))
        else:
            rows, counted = next(found), next(found)
            answers.append((rows, counted[0]["total"] if counted else 0))
    return answers
