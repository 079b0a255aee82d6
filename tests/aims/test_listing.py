"""What a page of a register's list fetches besides its rows (aims.api.listing): the links, in the linked
model's order, from SQL compiled once per number of records; a record made from some of its columns is
the one Django would make. (tests/test_api_fast_paths.py holds every register's page to DRF's answer.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aims.api import listing
from aims.models import Requirement
from aims.together import record_maker
from registers.models import Risk
from tests.base import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def nothing_kept(monkeypatch):
    monkeypatch.setattr(listing, "_STATEMENTS", {})


def controls(*codes):
    return [Requirement.objects.get(standard__key="iso42001", code=code) for code in codes]


def test_a_page_lists_each_records_links_in_the_linked_models_order(owner, make_risk):
    linked = make_risk(title="Linked")
    # Added out of the catalogue's order: the page shows them as the catalogue orders them.
    linked.requirements.add(*controls("A.9.2", "6.1.2", "A.5.4", "A.2.2"))
    make_risk(title="Linking nothing")
    results = client_for(owner).get("/api/v1/risks/?page_size=50").json()["results"]
    shown = {row["title"]: row for row in results}
    codes = shown["Linked"]["requirements"]
    assert codes == [r.code for r in linked.requirements.all()]
    assert {"A.9.2", "6.1.2", "A.5.4", "A.2.2"} <= set(codes)
    assert codes.index("A.2.2") < codes.index("A.5.4") < codes.index("A.9.2"), "the catalogue's order"
    assert shown["Linking nothing"]["systems"] == [] == shown["Linked"]["systems"]


def test_by_ids_compiles_once_per_number_of_ids_and_reads_what_the_orm_reads(make_risk):
    risks = [make_risk(title=f"Risk {n}") for n in range(3)]

    def titles(ids):
        return Risk.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "title")

    first = [risks[0].pk, risks[1].pk]
    assert listing.by_ids("default", "titles", titles, first) == list(titles(first))
    (kept,) = listing._STATEMENTS.values()
    assert kept is not None and len(kept[2]) == 2, "each id a parameter of its own: kept"
    second = [risks[2].pk, risks[0].pk]
    with CaptureQueriesContext(connection) as seen:
        rows = listing.by_ids("default", "titles", titles, second)
    assert rows == list(titles(second))
    assert len(seen) == 1 and len(listing._STATEMENTS) == 1, "the kept SQL, run with this page's ids"
    listing.by_ids("default", "titles", titles, [risks[1].pk])
    assert len(listing._STATEMENTS) == 2, "one statement per number of ids"
    assert listing.by_ids("default", "titles", titles, []) == []


def test_a_build_that_does_not_name_each_id_as_a_parameter_is_built_every_time(make_risk):
    risks = [make_risk(title=f"Risk {n}") for n in range(3)]

    def first_only(ids):  # its SQL holds one id, not each: nothing may be kept
        return Risk.objects.filter(pk__in=ids[:1]).values_list("title", flat=True)

    assert listing.by_ids("default", "first", first_only, [risks[1].pk, risks[2].pk]) == ["Risk 1"]
    assert list(listing._STATEMENTS.values()) == [None]
    assert listing.by_ids("default", "first", first_only, [risks[2].pk, risks[0].pk]) == ["Risk 2"]


def test_several_reads_in_one_round_trip_give_each_read_s_own_rows(owner, manager, make_risk):
    """together_by_ids: the people (every column, dates included), a link, and a read of no ids, in one
    statement kept per keys and id counts; each read's rows exactly as by_ids (the ORM) gives them."""
    from aims.models import User

    risks = [make_risk(title=f"Risk {n}") for n in range(3)]
    people_columns = [field.attname for field in User._meta.concrete_fields]

    def people(ids):
        return User._base_manager.filter(pk__in=ids).values_list(*people_columns)

    def titles(ids):
        return Risk.objects.filter(pk__in=ids).order_by("-pk").values_list("pk", "title", "created_at")

    reads = [("people", people, [owner.pk, manager.pk]), ("titles", titles, [r.pk for r in risks]),
             ("nobody", people, [])]  # fmt: skip
    with CaptureQueriesContext(connection) as seen:
        rows = listing.together_by_ids("default", reads)
    assert len(seen) == 1
    assert rows == [listing.by_ids("default", key, build, ids) for key, build, ids in reads]
    assert rows[0] and rows[1][0][0] == risks[-1].pk and rows[2] == []
    again = [("people", people, [manager.pk, owner.pk]), ("titles", titles, [r.pk for r in risks[::-1]]),
             ("nobody", people, [])]  # fmt: skip
    with CaptureQueriesContext(connection) as seen:
        assert listing.together_by_ids("default", again) == rows
    assert len(seen) == 1, "the kept statement, run with these ids"


def test_a_linked_record_made_from_its_columns_is_the_one_django_makes():
    requirement = Requirement.objects.filter(standard__key="iso42001").first()
    values = (requirement.pk, requirement.code)
    made = record_maker(Requirement)("default", ["id", "code"], values)
    django = Requirement.from_db("default", ["id", "code"], values)
    assert type(made) is Requirement
    assert made.__dict__.keys() - {"_state"} == django.__dict__.keys() - {"_state"}
    assert (made.pk, made.code, made._state.db, made._state.adding) == (requirement.pk, requirement.code,
                                                                        "default", False)  # fmt: skip
    assert made.get_deferred_fields() == django.get_deferred_fields() != set()
    assert made.title == requirement.title, "a deferred column is read when asked for"


def test_a_whole_record_made_from_its_columns_is_the_one_django_makes(make_risk):
    risk = make_risk(title="Made from its columns")
    names = [field.attname for field in Risk._meta.concrete_fields]
    values = Risk.objects.filter(pk=risk.pk).values_list(*names).get()
    made = record_maker(Risk)("default", names, values)
    django = Risk.from_db("default", names, values)
    assert {k: v for k, v in made.__dict__.items() if k != "_state"} == {
        k: v for k, v in django.__dict__.items() if k != "_state"
    }
    assert made.get_deferred_fields() == set() and made.owner == risk.owner and made.title == risk.title


def test_a_model_someone_listens_for_is_made_by_django(make_risk):
    from django.db.models import signals

    def heard(sender, instance, **kwargs):
        instance.heard = True

    signals.post_init.connect(heard, sender=Risk)
    try:
        assert record_maker(Risk) == Risk.from_db
        names = [field.attname for field in Risk._meta.concrete_fields]
        values = Risk.objects.filter(pk=make_risk().pk).values_list(*names).get()
        assert record_maker(Risk)("default", names, values).heard
    finally:
        signals.post_init.disconnect(heard, sender=Risk)


def test_a_record_is_shown_without_copying_every_field_for_the_request(owner, make_risk):
    """The steps are laid out once per class (aims.api.representation.shared_plan): a serializer copies
    only the fields that read its request, and shows exactly what DRF's own steps show."""
    from rest_framework import serializers
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from registers.api import RiskSerializer

    risk = Risk.objects.prefetch_related("requirements", "systems").get(pk=make_risk().pk)
    request = Request(APIRequestFactory().get("/api/v1/risks/"))
    request.user = owner
    serializer = RiskSerializer(context={"request": request})
    shown = serializer.to_representation(risk)
    assert "fields" not in serializer.__dict__, "no copy of all 45 fields for one request"
    assert shown == serializers.Serializer.to_representation(serializer, risk)
