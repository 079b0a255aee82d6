"""Risk levels from the criteria: the parsed bands follow every new value of the criteria, in the
instance a page holds and in the one the shared cache gives back."""

import pickle

import pytest
from django.template import Context, Template

from registers.models import RiskCriteria

pytestmark = pytest.mark.django_db

NARROW = [
    {"name": "Low", "min": 1, "max": 2, "colour": "#a5d6a7"},
    {"name": "High", "min": 3, "max": 25, "colour": "#ef9a9a"},
]


def test_new_bands_relevel_at_once_and_survive_the_cache():
    criteria = RiskCriteria.current()
    assert criteria.level(4).name == "Low" and criteria.appetite_max > 0
    criteria.bands, criteria.appetite = NARROW, "Low"
    assert criteria.level(4).name == "High" and criteria.appetite_max == 2
    assert [b.name for b in criteria.band_list] == ["Low", "High"]
    copy = pickle.loads(pickle.dumps(criteria))  # what the cache hands the next request
    assert copy.level(4).name == "High" and copy.appetite_max == 2
    copy.bands = NARROW[:1]
    assert [b.name for b in copy.band_list] == ["Low"]


def test_the_level_tag_draws_band_and_score_or_a_dash():
    criteria = RiskCriteria.current()
    html = Template("{% load risk_levels %}{% level band 12 %}|{% level none %}").render(
        Context({"band": criteria.level(12), "none": None})
    )
    band = criteria.level(12)
    assert html == (
        f'<span class="level level-{band.slug}" data-colour="{band.colour}">{band.name} · 12</span>'
        '|<span class="muted">—</span>'
    )


def test_the_level_badge_escapes_what_a_band_is_named_as_format_html_did():
    from types import SimpleNamespace

    from django.utils.html import format_html

    from registers.templatetags.risk_levels import level

    band = SimpleNamespace(name='Very "high" <b>& more', slug="very-high", colour="#c00'")
    for score in (12, None, 0):
        shown = format_html("{} · {}", band.name, score) if score else band.name
        expected = format_html(
            '<span class="level level-{}" data-colour="{}">{}</span>', band.slug, band.colour, shown
        )
        assert level(band, score) == expected
    assert level(None, 3) == '<span class="muted">—</span>'
