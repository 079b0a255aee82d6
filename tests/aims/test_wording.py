"""The words a person reads: plurals written out (never a noun plus "s"), every list filter named."""

import re
from pathlib import Path

import django_filters
import pytest
from django.apps import apps
from django.conf import settings

from tests.base import APPS, client_for, defined_in_our_apps

ROOT = Path(settings.BASE_DIR)


def _our_models():
    return [m for m in apps.get_models() if m._meta.app_label in APPS]


def test_every_model_names_its_plural():
    """Django's default plural adds "s": "gate criterias", "review inputss". Each model says its own."""
    implicit = [m._meta.label for m in _our_models() if "verbose_name_plural" not in m._meta.original_attrs]
    assert implicit == []


@pytest.mark.parametrize(
    "label, plural",
    [
        ("lifecycle.GateCriteria", "gate criteria"),
        ("reviews.ReviewInputs", "review inputs"),
        ("reviews.Nonconformity", "nonconformities"),
        ("registers.Opportunity", "opportunities"),
        ("aims.ApiToken", "API tokens"),
    ],
)
def test_irregular_plurals(label, plural):
    assert str(apps.get_model(label)._meta.verbose_name_plural) == plural


def test_no_template_makes_a_plural_by_adding_s():
    """`{{ noun }}s` reads "nonconformitys"; a template names the plural (a model's verbose_name_plural)."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\}\}s\b", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_no_code_makes_a_plural_by_adding_s():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if re.search(r"""\+\s*['"]s['"]""", line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def _filtersets():
    found = defined_in_our_apps(django_filters.FilterSet)
    return sorted((fs for fs in found if fs._meta.model is not None), key=lambda fs: fs.__qualname__)


def test_every_filter_of_every_list_has_a_name(db):
    """django-filter labels a filter on a method with no field behind it "[invalid name]". The OpenAPI
    schema is built first, as a running server may have: it reads every list's filters before any page."""
    from drf_spectacular.generators import SchemaGenerator

    SchemaGenerator().get_schema(request=None, public=True)
    filtersets = _filtersets()
    assert len(filtersets) > 40  # every register's list and the pages beyond them
    unnamed = []
    for filterset in filtersets:
        form = filterset(data={}, queryset=filterset._meta.model.objects.none(), request=None).form
        for name, field in form.fields.items():
            if not str(field.label or "").strip() or "[invalid name]" in str(field.label):
                unnamed.append(f"{filterset.__qualname__}.{name}")
    assert unnamed == []


@pytest.mark.parametrize("url", ["/soa-entries/", "/training/", "/bias/"])
def test_list_pages_show_no_unnamed_filter(url, auditor):
    page = client_for(auditor).get(url)
    assert page.status_code == 200
    assert "[invalid name]" not in page.content.decode()


def test_dashboard_counts_audit_findings_in_the_plural(manager):
    page = client_for(manager).get("/dashboard/panels/audits_panel/").content.decode()
    assert "open opportunities for improvement" in page
    assert "open major nonconformities" in page
    assert "open observations" in page
    assert "open opportunity for improvement<" not in page
