"""Each filterset's filters are its own (aims.filters._CopiedCheaply): what one instance sets -- its
parent, a queryset narrowed to what its person may see -- never reaches the class's filters or another
instance's, though they are no longer deep-copied."""

import pytest
from django.test import RequestFactory

from registers.filters import RiskFilterSet
from registers.models import Risk

pytestmark = pytest.mark.django_db


def filterset_for(person, query=""):
    request = RequestFactory().get(f"/risks/?{query}")
    request.user = person
    return RiskFilterSet(request.GET or None, queryset=Risk.objects.all(), request=request)


def test_each_instance_has_its_own_filters_and_the_class_keeps_its_own(owner, board):
    first, second = filterset_for(owner, "mine=true"), filterset_for(board, "mine=true")
    for name, spec in RiskFilterSet.base_filters.items():
        mine, theirs = first.filters[name], second.filters[name]
        assert mine is not spec and mine is not theirs and mine.extra is not spec.extra
        assert mine.parent is first and theirs.parent is second
        assert not hasattr(spec, "parent")
        if getattr(spec, "method", None):  # a method filter calls its own filterset's method
            assert mine.filter.f is mine and theirs.filter.f is theirs
    # The owner's list of "mine" is theirs, the board member's theirs: each filterset filtered alone.
    assert first.is_valid() and second.is_valid()
    assert str(owner.pk) in str(first.qs.query) and str(board.pk) in str(second.qs.query)


def test_every_queryset_a_filter_holds_is_the_instances_own(owner):
    """A queryset keeps the rows it read: one shared by every instance would show the first request's
    categories (or records) to every later one."""
    first = filterset_for(owner)
    held = 0
    for name, spec in RiskFilterSet.base_filters.items():
        copied = first.filters[name]
        for key, value in spec.extra.items():
            if hasattr(value, "query"):
                held += 1
                assert copied.extra[key] is not value and copied.extra[key]._result_cache is None
        if hasattr(spec.__dict__.get("queryset"), "query"):
            held += 1
            assert copied.queryset is not spec.queryset
    assert held  # the risk list filters by other records (categories ...)
