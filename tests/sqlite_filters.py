"""Run by tests/test_crawl_sqlite.py in a process of its own, under `make run`'s settings
(aims.settings.local) on a fresh SQLite file -- the database the demo runs on, where the list filters
build SQL PostgreSQL never sees. Every register gets two sample records (Register.sample), then the
manager and an owner try every choice of every filter every register's list declares (tests.crawl), and its list page
with the filters a dashboard links to. Prints what failed, as JSON, on the last line.

Tables are made from the models (no migrations, which take half a minute on SQLite) and filled with
what the data migrations load, as tests/aims/sqlite_edits.py does."""

import importlib
import json
import logging

import django

# A register's list with the filters a dashboard figure links to, each rendered as the person gets it.
DASHBOARD_FILTERS = ["?overdue=true", "?overdue=false", "?review=overdue", "?mine=true&review=due_or_overdue"]


def main() -> dict:
    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    class NoMigrations(dict):
        def __contains__(self, app):
            return True

        def __getitem__(self, app):
            return None

    settings.MIGRATION_MODULES = NoMigrations()
    connections["default"].cursor().execute("PRAGMA synchronous=OFF")  # setting up is not under test
    call_command("migrate", run_syncdb=True, verbosity=0)

    from aims import roles
    from aims.register import Register
    from aims.registry import registry
    from tests.conftest import make_user
    from tests.crawl import client_as, declared_filter_failures

    for module in (
        "aims.migrations.0002_catalogue_and_roles",
        "aims.migrations.0005_crosswalk_standards",
        "registers.migrations.0002_default_criteria_and_categories",
    ):
        importlib.import_module(module).load(apps, None)
    people = {
        "manager": make_user("maria", roles.MANAGER),
        "board": make_user("boris", roles.BOARD),
        "owner": make_user("olivia", roles.OWNER),
        "other_owner": make_user("oscar", roles.OWNER),
        "auditor": make_user("audrey", roles.AUDITOR),
    }
    for info in registry.registers:
        if info.register is not None and type(info.register).sample is not Register.sample:
            for n in range(2):
                info.register.sample(people, n)

    logging.disable(logging.CRITICAL)  # the failures are reported below, not as tracebacks
    failures, tried = [], 0
    for role in ("manager", "owner"):  # everything, and what restrict() narrows to an owner
        user = people[role]
        count, failed = declared_filter_failures(user)
        tried += count
        failures += [f"as {role}: {f}" for f in failed]
        client = client_as(user)
        for info in registry.registers:
            for query in DASHBOARD_FILTERS:
                url = f"/{info.register.url_prefix}/{query}"
                status = client.get(url).status_code
                if status >= 500:
                    failures.append(f"as {role}: {url} answers {status}")
    return {"tried": tried, "failures": failures}


if __name__ == "__main__":
    print(json.dumps(main()))
