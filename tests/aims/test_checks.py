"""Start-up checks that catch a new register's mistakes before it runs."""

from django.apps import apps

from aims.checks import reference_prefixes
from aims.models import BaseRecord

RECORDS = [m for m in apps.get_models() if issubclass(m, BaseRecord)]


def test_every_register_passes_the_reference_prefix_check():
    assert reference_prefixes() == []


def test_a_prefix_that_is_not_2_to_6_capitals_is_an_error(monkeypatch):
    monkeypatch.setattr(RECORDS[0], "reference_prefix", "Risk")
    [error] = reference_prefixes()
    assert error.id == "aims.E001" and "2 to 6 capital letters" in error.msg


def test_two_registers_sharing_a_prefix_is_an_error(monkeypatch):
    monkeypatch.setattr(RECORDS[1], "reference_prefix", RECORDS[0].reference_prefix)
    [error] = reference_prefixes()
    assert error.id == "aims.E002" and "share the reference prefix" in error.msg
