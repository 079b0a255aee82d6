"""The improvement panel counts nonconformities by grade with the noun in the right number."""

from tests.base import client_for

PANEL = "/dashboard/panels/improvement_panel/"


def test_grades_are_counted_in_the_plural_and_the_singular(make_nc, manager):
    make_nc(grade="major")
    page = client_for(manager).get(PANEL).content.decode()
    assert "<strong>1</strong> open major nonconformity<" in page
    assert "<strong>0</strong> open minor nonconformities<" in page
