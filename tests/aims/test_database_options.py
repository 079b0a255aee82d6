"""The options every PostgreSQL connection starts with (aims.database.tune_postgresql)."""

from django.db import connection

from aims.database import tune_postgresql


def test_a_query_starts_no_parallel_workers_by_default(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"


def test_the_workers_setting_keeps_the_server_options_already_given():
    given = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"options": "-c statement_timeout=5000"}}
    tuned = tune_postgresql(given, parallel_workers=2)
    assert tuned["OPTIONS"]["options"] == "-c statement_timeout=5000 -c max_parallel_workers_per_gather=2"
    assert given["OPTIONS"]["options"] == "-c statement_timeout=5000"  # the entry given is not changed


def test_the_workers_setting_leaves_other_databases_alone():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "aims.sqlite3", "OPTIONS": {"timeout": 20}}
    assert tune_postgresql(sqlite, parallel_workers=0) == sqlite
