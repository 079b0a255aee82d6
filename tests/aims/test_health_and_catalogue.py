from django.test import Client

from aims.models import Requirement
from tests.base import client_for


def test_healthz_and_readyz(db):
    assert Client().get("/healthz").json() == {"status": "ok"}
    ready = Client().get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok" and ready.json()["broker"] == "ok"


def test_readyz_names_the_broken_part(db, settings):
    from aims.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = Client().get("/readyz")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json()["database"] == "ok" and response.json()["broker"].startswith("unreachable")


def test_catalogue_holds_the_standard(db):
    ours = Requirement.objects.filter(standard__key="iso42001")  # the other standards: test_crosswalk.py
    kinds = {k: ours.filter(kind=k).count() for k in ("requirement", "control", "objective")}
    assert kinds == {"requirement": 32, "control": 38, "objective": 11}
    codes = set(Requirement.objects.filter(kind="control").values_list("code", flat=True))
    assert {"A.2.2", "A.6.1.2", "A.6.2.8", "A.10.4"} <= codes and "A.5.1" not in codes


def test_catalogue_pages_list_mapped_records(make_risk, auditor):
    from registers.services import risk_update

    risk = make_risk()
    control = Requirement.objects.mappable().get(code="A.5.4")
    risk_update(risk, actor=risk.owner, expected_version=1, fields={}, requirements=[control])
    client = client_for(auditor)
    assert "A.10.4" in client.get("/catalogue/").content.decode()
    page = client.get(f"/catalogue/{control.key}/").content.decode()
    assert risk.reference in page


def test_catalogue_api(owner):
    data = client_for(owner).get("/api/v1/requirements/?kind=control&page_size=100").json()
    assert data["count"] == 38


def test_api_docs_are_served_without_a_cdn(owner):
    client = client_for(owner)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/risks/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert (
        "swagger-ui" in docs
        and "cdn" not in docs.lower()
        and "http://" not in docs.replace("http://testserver", "")
    )
