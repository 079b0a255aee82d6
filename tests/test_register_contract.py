"""The contract every register keeps, checked over the registry on each register's own sample record
(Register.sample), not on the demo: who sees and changes what through every path (page, list, history,
export, API, form, archive), history of each change, stale edits refused, record choices restricted to
what the person may see, and a list whose queries do not grow from 1 row to 50.

Registers whose policy is the default are held to DESIGN.md's roles table (EXPECT). A register with a
policy of its own is held to that policy here, on every path, and its own test file keeps the full role
grid that pins the policy itself (tests/base.py RegisterRoleMatrix)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from aims import permissions
from aims.models import BaseRecord
from aims.policies import Policy, PublishablePolicy, policy_of
from aims.records import history
from aims.register import Register
from aims.registry import registry
from tests.base import EXPECT, ROLES, client_for, form_data_for

REGISTERS = [info.register for info in registry.registers if info.register is not None]
PAGE = 50


def by_name(registers):
    return pytest.mark.parametrize("register", registers, ids=[r.name for r in registers])


def declares_sample(register) -> bool:
    return type(register).sample is not Register.sample


SAMPLED = [r for r in REGISTERS if declares_sample(r)]


@pytest.fixture
def people(manager, board, owner, other_owner, auditor, outsider):
    return {
        "manager": manager, "board": board, "owner": owner,
        "other_owner": other_owner, "auditor": auditor, "outsider": outsider,
    }  # fmt: skip


def default_policy(register) -> bool:
    return type(policy_of(register.model)) in (Policy, PublishablePolicy)


def expected(register, action: str, user, role: str, record) -> int:
    """The status a page answers `role` for `action` ("view" or "change") on `record`."""
    if default_policy(register):
        return EXPECT[action][role]
    if not permissions.allowed(user, "view", record):
        return 404
    if action == "view":
        return 200
    return 200 if permissions.allowed(user, "change", record) else 403


def api(register) -> str:
    return f"/api/v1/{register.url_prefix}/"


# -- every register declares one -------------------------------------------------------------------
@by_name(REGISTERS)
def test_every_register_declares_a_sample_record(register, people):
    record = register.sample(people)
    assert isinstance(record, register.model) and record.pk
    assert record.owner == people["owner"]
    assert register.sample(people, 1).pk != record.pk


# -- who sees what, on every path ------------------------------------------------------------------
# One test per register walks every role (each role's answers are independent reads of one record): a
# failure names the role and the path.
@by_name(SAMPLED)
def test_every_path_shows_the_record_to_exactly_who_may_see_it(register, people):
    record = register.sample(people)
    for role in ROLES:
        user, client = people[role], client_for(people[role])
        status = expected(register, "view", user, role, record)
        seen = status == 200
        paths = {
            "page": record.get_absolute_url(),
            "history tab": f"{record.get_absolute_url()}?tab=history",
            "API": f"{api(register)}{record.reference}/",
            "API history": f"{api(register)}{record.reference}/history/",
        }
        for path, url in paths.items():
            assert client.get(url).status_code == status, f"{role}: {path} {url}"
        listed = client.get(f"/{register.url_prefix}/")
        assert listed.status_code == 200 and (record.reference in listed.content.decode()) is seen, role
        exported = client.get(f"/{register.url_prefix}/?export=csv")
        assert exported.status_code == 200 and (record.reference in exported.content.decode()) is seen, role
        rows = client.get(api(register)).json()["results"]
        assert any(r["reference"] == record.reference for r in rows) is seen, f"{role}: API list"


# -- who changes what: the form, the API and archive agree, and each change is history -----------------
# One test per register walks every role, each on a sample of its own (an allowed role archives it).
@by_name(SAMPLED)
def test_changes_are_allowed_exactly_to_who_may_change_and_land_in_history(register, people):
    for n, role in enumerate(ROLES):
        _change_as(register, register.sample(people, n), role, people)


def _change_as(register, record, role, people):
    user, client = people[role], client_for(people[role])
    status = expected(register, "change", user, role, record)
    allowed = status == 200
    edit_url = f"{record.get_absolute_url()}edit/"

    assert client.get(edit_url).status_code == status, role
    data = {**form_data_for(record, register.form), "title": f"Edited by {role}"}
    response = client.post(edit_url, data)
    record.refresh_from_db()
    if allowed:
        assert response.status_code == 302, (role, response.content.decode()[:3000])
        assert record.title == f"Edited by {role}"
        last = history(record).first()
        assert last.actor == user and any(c["field"] == "title" for c in last.changes)
    else:
        assert response.status_code == status and record.version == 1, role

    patched = client.patch(
        f"{api(register)}{record.reference}/",
        {"title": f"API edit by {role}", "version": record.version},
        content_type="application/json",
    )
    assert patched.status_code == status, (role, patched.content)
    record.refresh_from_db()
    assert (record.title == f"API edit by {role}") is allowed, role

    archived = client.post(f"{record.get_absolute_url()}archive/", {"version": record.version})
    assert archived.status_code == (302 if allowed else status), role
    record.refresh_from_db()
    assert record.is_archived is allowed, role


@by_name(SAMPLED)
def test_only_those_who_may_add_open_the_new_form_or_post_to_the_api(register, people):
    before = register.model.objects.count()
    for role in ROLES:
        client = client_for(people[role])
        may = permissions.can_add(people[role], register.model)
        assert client.get(f"/{register.url_prefix}/new/").status_code == (200 if may else 403), role
        response = client.post(api(register), {"title": ""}, content_type="application/json")
        assert response.status_code == (400 if may else 403), (role, response.content)
    assert register.model.objects.count() == before


@by_name(SAMPLED)
def test_a_stale_edit_is_refused_and_names_who_changed_it(register, people):
    record = register.sample(people)
    # Two people who may change it (an owner and the manager ...); where only one may (an audit's
    # auditor), the same person in two tabs is refused just the same.
    editors = [people[r] for r in ROLES if permissions.allowed(people[r], "change", record)]
    editor, other = editors[0], editors[-1]
    stale = form_data_for(record, register.form)
    url = f"{record.get_absolute_url()}edit/"
    assert client_for(other).post(url, {**stale, "title": "Theirs"}).status_code == 302
    response = client_for(editor).post(url, {**stale, "title": "Mine"})
    assert response.status_code == 409
    assert (
        "changed since you opened it" in response.content.decode() and str(other) in response.content.decode()
    )
    record.refresh_from_db()
    assert record.title == "Theirs"


# -- a record one may not see is neither offered nor accepted as a link -------------------------------------
def _links(register) -> dict[str, type]:
    """Fields of the register's form, API and filters that choose another register's record."""
    found = {}
    form = register.form()
    for name, field in form.fields.items():
        model = getattr(getattr(field, "queryset", None), "model", None)
        if model is not None and issubclass(model, BaseRecord):
            found[name] = model
    return found


def _sampler(model):
    info = registry.register_for(model)
    return info.register if info and info.register and declares_sample(info.register) else None


def _hide(monkeypatch, hidden):
    """The person may not see `hidden` (whatever the model's own policy says)."""
    cls = type(policy_of(hidden))
    view = cls.view

    def narrowed(self, queryset, user):
        queryset = view(self, queryset, user)
        return queryset.exclude(pk=hidden.pk) if self.model is type(hidden) else queryset

    monkeypatch.setattr(cls, "view", narrowed)


@by_name(SAMPLED)
def test_record_choices_offer_and_accept_only_visible_records(register, people, monkeypatch):
    links = {name: model for name, model in _links(register).items() if _sampler(model)}
    if not links:
        pytest.skip("no link to another register's records")
    record = register.sample(people)
    editor = next(people[r] for r in ("owner", "manager") if permissions.allowed(people[r], "change", record))
    client = client_for(editor)
    for name, model in links.items():
        hidden = _sampler(model).sample(people, 7)
        _hide(monkeypatch, hidden)
        form = register.form(instance=record, user=editor)
        assert hidden not in form.fields[name].queryset, f"{name} offers a record its editor may not see"
        data = form_data_for(record, register.form)
        data[name] = [hidden.pk] if isinstance(data.get(name), list) else hidden.pk
        response = client.post(f"{record.get_absolute_url()}edit/", data)
        assert response.status_code == 400, f"{name} accepted a record its editor may not see"
        record.refresh_from_db()
        assert record.version == 1
        serializer_fields = register.viewset.serializer_class().fields
        if name in serializer_fields and not serializer_fields[name].read_only:
            value = (
                [hidden.reference] if getattr(serializer_fields[name], "many", False) else hidden.reference
            )
            if hasattr(serializer_fields[name], "child_relation"):
                value = [hidden.reference]
            response = client.patch(
                f"{api(register)}{record.reference}/",
                {name: value, "version": record.version},
                content_type="application/json",
            )
            assert response.status_code == 400 and name in response.json(), response.content
        filters = register.filterset(request=None).filters
        for filter_name, spec in filters.items():
            queryset = spec.extra.get("queryset")
            if getattr(queryset, "model", None) is model:
                page = client.get(f"/{register.url_prefix}/").content.decode()
                assert f'value="{hidden.pk}"' not in page, f"filter {filter_name} offers {hidden.reference}"
        monkeypatch.undo()


# -- a page of rows costs the same queries as one row -----------------------------------------------------
def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def _link_everything(record, people, targets: dict) -> None:
    """Fill every link of `record` that its sample left empty, so that a list which forgets to join or
    prefetch a link pays one query per row and the count below grows. A link names a record of
    another register (its sample), a person, or a catalogue row."""
    model = type(record)
    for field in model._meta.get_fields():
        if not (field.many_to_one or field.many_to_many) or field.auto_created:
            continue
        if field.many_to_one and getattr(record, field.attname) is not None:
            continue
        target_model = field.related_model
        if target_model not in targets:
            sampler = _sampler(target_model)
            if sampler is not None:
                targets[target_model] = sampler.sample(people, PAGE)
            elif target_model is type(people["manager"]):
                targets[target_model] = people["manager"]
            else:
                targets[target_model] = target_model._default_manager.first()
        target = targets[target_model]
        if target is None:
            continue
        try:
            with transaction.atomic():
                if field.many_to_one:
                    # update(), not save(): a link a state rule would refuse is still read by the list.
                    model._base_manager.filter(pk=record.pk).update(**{field.name: target})
                else:
                    getattr(record, field.name).add(target)
        except IntegrityError:
            pass  # a link that must be unique (one SoA entry per control) stays with its first record


@by_name(SAMPLED)
def test_list_page_and_api_queries_do_not_grow_from_one_row_to_fifty(register, people):
    client = client_for(people["auditor"])
    targets: dict = {}
    _link_everything(register.sample(people, 0), people, targets)
    urls = [f"/{register.url_prefix}/", f"{api(register)}?page_size={PAGE}"]
    for url in urls:
        client.get(url)  # warm per-process caches (content types, criteria)
    one = [_count(client, url) for url in urls]
    for n in range(1, PAGE):
        _link_everything(register.sample(people, n), people, targets)
    many = [_count(client, url) for url in urls]
    assert many == one, f"{register.name}: list page, API: {one} queries for 1 row, {many} for {PAGE}"
