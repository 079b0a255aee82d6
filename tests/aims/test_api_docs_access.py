"""The OpenAPI schema and its Swagger UI are for signed-in people and API tokens, unless the
organisation publishes them (AIMS_API_DOCS_PUBLIC); the docs page runs under the site's CSP."""

import re

import pytest

from aims.models import ApiToken
from tests.aims.test_security_headers import assert_strict_policies, inline_code
from tests.base import client_for

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_reads_neither_the_schema_nor_the_docs(client):
    schema = client.get("/api/schema/")
    assert schema.status_code in (401, 403)
    assert schema.json() == {"detail": "Sign in, or send an API token, to read the API schema."}
    assert b"/api/v1/risks/" not in schema.content

    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"] == "/accounts/login/?next=/api/docs/"
    script = client.get("/api/docs/?script=")
    assert script.status_code == 302 and b"SwaggerUIBundle" not in script.content


def test_a_token_reads_the_schema(client, owner):
    token = ApiToken.issue(user=owner, name="schema")[1]
    schema = client.get("/api/schema/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert schema.status_code == 200 and b"/api/v1/risks/" in schema.content


def test_a_signed_in_person_reads_the_docs_and_every_script_comes_from_the_site(auditor):
    client = client_for(auditor)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert_strict_policies(docs)
    html = docs.content.decode()
    assert inline_code(html) == []
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources and all(src.startswith("/") and not src.startswith("//") for src in sources), sources
    start = next(src for src in sources if "script" in src and src.startswith("/api/docs/"))
    script = client.get(start.replace("&amp;", "&"))
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    for asset in sources:
        if asset.startswith("/static/"):
            assert client.get(asset).status_code == 200, asset


def test_the_setting_opens_both_to_everyone(client, settings):
    settings.API_DOCS_PUBLIC = True
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
