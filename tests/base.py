"""Shared test base: given a register, check every role's allowed and forbidden actions through the
browser views and the API, and that each allowed change lands in the record's history.

A register's test subclasses `RegisterRoleMatrix` and supplies only its data:
`model`, `url_prefix` ("risks"), `api_prefix` ("/api/v1/risks/"), and fixtures `record` (owned by
the `owner` fixture user), `form_data(record)` and `api_create_payload`. See
tests/registers/test_risk_permissions.py."""

import pytest
from django.test import Client
from guardian.shortcuts import assign_perm

from aims.records import history

ROLES = ["manager", "board", "owner", "other_owner", "auditor", "outsider"]

# Who may do what to a record that `owner` owns (DESIGN.md "Roles"). 404 = not visible at all.
EXPECT = {
    "view": {"manager": 200, "board": 200, "owner": 200, "other_owner": 200, "auditor": 200, "outsider": 404},
    "change": {
        "manager": 200,
        "board": 403,
        "owner": 200,
        "other_owner": 403,
        "auditor": 403,
        "outsider": 404,
    },
    "create": {
        "manager": 201,
        "board": 403,
        "owner": 201,
        "other_owner": 201,
        "auditor": 403,
        "outsider": 403,
    },
}


# The project's own apps: what a test of "every form", "every filter set" ... walks.
APPS = ("aims", "registers", "lifecycle", "audits", "reviews")


def defined_in_our_apps(base) -> set:
    """Every subclass of `base` that our apps define, at any depth; every page's module is imported first
    (the URLs), so each is defined."""
    from django.urls import get_resolver

    assert get_resolver().url_patterns

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return {cls for cls in below(base) if cls.__module__.split(".")[0] in APPS}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class RegisterRoleMatrix:
    model = None
    url_prefix = ""
    api_prefix = ""
    expect = EXPECT  # a register whose roles differ (the board edits decisions) names its own

    @pytest.fixture
    def people(self, manager, board, owner, other_owner, auditor, outsider):
        return {
            "manager": manager, "board": board, "owner": owner,
            "other_owner": other_owner, "auditor": auditor, "outsider": outsider,
        }  # fmt: skip

    # -- browser views -------------------------------------------------------------------------
    @pytest.mark.parametrize("role", ROLES)
    def test_detail_page_by_role(self, role, people, record):
        response = client_for(people[role]).get(f"/{self.url_prefix}/{record.reference}/")
        assert response.status_code == self.expect["view"][role]
        if response.status_code == 200:
            assert record.title in response.content.decode()

    @pytest.mark.parametrize("role", ROLES)
    def test_history_tab_by_role(self, role, people, record):
        response = client_for(people[role]).get(f"/{self.url_prefix}/{record.reference}/?tab=history")
        assert response.status_code == self.expect["view"][role]
        if response.status_code == 200:
            assert "Version 1" in response.content.decode()

    @pytest.mark.parametrize("role", ROLES)
    def test_list_shows_the_record_only_to_roles_that_see_it(self, role, people, record):
        response = client_for(people[role]).get(f"/{self.url_prefix}/")
        assert response.status_code == 200
        assert (record.reference in response.content.decode()) == (self.expect["view"][role] == 200)

    @pytest.mark.parametrize("role", ROLES)
    def test_edit_form_by_role(self, role, people, record, form_data):
        client = client_for(people[role])
        assert (
            client.get(f"/{self.url_prefix}/{record.reference}/edit/").status_code
            == self.expect["change"][role]
        )
        data = {**form_data(record), "title": f"Edited by {role}"}
        response = client.post(f"/{self.url_prefix}/{record.reference}/edit/", data)
        record.refresh_from_db()
        if self.expect["change"][role] == 200:
            assert response.status_code == 302, response.content.decode()[:2000]
            assert record.title == f"Edited by {role}"
            last = history(record).first()
            assert last.actor == people[role] and any(c["field"] == "title" for c in last.changes)
        else:
            assert response.status_code == self.expect["change"][role]
            assert record.title != f"Edited by {role}" and record.version == 1

    def test_a_refusal_says_why(self, people, record):
        response = client_for(people["auditor"]).get(f"/{self.url_prefix}/{record.reference}/edit/")
        assert "read-only" in response.content.decode()

    @pytest.mark.parametrize("role", ROLES)
    def test_archive_by_role(self, role, people, record):
        response = client_for(people[role]).post(
            f"/{self.url_prefix}/{record.reference}/archive/", {"version": record.version}
        )
        record.refresh_from_db()
        expected = self.expect["change"][role]
        assert response.status_code == (302 if expected == 200 else expected)
        assert record.is_archived == (expected == 200)

    def test_a_delegate_may_change_what_they_do_not_own(self, people, record, form_data):
        delegate = people["other_owner"]
        assign_perm(f"change_{self.model._meta.model_name}", delegate, record)
        response = client_for(delegate).post(
            f"/{self.url_prefix}/{record.reference}/edit/", {**form_data(record), "title": "By the delegate"}
        )
        assert response.status_code == 302
        record.refresh_from_db()
        assert record.title == "By the delegate"

    def test_a_stale_form_is_refused_and_names_who_changed_it(self, people, record, form_data):
        stale = form_data(record)
        client_for(people["manager"]).post(
            f"/{self.url_prefix}/{record.reference}/edit/", {**stale, "title": "Manager's title"}
        )
        response = client_for(people["owner"]).post(
            f"/{self.url_prefix}/{record.reference}/edit/", {**stale, "title": "Owner's title"}
        )
        assert response.status_code == 409
        body = response.content.decode()
        assert "changed since you opened it" in body and str(people["manager"]) in body
        record.refresh_from_db()
        assert record.title == "Manager's title"

    # -- API -----------------------------------------------------------------------------------
    @pytest.mark.parametrize("role", ROLES)
    def test_api_read_by_role(self, role, people, record):
        client = client_for(people[role])
        detail = client.get(f"{self.api_prefix}{record.reference}/")
        assert detail.status_code == self.expect["view"][role]
        listed = client.get(self.api_prefix).json()["results"]
        assert any(r["reference"] == record.reference for r in listed) == (self.expect["view"][role] == 200)

    @pytest.mark.parametrize("role", ROLES)
    def test_api_update_by_role(self, role, people, record):
        response = client_for(people[role]).patch(
            f"{self.api_prefix}{record.reference}/",
            {"title": f"API edit by {role}", "version": record.version},
            content_type="application/json",
        )
        assert response.status_code == self.expect["change"][role], response.content
        record.refresh_from_db()
        assert (record.title == f"API edit by {role}") == (self.expect["change"][role] == 200)
        if self.expect["change"][role] == 200:
            assert response.json()["version"] == 2

    @pytest.mark.parametrize("role", ROLES)
    def test_api_create_by_role(self, role, people, api_create_payload):
        before = self.model.objects.count()
        response = client_for(people[role]).post(
            self.api_prefix, api_create_payload, content_type="application/json"
        )
        assert response.status_code == self.expect["create"][role], response.content
        assert self.model.objects.count() == before + (1 if response.status_code == 201 else 0)

    @pytest.mark.parametrize("role", ROLES)
    def test_api_archive_by_role(self, role, people, record):
        response = client_for(people[role]).delete(
            f"{self.api_prefix}{record.reference}/?version={record.version}"
        )
        assert response.status_code == self.expect["change"][role], response.content
        record.refresh_from_db()
        assert record.is_archived == (self.expect["change"][role] == 200)

    def test_api_stale_update_is_a_conflict(self, people, record):
        client = client_for(people["owner"])
        url = f"{self.api_prefix}{record.reference}/"
        assert (
            client.patch(url, {"title": "First", "version": 1}, content_type="application/json").status_code
            == 200
        )
        response = client.patch(url, {"title": "Second", "version": 1}, content_type="application/json")
        assert response.status_code == 409
        assert response.json()["current_version"] == 2
        assert response.json()["changes_since"][0]["changes"][0]["field"] == "title"

    def test_api_update_without_version_is_refused(self, people, record):
        response = client_for(people["owner"]).patch(
            f"{self.api_prefix}{record.reference}/", {"title": "No version"}, content_type="application/json"
        )
        assert response.status_code == 400 and "version" in response.json()

    def test_api_history_lists_changes(self, people, record):
        client = client_for(people["auditor"])
        data = client.get(f"{self.api_prefix}{record.reference}/history/").json()
        assert data["results"][0]["action"] == "created"


