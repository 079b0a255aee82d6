"""Who may raise what from whose record (10.1, 10.2), per role: raising a nonconformity from an incident, a
KPI in breach or an audit finding, or a preventive action from a risk, is open to whoever creates such
records and sees the source; it writes the source's history (and moves its version) only when the person
may change the source; the link is on the new record and the source's owner is told. Starting a
corrective action acts on the nonconformity, so only whoever may change it starts one."""

import datetime as dt

import pytest
from django.utils import timezone

from aims.models import Notification
from aims.records import history
from audits import checklist
from audits.models import Finding
from audits.services import audit_services
from reviews.models import CorrectiveAction, Nonconformity, PreventiveAction
from tests.base import ROLES, client_for

ADD_NC_REFUSAL = "Only owners and the AIMS manager may create a nonconformity."
ADD_PA_REFUSAL = "Only owners and the AIMS manager may create a preventive action."
# status code of raising from a record `owner` owns; who may change the source writes its history
RAISING = {"manager": 200, "board": 403, "owner": 200, "other_owner": 200, "auditor": 403, "outsider": 404}


@pytest.fixture
def people(manager, board, owner, other_owner, auditor, outsider):
    return {"manager": manager, "board": board, "owner": owner, "other_owner": other_owner,
            "auditor": auditor, "outsider": outsider}  # fmt: skip


@pytest.fixture
def finding(manager, auditor, owner, db):
    """A major nonconformity graded by the audit's lead auditor; `owner` is the auditee who answers it."""
    from aims.models import Requirement

    today = timezone.localdate()
    audit = audit_services.create(
        actor=manager,
        fields={"title": "Risk management audit", "criteria": "Clause 6.1.", "lead_auditor": auditor,
                "scope": list(Requirement.objects.filter(standard__key="iso42001", code="6.1.2")),
                "starts_on": today + dt.timedelta(days=3), "ends_on": today + dt.timedelta(days=4),
                "owner": manager},
    )  # fmt: skip
    checklist.generate(audit, actor=auditor)
    item = audit.checklist.first()
    checklist.save_item(item, actor=auditor, expected_version=1, question=item.question, result="major_nc",
                        notes="No risk assessment for the new model.", auditee=owner)  # fmt: skip
    return Finding.objects.get()


# (source fixture, API path, body, model raised, its link to the source, who may change the source)
SOURCES = {
    "incident": ("incidents", {"grade": "minor", "requirements": "8.1"}, Nonconformity, "incident",
                 {"manager", "owner"}),
    "kpi": ("kpis", {"grade": "minor", "requirements": "9.1"}, Nonconformity, "kpi", {"manager", "owner"}),
    "risk": ("risks", {"description": "Monthly fairness check.", "due_on": "2030-01-31"}, PreventiveAction,
             "risk", {"manager", "owner"}),
    "finding": ("findings", {}, Nonconformity, "finding", set()),  # the grade is the auditors' alone
}  # fmt: skip


@pytest.fixture
def source(request, make_incident, breached_kpi, make_risk, finding):
    kind = request.param
    return kind, {"incident": make_incident, "kpi": lambda: breached_kpi, "risk": make_risk,
                  "finding": lambda: finding}[kind]()  # fmt: skip


def _raise_action(kind):
    return "raise-preventive-action" if kind == "risk" else "raise-nonconformity"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("source", list(SOURCES), indirect=True)
def test_raising_from_a_record_by_role(role, source, people, owner):
    kind, record = source
    prefix, body, model, link, changers = SOURCES[kind]
    person = people[role]
    before = (record.version, history(record).count())
    response = client_for(person).post(
        f"/api/v1/{prefix}/{record.reference}/{_raise_action(kind)}/",
        {**body, "version": record.version},
        content_type="application/json",
    )
    assert response.status_code == RAISING[role], response.content
    record.refresh_from_db()
    raised = model.objects.filter(**{link: record})
    if response.status_code != 200:
        assert not raised.exists() and (record.version, history(record).count()) == before
        assert not Notification.objects.filter(kind="raised_from").exists()
        if role in ("board", "auditor"):
            refusal = ADD_PA_REFUSAL if model is PreventiveAction else ADD_NC_REFUSAL
            assert response.json()["detail"] == refusal
        return
    new = raised.get()  # the link is kept on the new record
    assert history(new).first().actor == person
    if role in changers:  # it may change the source: the source's history names the new record
        assert record.version == before[0] + 1 and history(record).first().note.startswith(
            f"{model._meta.verbose_name.capitalize()} {new.reference} raised"
        )
    else:  # a report about someone else's record changes nothing of it
        assert (record.version, history(record).count()) == before
    told = Notification.objects.filter(kind="raised_from", user=owner)
    if person == owner:
        assert not told.exists()
    else:
        assert [n.message for n in told] == [
            f"{person} raised {model._meta.verbose_name} {new.reference} {new.title} from your "
            f"{record._meta.verbose_name} {record.reference}."
        ]
        assert told.get().url == new.get_absolute_url()
    # the source's page still lists what was raised from it, through the link on the new record
    assert new.reference in client_for(owner).get(record.get_absolute_url()).content.decode()


