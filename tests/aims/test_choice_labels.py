"""get_<field>_display() of every register's records (where the register does not write its own): the labels kept per field (BaseRecord) are the ones
Django's own method gives, for every choice, a value outside the choices, and none."""

import functools
import inspect

from django.apps import apps
from django.db.models import Model

from aims.models.records import BaseRecord


def choice_fields():
    for model in apps.get_models():
        if issubclass(model, BaseRecord):
            for field in model._meta.concrete_fields:
                own = inspect.getattr_static(model, f"get_{field.name}_display", None)
                if field.choices and isinstance(own, functools.partialmethod):  # not a register's own words
                    yield model, field


def test_every_choice_of_every_register_reads_as_django_reads_it():
    seen = 0
    for model, field in choice_fields():
        record = model()
        for value in [*(v for v, _ in field.flatchoices), "not-a-choice", 987654, None]:
            setattr(record, field.attname, value)
            ours = getattr(record, f"get_{field.name}_display")()
            assert ours == Model._get_FIELD_display(record, field), (model.__name__, field.name, value)
            seen += 1
    assert seen > 200  # every register's statuses, treatments, tiers ...
