"""How a register's list is cut into pages.

A plain page -- no filter, search or order asked, for someone who sees the whole register -- is the same
SQL whoever asks it: the register's live records in its default order. Django would build and compile
that queryset, and its COUNT(*), afresh for each request, and send them for PostgreSQL to plan afresh;
for the risk list that was a millisecond of Python and as much of planning, against 1.2 ms for the raw
SQL fetching the page. KeptPaginator compiles each once per process (aims.together.compiled) and sends
it as a prepared statement (aims.statements), so only the rows are read per request.

The viewset decides when a page is plain (aims.api.base.RecordViewSet.filter_queryset) and names what
its SQL depends on in `key`. Where AIMS_PREPARED_CHECK is on (the test suite), every page also compiles
the request's own queryset and fails if its SQL is not the SQL kept under that key."""

import functools

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from django.utils.functional import cached_property
from rest_framework import pagination

from aims import together

from . import counting


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    def kept(self, key: tuple) -> None:
        """Cut this request's page with its SQL kept under `key` (see the module's doc)."""
        self.django_paginator_class = functools.partial(KeptPaginator, key=key)


class KeptPaginator(Paginator):
    """Django's Paginator, reading the count and the page's records with SQL kept under `key`."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, key: tuple):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.key = key
        # Counted meanwhile on a connection of its own where it can be (aims.api.counting).
        self.counting = counting.start(object_list.db, self._count) if not orphans else None

    def _count(self) -> int:
        (row,) = _run((*self.key, "count"), lambda: together.totals(self.object_list, n=Count("pk")))
        return row["n"]

    @cached_property
    def count(self) -> int:
        return self.counting.result() if self.counting is not None else self._count()

    def page(self, number):
        """Django's page(), without the count before the page: a page past the last holds no records, which
        is known once they are read, so the count can still be on its way."""
        if self.counting is None:
            return super().page(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().page(number)  # Django's own messages for a page that is not a number
        if number < 1:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        page = self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)
        if not page.object_list and not (number == 1 and self.allow_empty_first_page):
            return super().page(number)  # past the last page: Django says so, with the count
        return page

    def _get_page(self, object_list, number, paginator):
        bounds = (object_list.query.low_mark, object_list.query.high_mark)
        records = _run((*self.key, "page", bounds), lambda: object_list, object_list)
        return super()._get_page(records, number, paginator)


def _run(key: tuple, make, own=None) -> list:
    """The rows of the queryset `make()` returns, read with the SQL kept for `key` (compiled from the
    first one made; made again only where it is checked). `own`, this request's queryset if it has one,
    does what is done with the records once read (its prefetches)."""
    kept = together.compiled(key, make)
    if settings.AIMS_PREPARED_CHECK:
        made = together.Compiled(make())
        if (made.sql, list(made.params)) != (kept.sql, list(kept.params)):
            raise AssertionError(
                f"A plain page's SQL differs from the SQL kept for {key}: the page depends on more of "
                "the request than its key names."
            )
    return kept.run(own)
