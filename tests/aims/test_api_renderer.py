"""The API's JSON (aims.api.renderers): DRF's bytes, written by orjson."""

import datetime as dt
import decimal
import json
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.db import models
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from aims.api.renderers import JSONRenderer


class Colour(models.TextChoices):
    RED = "red", "Red"


class Level(models.IntegerChoices):
    HIGH = 3, "High"


@dataclass
class Point:
    x: int
    y: int


PARIS = ZoneInfo("Europe/Paris")
VALUES = {
    "nothing": None,
    "booleans": [True, False],
    "numbers": [0, -1, 2**63 - 1, -(2**63), 1.5, -0.25, 1e15, 123456.789],
    "text": ["", "plain", "naïve – “quoted” 😀", 'back\\slash "quote"', "tab\tnew\nline\x00\x1f", "<&>'"],
    "javascript line separators": "a\u2028b\u2029c",
    "datetimes": [
        dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 7, 9, 30, 15, 123456, tzinfo=dt.UTC),
        dt.datetime(2026, 7, 1, 9, 30, 15, 500, tzinfo=PARIS),
        dt.datetime(2026, 12, 7, 9, 30),
    ],
    "dates and times": [
        dt.date(2026, 12, 7),
        dt.time(9, 30),
        dt.time(9, 30, 1, 250000),
        dt.timedelta(hours=2),
    ],
    "decimals": [decimal.Decimal("1.10"), decimal.Decimal("0")],
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy text": gettext_lazy("Risk"),
    "choices": [Colour.RED, Level.HIGH],
    "nested": {"a": [{"b": ({"c": []},)}], "empty": {}},
    "DRF's own containers": ReturnDict({"k": ReturnList([1, 2], serializer=None)}, serializer=None),
}


def _drf(data, media_type=None, context=None):
    return renderers.JSONRenderer().render(data, media_type, context)


@pytest.mark.parametrize("name", sorted(VALUES))
def test_each_kind_of_value_is_written_as_drf_writes_it(name):
    data = {name: VALUES[name], "page": [VALUES[name]] * 3}
    assert JSONRenderer().render(data) == _drf(data)


def test_a_whole_page_is_written_as_drf_writes_it():
    assert JSONRenderer().render(VALUES) == _drf(VALUES)


@pytest.mark.parametrize(
    "data",
    [
        {1: "an integer key"},  # json writes it as "1"; orjson refuses
        {"wide": 2**64},  # wider than orjson's integers
        [Point(1, 2)],  # neither writes a dataclass as is: DRF's own error
    ],
    ids=["integer key", "wide integer", "dataclass"],
)
def test_what_orjson_does_not_write_as_drf_does_is_left_to_drf(data):
    try:
        expected = _drf(data)
    except TypeError as exc:
        with pytest.raises(TypeError, match=str(exc).split(" ")[0]):
            JSONRenderer().render(data)
    else:
        assert JSONRenderer().render(data) == expected


def test_an_indented_answer_is_drfs_own():
    media_type = "application/json; indent=2"
    context = {}
    data = {"a": [1, {"b": "c"}]}
    assert JSONRenderer().render(data, media_type, context) == _drf(data, media_type, context)
    assert b"\n  " in JSONRenderer().render(data, media_type, context)


def test_nothing_is_an_empty_body():
    assert JSONRenderer().render(None) == b""


def test_a_float_in_exponent_form_is_the_same_number():
    data = {"small": 1e-05, "large": 1e16}
    written = JSONRenderer().render(data)
    assert json.loads(written) == json.loads(_drf(data)) == data


def test_a_float_that_is_not_a_number_is_null_not_an_error():
    """What DRF refuses, orjson writes: this is also what shows the answer went through orjson."""
    with pytest.raises(ValueError):
        _drf({"x": float("nan")})
    assert json.loads(JSONRenderer().render({"x": float("nan")})) == {"x": None}


def test_the_api_answers_through_it():
    from rest_framework.settings import api_settings

    assert api_settings.DEFAULT_RENDERER_CLASSES[0] is JSONRenderer
