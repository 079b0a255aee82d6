import re
import xml.etree.ElementTree as ET

import pytest

from registers.standard.interested_parties import Quadrants, services
from tests.base import client_for, form_data_for

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def make_party(owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "Loan applicants",
            "side": "external",
            "needs_and_expectations": "Fair decisions they can have explained and contest.",
            "influence": 2,
            "interest": 5,
            **overrides,
        }
        return services.create(actor=actor or owner, fields=fields)

    return make


def grid_of(response) -> ET.Element:
    assert response.status_code == 200
    svg = re.search(r"<svg.*</svg>", response.content.decode(), re.S).group(0)
    return ET.fromstring(svg)  # well-formed SVG


def cells(root) -> dict[str, ET.Element]:
    return {a.get("href"): a for a in root.iter(f"{SVG}a")}


@pytest.fixture
def parties(make_party, manager):
    make_party(title="Regulator", influence=5, interest=2)
    make_party(title="Credit bureau", influence=5, interest=2)
    make_party(title="Board of directors", influence=5, interest=5)
    make_party(title="Loan applicants", influence=2, interest=5)
    gone = make_party(title="Former reseller", influence=5, interest=2)
    services.archive(gone, actor=manager, expected_version=1)  # archived parties are not counted


def test_grid_counts_each_cell_and_links_to_the_filtered_list(parties, auditor):
    client = client_for(auditor)
    root = grid_of(client.get("/interested-parties/grid/"))
    links = cells(root)
    assert len(links) == 25  # empty cells link too
    cell = links["/interested-parties/?influence=5&interest=2"]
    assert cell.get("aria-label") == "Influence 5, interest 2: 2 interested parties (Keep satisfied)"
    assert [t.text for t in cell.iter(f"{SVG}text")] == ["2", "Keep satisfied"]
    assert (
        links["/interested-parties/?influence=5&interest=5"]
        .get("aria-label")
        .endswith("1 interested party (Manage closely)")
    )
    assert links["/interested-parties/?influence=2&interest=5"].get("aria-label").endswith("(Keep informed)")
    assert (
        links["/interested-parties/?influence=1&interest=1"]
        .get("aria-label")
        .endswith("0 interested parties (Monitor)")
    )
    assert root.find(f"{SVG}title").text.endswith(": 4 interested parties")
    legend = " ".join(t.text for t in root.find(f"{SVG}g[@class='legend']").iter(f"{SVG}text"))
    for name in ("Keep satisfied", "Manage closely", "Monitor", "Keep informed"):
        assert name in legend

    listed = client.get("/interested-parties/?influence=5&interest=2").content.decode()
    assert "Regulator" in listed and "Credit bureau" in listed
    assert "Board of directors" not in listed and "Former reseller" not in listed


def test_a_user_with_no_role_sees_an_empty_grid(parties, outsider):
    root = grid_of(client_for(outsider).get("/interested-parties/grid/"))
    counts = [a.find(f"{SVG}text").text for a in root.iter(f"{SVG}a")]
    assert counts == ["0"] * 25
    assert root.find(f"{SVG}title").text.endswith(": 0 interested parties")


def test_the_grid_needs_a_sign_in_and_the_list_links_to_it(parties, owner, client):
    assert client.get("/interested-parties/grid/").status_code == 302
    page = client_for(owner).get("/interested-parties/").content.decode()
    assert 'href="/interested-parties/grid/"' in page


def test_quadrants_treat_the_middle_score_as_high():
    assert Quadrants.band_at(3, 3).name == "Manage closely"
    assert Quadrants.band_at(2, 2).name == "Monitor"
    assert Quadrants.band_at(4, 1).name == "Keep satisfied"
    assert Quadrants.band_at(1, 4).name == "Keep informed"


def test_list_filters_by_side_influence_and_interest(make_party, auditor):
    make_party(title="Data science team", side="internal", influence=4, interest=4)
    make_party(title="Regulator", influence=5, interest=2)
    client = client_for(auditor)
    page = client.get("/interested-parties/?side=internal").content.decode()
    assert "Data science team" in page and "Regulator" not in page
    page = client.get("/interested-parties/?influence=5").content.decode()
    assert "Regulator" in page and "Data science team" not in page
    api = client.get("/api/v1/interested-parties/?interest=4").json()["results"]
    assert [r["title"] for r in api] == ["Data science team"]


def test_influence_out_of_range_is_refused_on_the_field(make_party, owner):
    party = make_party()
    response = client_for(owner).post(
        f"/interested-parties/{party.reference}/edit/", {**form_data_for(party), "influence": 6}
    )
    assert response.status_code == 400 and "influence" in response.context["form"].errors
    response = client_for(owner).patch(
        f"/api/v1/interested-parties/{party.reference}/",
        {"interest": 0, "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 400 and "interest" in response.json()
    party.refresh_from_db()
    assert (party.influence, party.interest, party.version) == (2, 5, 1)


def test_export_lists_what_the_filter_shows(make_party, auditor):
    make_party(title="=HYPERLINK evil", side="internal")
    make_party()
    response = client_for(auditor).get("/interested-parties/?export=csv&side=internal")
    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "'=HYPERLINK evil" in text and "Loan applicants" not in text


def test_empty_register_says_what_to_do(owner):
    page = client_for(owner).get("/interested-parties/").content.decode()
    assert "No interested parties yet" in page
    assert (
        "No interested parties to place yet"
        in client_for(owner).get("/interested-parties/grid/").content.decode()
    )
