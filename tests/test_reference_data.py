"""The suite's own mechanism: after a test that commits and flushes, the next test finds the database as
migrate left it, reference data and all, under the same ids (tests.conftest.restore_reference_data)."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from aims import roles
from aims.models import Requirement
from registers.models import RiskCategory
from tests.conftest import REFERENCE_DATA, _ReferenceData, restore_reference_data


def _rows(reference: _ReferenceData) -> dict[str, list[bytes]]:
    # COPY gives rows in their physical order, which a delete and a copy back may change.
    return {table: sorted(rows.splitlines()) for table, rows in reference.tables.items()}


@pytest.mark.django_db(transaction=True)
def test_a_flush_and_the_restore_leave_the_reference_data_as_migrated():
    as_migrated = _rows(REFERENCE_DATA)
    assert {"auth_group", "aims_requirement", "registers_riskcategory", "django_content_type"} <= set(
        as_migrated
    )
    risk_type = ContentType.objects.get(app_label="registers", model="risk")
    RiskCategory.objects.create(slug="added-by-a-test", name="Added by a test")
    Group.objects.filter(name=roles.MANAGER).delete()

    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert not Requirement.objects.exists()
    restore_reference_data()

    now = _ReferenceData()
    now.take()
    assert _rows(now) == as_migrated
    assert not RiskCategory.objects.filter(slug="added-by-a-test").exists()
    assert ContentType.objects.get_for_model(RiskCategory).app_label == "registers"
    assert ContentType.objects.get(app_label="registers", model="risk").pk == risk_type.pk
    # Ids run on after the restored rows: a new row does not collide with one copied back.
    RiskCategory.objects.create(slug="after-the-restore", name="After the restore")
