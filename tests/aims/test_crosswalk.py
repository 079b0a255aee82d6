"""Other standards as data (ISO/IEC 27001 clauses, NIST AI RMF 1.0, EU AI Act) and their crosswalk to
ISO/IEC 42001, as the catalogue and a requirement's page show them."""

import csv
import importlib

import pytest
from django.apps import apps

from aims.crosswalk_data import NIST_CROSSWALK_CSV
from aims.models import Crosswalk, Requirement
from tests.base import client_for


def _req(standard, code):
    return Requirement.objects.get(standard__key=standard, code=code)


def _link(source, target):
    return Crosswalk.objects.get(source=source, target=target)


def test_nist_ai_rmf_has_4_functions_19_categories_72_subcategories(db):
    nist = Requirement.objects.filter(standard__key="nistairmf")
    assert nist.filter(kind="clause").count() == 4
    assert nist.filter(kind="heading").count() == 19
    assert nist.filter(kind="requirement").count() == 72
    per_function = {f: nist.filter(kind="requirement", code__startswith=f + " ").count() for f in
                    ("GOVERN", "MAP", "MEASURE", "MANAGE")}  # fmt: skip
    assert per_function == {"GOVERN": 19, "MAP": 18, "MEASURE": 22, "MANAGE": 13}
    assert _req("nistairmf", "MEASURE 2.13").parent.code == "MS-2"
    assert _req("nistairmf", "MS-2").parent.code == "MEASURE"
    # AI RMF 1.0 has neither (a flawed public catalogue adds them)
    assert not nist.filter(code__in=["MANAGE 3.3", "MANAGE 4.4"]).exists()


def test_iso27001_mirrors_the_harmonized_clauses_without_the_ai_only_ones(db):
    iso27001 = Requirement.objects.filter(standard__key="iso27001")
    assert iso27001.filter(kind="requirement").count() == 30  # 42001's 32 leaves less 6.1.4 and 8.4
    assert not iso27001.filter(code__in=["6.1.4", "8.4"]).exists()
    assert not iso27001.filter(code__startswith="A").exists()  # not its Annex A
    for code in iso27001.values_list("code", flat=True):
        link = _link(_req("iso27001", code), _req("iso42001", code))  # one to one, same number
        assert link.strength in ("equivalent", "related")
    assert _link(_req("iso27001", "9.2.2"), _req("iso42001", "9.2.2")).strength == "equivalent"
    assert _link(_req("iso27001", "6.1.2"), _req("iso42001", "6.1.2")).strength == "related"
    assert _link(_req("iso27001", "5.2"), _req("iso42001", "5.2")).strength == "related"
    # 9.3.2: 27001 asks for review inputs 42001 does not list (objectives met, feedback, risk results)
    inputs = _link(_req("iso27001", "9.3.2"), _req("iso42001", "9.3.2"))
    assert inputs.strength == "related" and "27001 also asks for inputs 42001 does not list" in inputs.note
    assert not Crosswalk.objects.filter(target__code__in=["6.1.4", "8.4"], source__standard__key="iso27001")


def published_rows():
    with NIST_CROSSWALK_CSV.open(newline="", encoding="utf-8") as rows:
        return list(csv.DictReader(rows))


def test_every_pair_of_the_crosswalk_nist_publishes_is_in_the_catalogue(db):
    """NIST's AI RMF to ISO/IEC 42001 crosswalk (aims/data/), row for row: each subcategory to each clause
    or control it lists, "related", the note naming NIST's publication and the label the source gives."""
    rows = published_rows()
    assert len(rows) == 281 and len({r["nist_ai_rmf_subcategory"] for r in rows}) == 72
    links = {
        (link.source.code, link.target.code): link
        for link in Crosswalk.objects.filter(
            source__standard__key="nistairmf", source__kind="requirement"
        ).select_related("source", "target__standard")
    }
    for row in rows:
        link = links.get((row["nist_ai_rmf_subcategory"], row["iso42001_requirement"]))
        assert link is not None, row
        assert link.target.standard.key == "iso42001" and link.strength == "related"
        assert link.note.startswith("Published by NIST") and link.note.endswith(row["as_listed_in_source"])
    # 280 pairs (MANAGE 1.1 to A.6.2.4 is listed twice) and no subcategory pair it does not list
    assert len(links) == len({(r["nist_ai_rmf_subcategory"], r["iso42001_requirement"]) for r in rows}) == 280
    assert _link(_req("nistairmf", "GOVERN 2.1"), _req("iso42001", "7.2")).note.endswith("listed there as 72")


def test_our_category_pairs_stay_analytical_apart_from_the_published_ones(db):
    category = _link(_req("nistairmf", "MG-4"), _req("iso42001", "10.2"))
    assert category.strength == "analytical" and "not an official crosswalk" in category.note
    by_kind = Crosswalk.objects.filter(source__standard__key="nistairmf")
    assert set(by_kind.filter(source__kind="heading").values_list("strength", flat=True)) == {"analytical"}
    assert set(by_kind.filter(source__kind="requirement").values_list("strength", flat=True)) == {"related"}
    assert not by_kind.filter(strength="related").exclude(note__startswith="Published by NIST").exists()


