"""Shared fixtures: one user per role (the Alice/Bob/Charlie pattern, by AIMS role), and the demo
organisation seeded once for a module."""

import contextlib
import io
import time

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction

from aims import roles
from aims.api import counting
from aims.models import User
from tests import clock

PASSWORD = "correct-horse-battery-staple"


def make_user(username: str, *role_names: str, **extra) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.org",
        display_name=username.title(),
        **extra,
    )
    groups = list(Group.objects.filter(name__in=role_names))
    # A user quietly without their role passes or fails a test for the wrong reason: say it instead.
    assert len(groups) == len(set(role_names)), f"role groups missing from the test database: {role_names}"
    user.groups.set(groups)
    return user


@pytest.fixture
def manager(db):
    return make_user("maria", roles.MANAGER)


@pytest.fixture
def board(db):
    return make_user("boris", roles.BOARD)


@pytest.fixture
def owner(db):
    return make_user("olivia", roles.OWNER)


@pytest.fixture
def other_owner(db):
    return make_user("oscar", roles.OWNER)


@pytest.fixture
def auditor(db):
    return make_user("audrey", roles.AUDITOR)


@pytest.fixture
def outsider(db):
    """Signed in, but holds no role: sees nothing."""
    return make_user("nobody")


@pytest.fixture
def people(manager, board, owner, other_owner, auditor):
    """Every role's user by name, for tests that walk the roles."""
    return {
        "manager": manager,
        "board": board,
        "owner": owner,
        "other_owner": other_owner,
        "auditor": auditor,
    }


@contextlib.contextmanager
def seeded_demo():
    """The Northbank Credit demo (seed_demo) for as long as the block runs, then an empty database again
    with its reference data; for a module's `demo` fixture, inside django_db_blocker.unblock()."""
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    yield
    # No post_migrate: the restore brings content types and permissions back with the rest.
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    restore_reference_data()  # the catalogue and roles the data migrations loaded


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module that asks for it (a module may extend it with its own)."""
    with django_db_blocker.unblock(), seeded_demo():
        yield


@pytest.fixture
def risk_fields(db):
    """Valid fields for a new risk (Medium inherent, Low residual)."""
    from registers.models import RiskCategory

    return {
        "title": "Credit model under-scores thin-file applicants",
        "description": "Applicants with short credit histories get systematically lower scores.",
        "system_note": "Credit scoring",
        "category": RiskCategory.objects.get(slug="bias-and-fairness"),
        "risk_source": "C.3.4",
        "affects_individuals": True,
        "inherent_likelihood": 3,
        "inherent_impact": 3,
        "treatment": "mitigate",
        "treatment_plan": "Reweigh training data; monthly fairness check.",
        "residual_likelihood": 2,
        "residual_impact": 2,
    }


@pytest.fixture
def make_risk(risk_fields, owner):
    from registers.services import risk_create

    def make(actor=None, **overrides):
        actor = actor or owner
        fields = {**risk_fields, **overrides}
        return risk_create(actor=actor, fields=fields)

    return make


@pytest.fixture(autouse=True)
def _not_across_midnight():
    """See tests/clock.py: a test that would start in the last minute of the day waits for the next."""
    time.sleep(clock.wait_before_midnight(clock.now()).total_seconds())


@pytest.fixture(autouse=True)
def _fresh_shared_cache():
    """The cached risk criteria and webhook subscriptions (Redis) outlive a test's rolled-back transaction:
    drop them around each test. Not cache.clear(): the broker shares the Redis database."""
    from django.core.cache import cache

    from aims.webhooks import SUBSCRIBED_KEY
    from registers.models import RiskCriteria

    cache.delete_many([RiskCriteria.CACHE_KEY, SUBSCRIBED_KEY])
    yield
    cache.delete_many([RiskCriteria.CACHE_KEY, SUBSCRIBED_KEY])


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests (browser, worker) end with a flush that empties every table; what the data
    migrations load (roles, catalogue, risk categories and criteria) is put back right after it, in
    pytest_runtest_teardown below, so whatever test this worker runs next finds a migrated database.
    (pytest-django runs transactional tests after the others, but a test that asks for its users by
    request.getfixturevalue is not known to use the database and runs after them; without the roles
    its users would silently have none.) Not serialized_rollback: its snapshot clashes with content
    types a flush recreates under new ids."""
    transactional = any(
        name in request.fixturenames
        for name in ("transactional_db", "live_server", "django_db_serialized_rollback")
    )
    marker = request.node.get_closest_marker("django_db")
    if not transactional and not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    request.node.aims_flushes_database = True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield  # every fixture is torn down now, the transactional test's flush included
    # After the last test the test database is gone too (and the settings name the real one again):
    # nothing to put back, and nowhere to put it.
    if getattr(item, "aims_flushes_database", False) and nextitem is not None:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            restore_reference_data()


def restore_reference_data():
    """What the data migrations loaded, back after a flush emptied every table: the rows REFERENCE_DATA
    took when this worker's test database was made, copied back whole (under their first ids) in one
    transaction. The flush's own post_migrate (content types, permissions) is replaced by the copy."""
    REFERENCE_DATA.restore()


class _ReferenceData:
    """Every non-empty table of a freshly migrated test database, in PostgreSQL's COPY format. Copying it
    back takes a twentieth of a second; running the data migrations' loaders again took two, after every
    browser test and every module that seeds the demo."""

    def __init__(self):
        self.tables: dict[str, bytes] = {}

    def take(self) -> None:
        self.tables = {}
        with connection.cursor() as cursor:
            for table in sorted(connection.introspection.django_table_names(only_existing=True)):
                name = connection.ops.quote_name(table)
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name})")
                if cursor.fetchone()[0]:
                    rows = io.BytesIO()
                    cursor.cursor.copy_expert(f"COPY {name} TO STDOUT", rows)
                    self.tables[table] = rows.getvalue()
        assert self.tables, "the migrated test database holds no reference data to keep"

    def restore(self) -> None:
        assert self.tables, "reference data is restored before it was taken (django_db_setup)"
        names = [connection.ops.quote_name(table) for table in self.tables]
        models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in self.tables]
        # DELETE, not TRUNCATE: truncating a table others refer to needs CASCADE over every table (half a
        # second); these are small, and the foreign keys are checked at commit, once all is back.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(";".join(f"DELETE FROM {name}" for name in names))
            for table, name in zip(self.tables, names, strict=True):
                cursor.cursor.copy_expert(f"COPY {name} FROM STDIN", io.BytesIO(self.tables[table]))
            cursor.execute(";".join(connection.ops.sequence_reset_sql(no_style(), models)))
        ContentType.objects.clear_cache()  # same ids as before the flush, but say so rather than rely on it


REFERENCE_DATA = _ReferenceData()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and its reference data kept for restore_reference_data. At the end,
    the list pages' counting workers let go of their connections to it, so that it can be dropped."""
    with django_db_blocker.unblock():
        REFERENCE_DATA.take()
    yield
    counting.close()
