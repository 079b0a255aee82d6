"""Run by tests/aims/test_sqlite_locking.py in a process of its own, under `make run`'s settings
(aims.settings.local) on a fresh SQLite file: people edit one risk at the same moment, then one edits
while another connection holds the write lock. Prints what each got, as JSON, on the last line.

Tables are made from the models (no migrations, which take half a minute on SQLite) and filled with
the roles, catalogue and risk criteria the data migrations load, by their own loaders."""

import importlib
import json
import sqlite3
import sys
import threading

import django

PEOPLE = 10


def main(lock_wait: float) -> dict:
    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    class NoMigrations(dict):
        def __contains__(self, app):
            return True

        def __getitem__(self, app):
            return None

    settings.MIGRATION_MODULES = NoMigrations()
    # Setting up is not under test: no flush to disk per table. The people below get fresh connections.
    connections["default"].cursor().execute("PRAGMA synchronous=OFF")
    call_command("migrate", run_syncdb=True, verbosity=0)

    from aims import roles
    from registers.models import RiskCategory
    from registers.services import risk_create
    from tests.conftest import make_user
    from tests.registers.test_risk_permissions import risk_form_data

    for module in (
        "aims.migrations.0002_catalogue_and_roles",
        "registers.migrations.0002_default_criteria_and_categories",
    ):
        importlib.import_module(module).load(apps, None)
    owner = make_user("olivia", roles.OWNER)
    risk = risk_create(
        actor=owner,
        fields={
            "title": "Credit model under-scores thin-file applicants",
            "category": RiskCategory.objects.get(slug="bias-and-fairness"),
            "risk_source": "C.3.4",
            "affects_individuals": True,
            "inherent_likelihood": 3,
            "inherent_impact": 3,
            "treatment": "mitigate",
            "treatment_plan": "Reweigh training data.",
            "residual_likelihood": 2,
            "residual_impact": 2,
        },
    )
    url = f"/risks/{risk.reference}/edit/"
    connections.close_all()
    journal = connections["default"].cursor().execute("PRAGMA journal_mode").fetchone()[0]

    # Everyone opened the form at version 1 and presses Save together.
    clients = []
    for _ in range(PEOPLE):
        client = Client(raise_request_exception=False)
        client.force_login(owner)
        clients.append(client)
    data = risk_form_data(risk)
    start = threading.Barrier(PEOPLE)
    statuses = [None] * PEOPLE

    def save(i):
        start.wait()
        try:
            statuses[i] = clients[i].post(url, {**data, "title": f"Edited by person {i}"}).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Someone else holds the write lock longer than a request may wait for it.
    risk.refresh_from_db()
    connections.close_all()
    settings.DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = lock_wait
    holder = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE registers_risk SET title = title")
    try:
        blocked = clients[0].post(url, {**risk_form_data(risk), "title": "While the lock is held"})
        api = clients[0].patch(
            f"/api/v1/risks/{risk.reference}/",
            {"title": "While the lock is held", "version": risk.version},
            content_type="application/json",
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    risk.refresh_from_db()
    return {
        "journal": journal,
        "concurrent": statuses,
        "version_after": risk.version,
        "blocked": [blocked.status_code, blocked.get("Retry-After"), blocked.content.decode()[:3000]],
        "api": [api.status_code, api.get("Retry-After"), api.content.decode()[:500]],
        "title_after": risk.title,
    }


if __name__ == "__main__":
    print(json.dumps(main(float(sys.argv[1]))))