def form_data_for(record, form_class=None):
    """The record's edit form as a browser would post it, unchanged: built from the form itself, so a
    register's permission tests need no hand-written form data."""
    from django import forms

    if form_class is None:
        from django.urls import resolve, reverse

        match = resolve(reverse(f"{record._meta.model_name}-edit", args=[record.reference]))
        form_class = match.func.view_initkwargs.get("form_class") or match.func.view_class.form_class
    form = form_class(instance=record)
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif value is None:
            data[name] = ""
        elif hasattr(value, "isoformat"):
            data[name] = value.isoformat()
        else:
            data[name] = getattr(value, "pk", value)
    return data


def dashboard_html(client) -> str:
    """The dashboard as a person sees it once its panels have loaded: the page, then each panel (the
    browser fetches them with htmx; tests fetch them in turn)."""
    import re

    page = client.get("/").content.decode()
    panels = re.findall(r'hx-get="(/dashboard/panels/[^"]*)"', page)
    return page + "".join(client.get(url).content.decode() for url in panels)


def run_queued_jobs() -> list:
    """Run every queued job now, as the worker would (aims.jobs.run_job: the real code path), and return
    them as they ended. In a test the queueing never fires: it waits for a commit that never comes."""
    from aims import jobs
    from aims.models import Job

    queued = list(Job.objects.filter(status=Job.Status.QUEUED).values_list("pk", flat=True))
    for pk in queued:
        jobs.run_job(pk)
    return list(Job.objects.filter(pk__in=queued).order_by("pk"))


def finish_job(job, filename, data):
    """Store `data` as the job's finished result, the way the worker's run ends: the file, its size and
    hash, status done and the requester's notice."""
    from aims.jobs import _store
    from aims.models import Job

    _store(job, filename, data, Job.objects.filter(pk=job.pk))
