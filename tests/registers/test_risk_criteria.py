from aims.records import history
from registers.models import Risk, RiskCategory, RiskCriteria
from tests.base import client_for


def band_post(bands, appetite, version=1):
    data = {
        "band-TOTAL_FORMS": len(bands),
        "band-INITIAL_FORMS": len(bands),
        "band-MIN_NUM_FORMS": 0,
        "band-MAX_NUM_FORMS": 8,
        "appetite": appetite,
        "version": version,
    }
    for i, (name, lo, hi, colour) in enumerate(bands):
        data.update(
            {f"band-{i}-name": name, f"band-{i}-min": lo, f"band-{i}-max": hi, f"band-{i}-colour": colour}
        )
    return data


THREE = [("Low", 1, 6, "#a5d6a7"), ("Medium", 7, 14, "#ffe082"), ("High", 15, 25, "#ef9a9a")]


def test_everyone_reads_the_criteria(auditor):
    page = client_for(auditor).get("/risks/criteria/").content.decode()
    assert "Critical" in page and "Only the AIMS manager" in page


def test_manager_changes_bands_and_risks_are_relevelled(manager, make_risk, auditor):
    risk = make_risk(inherent_likelihood=3, inherent_impact=3, residual_likelihood=3, residual_impact=2)
    response = client_for(manager).post("/risks/criteria/", band_post(THREE, "Medium"))
    assert response.status_code == 302
    criteria = RiskCriteria.current()
    assert criteria.level(risk.residual_score).name == "Low" and criteria.version == 2
    assert history(criteria).first().changes[0]["field"] == "bands"
    api = client_for(auditor).get(f"/api/v1/risks/{risk.reference}/").json()
    assert api["residual_level"] == "Low"


def test_gaps_in_bands_are_refused_with_a_message(manager):
    gap = [("Low", 1, 4, "#a5d6a7"), ("High", 6, 25, "#ef9a9a")]
    response = client_for(manager).post("/risks/criteria/", band_post(gap, "Low"))
    assert response.status_code == 400 and "without gaps" in response.content.decode()
    assert RiskCriteria.current().version == 1


def test_stale_criteria_edit_is_refused(manager):
    client_for(manager).post("/risks/criteria/", band_post(THREE, "Medium"))
    response = client_for(manager).post("/risks/criteria/", band_post(THREE, "High", version=1))
    assert response.status_code == 400 and "changed by" in response.content.decode()
    assert RiskCriteria.current().appetite == "Medium"


def test_only_the_manager_changes_criteria(owner, board):
    for user in (owner, board):
        assert client_for(user).post("/risks/criteria/", band_post(THREE, "Medium")).status_code == 403
    assert RiskCriteria.current().version == 1


def test_categories_are_added_and_retired(manager, make_risk):
    client = client_for(manager)
    client.post("/risks/criteria/", {"category_name": "Environmental"})
    assert RiskCategory.objects.filter(name="Environmental", active=True).exists()
    safety = RiskCategory.objects.get(slug="safety")
    risk = make_risk(category=safety)
    client.post("/risks/criteria/", {"category_name": "", "toggle": safety.pk})
    safety.refresh_from_db()
    assert not safety.active and Risk.objects.get(pk=risk.pk).category == safety
    page = client.get("/risks/new/").content.decode()
    assert ">Safety<" not in page
