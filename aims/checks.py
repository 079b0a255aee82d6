"""System checks run at start-up (and by `manage.py check`): mistakes a new register makes that would
otherwise surface only as wrong references or broken links at run time."""

import re

from django.apps import apps
from django.core import checks

PREFIX = re.compile(r"[A-Z]{2,6}")


@checks.register()
def reference_prefixes(app_configs=None, **kwargs):
    """Every register's reference prefix is 2 to 6 capitals (the API and URLs match [A-Z]{2,6}-NNNN), and
    no two registers share one (their references would collide in the shared counter)."""
    from aims.models import BaseRecord

    errors, seen = [], {}
    for model in apps.get_models():
        if not issubclass(model, BaseRecord) or model._meta.abstract:
            continue
        prefix = model.reference_prefix
        if not PREFIX.fullmatch(prefix or ""):
            errors.append(
                checks.Error(
                    f"{model._meta.label}.reference_prefix is {prefix!r}: use 2 to 6 capital letters, e.g. 'IMP'.",
                    obj=model,
                    id="aims.E001",
                )
            )
        if prefix in seen:
            errors.append(
                checks.Error(
                    f"{model._meta.label} and {seen[prefix]._meta.label} share the reference prefix {prefix!r}.",
                    obj=model,
                    id="aims.E002",
                )
            )
        seen.setdefault(prefix, model)
    return errors