def run_crosswalk_migrations():
    for name, step in (
        ("0007_nist_published_crosswalk", "load"),
        ("0008_iso27001_review_inputs_related", "fix"),
    ):
        getattr(importlib.import_module(f"aims.migrations.{name}"), step)(apps, None)


def test_the_migrations_bring_an_older_catalogue_up_to_the_published_crosswalk(db):
    """A database loaded before: 20 subcategories, the old note, 27001 9.3.2 "equivalent"."""
    everything = sorted(Crosswalk.objects.values_list("source_id", "target_id", "strength", "note"))
    nist = Crosswalk.objects.filter(source__standard__key="nistairmf", source__kind="requirement")
    nist.filter(source__code__in=["GOVERN 1.3", "MEASURE 2.12", "MANAGE 1.1"]).delete()
    nist.update(note="NIST-listed crosswalk")
    Crosswalk.objects.filter(source__key="iso27001:9.3.2").update(strength="equivalent", note="")
    run_crosswalk_migrations()
    assert sorted(Crosswalk.objects.values_list("source_id", "target_id", "strength", "note")) == everything
    run_crosswalk_migrations()  # again: nothing changes
    assert sorted(Crosswalk.objects.values_list("source_id", "target_id", "strength", "note")) == everything


def test_eu_ai_act_articles_map_analytically(db):
    articles = Requirement.objects.filter(standard__key="euaiact")
    codes = list(articles.values_list("code", flat=True))
    assert codes[0] == "Art. 4" and codes[-1] == "Art. 73" and len(codes) == 26
    assert _link(_req("euaiact", "Art. 4"), _req("iso42001", "A.4.6")).strength == "analytical"
    assert _link(_req("euaiact", "Art. 27"), _req("iso42001", "8.4")).strength == "analytical"
    assert not Crosswalk.objects.filter(source=_req("euaiact", "Art. 43")).exists()  # product-level only
    assert set(
        Crosswalk.objects.filter(source__standard__key="euaiact").values_list("strength", flat=True)
    ) == {"analytical"}


def test_a_bare_code_still_means_iso42001_for_records(make_risk, owner):
    risk = make_risk()
    page = client_for(owner).get("/risks/?requirement=7.5.3").content.decode()
    assert risk.reference not in page  # a risk serves 6.1.2, 6.1.3, 8.2, 8.3; a 27001 "7.5.3" must not match
    assert set(Requirement.objects.mappable().values_list("standard__key", flat=True)) == {"iso42001"}


def test_a_42001_page_shows_what_else_it_satisfies_in_every_direction(auditor, django_assert_max_num_queries):
    client = client_for(auditor)
    page = client.get(f"/catalogue/{_req('iso42001', '6.1.4').key}/").content.decode()
    assert "What else this satisfies" in page
    assert "MAP 1.1" in page and "Published by NIST" in page  # published pair, its source named
    assert "Art. 27" in page and "not an official crosswalk" in page  # analytical, marked as such
    assert "ISO/IEC 27001:2022" not in page  # 6.1.4 has no 27001 counterpart
    page = client.get(f"/catalogue/{_req('iso42001', '4.1').key}/").content.decode()
    assert "ISO/IEC 27001:2022" in page and "Equivalent" in page


def test_another_standards_page_links_back_to_42001(auditor):
    page = client_for(auditor).get(f"/catalogue/{_req('nistairmf', 'GOVERN 2.1').key}/").content.decode()
    assert "GOVERN 2.1" in page and "5.3" in page and "A.3.2" in page
    assert "/catalogue/iso42001:A.3.2/" in page
    assert "Records mapped to" not in page  # records map to 42001 only


def test_requirement_page_queries_do_not_grow_with_links(auditor, django_assert_max_num_queries):
    client = client_for(auditor)
    client.get("/catalogue/iso42001:4.1/")  # warm the per-process caches
    # One query per register that maps records to requirements (about 35), plus evidence and crosswalks.
    with django_assert_max_num_queries(60) as few:
        client.get(f"/catalogue/{_req('iso42001', '6.1.4').key}/")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/catalogue/iso42001:A.6.2.6/")  # many more links: the same number of queries


@pytest.mark.parametrize(
    "standard,shown,absent",
    [
        ("iso42001", "A.10.4", "GOVERN 1.1"),
        ("nistairmf", "GOVERN 1.1", "A.10.4"),
        ("euaiact", "Art. 73", "A.10.4"),
    ],
)
def test_the_catalogue_lets_you_pick_the_standard(auditor, standard, shown, absent):
    page = client_for(auditor).get(f"/catalogue/?standard={standard}").content.decode()
    assert shown in page and absent not in page
    assert 'href="?standard=euaiact"' in page


def test_an_unknown_standard_is_not_found(auditor):
    assert client_for(auditor).get("/catalogue/?standard=nope").status_code == 404
