from django.test import Client

from aims.glossary import BY_SLUG, FIELD_TERMS, TERMS
from tests.base import client_for


def test_every_field_link_points_at_a_term():
    assert all(slug is None or slug in BY_SLUG for slug in FIELD_TERMS.values())
    assert len({t.slug for t in TERMS}) == len(TERMS)


def test_the_glossary_page_lists_and_finds_terms(db):
    page = Client().get("/glossary/").content.decode()
    assert 'id="statement-of-applicability"' in page and "AI subject" in page
    found = Client().get("/glossary/?q=oversight").content.decode()
    assert "Human oversight" in found and "Nonconformity" not in found
    none = Client().get("/glossary/?q=zzzz").content.decode()
    assert "No term matches" in none


def test_a_form_field_links_its_help_to_the_term(owner):
    page = client_for(owner).get("/scope/new/").content.decode()
    assert "/glossary/#ai-roles" in page and "What is “AI roles”?" in page