@pytest.mark.parametrize("source", ["incident", "risk"], indirect=True)
def test_another_owner_raises_from_the_page_without_touching_the_source(source, other_owner):
    kind, record = source
    prefix, body, model, link, _ = SOURCES[kind]
    client = client_for(other_owner)
    assert f"{_raise_action(kind)}/" in client.get(f"/{prefix}/{record.reference}/").content.decode()
    response = client.post(f"/{prefix}/{record.reference}/{_raise_action(kind)}/", {**body, "version": 1})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.version == 1 and history(record).count() == 1
    assert model.objects.filter(**{link: record}, owner=other_owner).exists()


# -- starting a corrective action on a nonconformity `owner` owns -------------------------------------------
STARTING = {"manager": 200, "board": 403, "owner": 200, "other_owner": 403, "auditor": 403, "outsider": 404}


@pytest.mark.parametrize("role", ROLES)
def test_starting_a_corrective_action_by_role(role, people, make_nc, owner):
    nc = make_nc()
    person = people[role]
    client = client_for(person)
    page = client.get(f"/nonconformities/{nc.reference}/")
    assert ("start-corrective-action/" in page.content.decode()) == (STARTING[role] == 200)
    response = client.post(
        f"/api/v1/nonconformities/{nc.reference}/start-corrective-action/",
        {"title": "Freshness monitoring", "version": nc.version},
        content_type="application/json",
    )
    assert response.status_code == STARTING[role], response.content
    nc.refresh_from_db()
    told = Notification.objects.filter(kind="raised_from", user=owner)
    if STARTING[role] != 200:
        assert nc.version == 1 and history(nc).count() == 1 and not CorrectiveAction.objects.exists()
        assert not told.exists()
        if role == "other_owner":
            assert response.json()["detail"] == (
                f"Only the owner of {nc.reference} ({owner}), their delegates and the AIMS manager start its "
                "corrective actions; raise your own nonconformity or tell its owner."
            )
        elif role != "outsider":
            assert (
                response.json()["detail"]
                == "Only owners and the AIMS manager may create a corrective action."
            )
        return
    ca = CorrectiveAction.objects.get(nonconformity=nc)
    assert ca.owner == person and nc.version == 2
    assert told.exists() == (person != owner)


def test_a_delegate_of_the_nonconformity_may_start_one(make_nc, other_owner):
    from guardian.shortcuts import assign_perm

    nc = make_nc()
    assign_perm("change_nonconformity", other_owner, nc)
    response = client_for(other_owner).post(
        f"/api/v1/nonconformities/{nc.reference}/start-corrective-action/",
        {"title": "Freshness monitoring", "version": nc.version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert CorrectiveAction.objects.get().owner == other_owner


def test_a_corrective_action_is_not_created_on_another_owners_nonconformity_by_the_api(make_nc, other_owner):
    nc = make_nc()
    client = client_for(other_owner)
    response = client.post(
        "/api/v1/corrective-actions/",
        {"title": "Freshness monitoring", "nonconformity": nc.reference},
        content_type="application/json",
    )
    assert response.status_code == 403 and "start its corrective actions" in response.json()["detail"]
    assert not CorrectiveAction.objects.exists()
    own = client.post(
        "/api/v1/nonconformities/",
        {
            "title": "Own",
            "source": "other",
            "description": "Seen.",
            "grade": "minor",
            "requirements": ["8.1"],
        },
        content_type="application/json",
    ).json()
    ca = client.post(
        "/api/v1/corrective-actions/",
        {"title": "Freshness monitoring", "nonconformity": own["reference"]},
        content_type="application/json",
    )
    assert ca.status_code == 201, ca.content
    moved = client.patch(
        f"/api/v1/corrective-actions/{ca.json()['reference']}/",
        {"nonconformity": nc.reference, "version": ca.json()["version"]},
        content_type="application/json",
    )
    assert moved.status_code == 403
    assert CorrectiveAction.objects.get().nonconformity.reference == own["reference"]
