"""Query shapes the registers' pages and dashboard panels share."""

from django.db.models import Count, Window


def first_with_total(queryset, *ordering, shown: int) -> tuple[list, int]:
    """The first `shown` rows of `queryset` (in `ordering`, else its own) and how many it holds in all, in
    one query: every row carries the count of the whole set, a window taken before the limit."""
    if ordering:
        queryset = queryset.order_by(*ordering)
    rows = list(queryset.annotate(total=Window(Count("pk")))[:shown])
    return rows, rows[0].total if rows else 0
