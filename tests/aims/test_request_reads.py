"""What every request reads before it does its work: the session from Redis (cached_db: the row stays
in the database as the record), and the person with their roles in one statement (aims.backends,
aims.models.users.with_roles), whether signed in by session or by API token. Roles are still read
afresh on each request: a role taken away is gone on the person's next page."""

from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from aims import roles
from aims.models import ApiToken
from tests.base import client_for
from tests.conftest import PASSWORD


def _read(client, url="/api/v1/risks/", **headers):
    with CaptureQueriesContext(connection) as seen:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response, [q["sql"] for q in seen.captured_queries]


def _role_queries(sqls) -> list[str]:
    """Queries that read roles on their own, not as part of reading the person."""
    return [sql for sql in sqls if sql.startswith('SELECT "auth_group"')]


def test_a_session_request_reads_the_person_and_their_roles_in_one_query_and_no_session_row(owner):
    client = client_for(owner)
    for _ in range(3):  # sent plainly, then prepared, then by name (aims.statements): the same reads
        response, sqls = _read(client)
        assert not [sql for sql in sqls if "django_session" in sql]
        assert not _role_queries(sqls)
        assert len([sql for sql in sqls if 'FROM "aims_user"' in sql and "auth_group" in sql]) == 1
    person = response.wsgi_request.user
    assert person.role_names == {roles.OWNER}
    assert [getattr(person, f.attname) for f in person._meta.concrete_fields] == [
        getattr(owner, f.attname) for f in owner._meta.concrete_fields
    ]  # every column, the password's hash too: the session is checked against it


def test_signing_in_still_keeps_the_session_in_the_database(owner):
    client = Client()
    client.post("/accounts/login/", {"username": owner.username, "password": PASSWORD})
    assert Session.objects.filter(session_key=client.session.session_key).exists()


def test_a_token_request_reads_the_roles_with_the_token(owner):
    token = ApiToken.issue(user=owner, name="roles")[1]
    response, sqls = _read(Client(), Authorization=f"Bearer {token}")
    assert not _role_queries(sqls)
    assert response.wsgi_request.user == owner and response.wsgi_request.user.role_names == {roles.OWNER}


def test_roles_are_read_afresh_on_each_request(owner):
    client = client_for(owner)
    owner.groups.add(Group.objects.get(name=roles.BOARD))
    assert _read(client)[0].wsgi_request.user.role_names == {roles.OWNER, roles.BOARD}
    owner.groups.clear()
    assert _read(client)[0].wsgi_request.user.role_names == frozenset()
    owner.is_superuser = True
    owner.save()
    assert _read(client)[0].wsgi_request.user.role_names == {roles.MANAGER}


def test_a_deactivated_person_is_signed_out_on_their_next_request(owner):
    client = client_for(owner)
    owner.is_active = False
    owner.save()
    response = client.get("/risks/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
