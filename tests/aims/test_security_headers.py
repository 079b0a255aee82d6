"""Every response carries a strict Content-Security-Policy and a Permissions-Policy (aims.security), and
the pages keep to the policy: no inline script, no event-handler attribute, no javascript: link, no
inline style. Checked on what the server really sends, charts and dashboard panels included."""

import re
import secrets
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from aims.models import ApiToken
from tests.aims.test_deploy_check import output_of, run_manage
from tests.base import client_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_strict_policies(response):
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert "unsafe" not in response["Content-Security-Policy"]
    features = dict(item.strip().split("=") for item in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature


class InlineCode(HTMLParser):
    """Collects whatever the policy would refuse to run or apply."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.found.append("an inline <script>")
        if tag == "style":
            self.found.append("a <style> element")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_pages_api_and_errors_all_carry_both_policies(client, owner):
    assert_strict_policies(client.get("/accounts/login/"))
    assert_strict_policies(client.get("/no-such-page/"))
    signed_in = client_for(owner)
    assert_strict_policies(signed_in.get("/"))
    assert_strict_policies(signed_in.get("/api/v1/me/"))
    token = ApiToken.issue(user=owner, name="headers")[1]
    assert_strict_policies(client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}"))


def test_the_pages_hold_nothing_the_policy_refuses(manager, other_owner, make_risk):
    risk = make_risk(inherent_likelihood=5, inherent_impact=5)
    client = client_for(manager)
    page = client.get(reverse("dashboard")).content.decode()
    urls = [
        reverse("dashboard"),
        *re.findall(r'hx-get="(/dashboard/panels/[^"]*)"', page),
        reverse("risk-list"),
        risk.get_absolute_url(),
        f"{risk.get_absolute_url()}?tab=history",
        reverse("risk-criteria"),
        reverse("risk-heatmap"),
        reverse("competencerequirement-gaps"),
        reverse("interestedparty-grid"),
        reverse("risk-add"),
    ]
    assert "/dashboard/panels/" in urls, "the dashboard loads its panels"
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert inline_code(response.content.decode()) == [], url

    refused = client_for(other_owner).get(reverse("risk-edit", args=[risk.reference]))
    assert refused.status_code == 403
    assert inline_code(refused.content.decode()) == []
    assert "data-back" in refused.content.decode()


# WeasyPrint lays these out as PDF (reports, evidence-pack PDFs): no browser ever applies the CSP to them.
PDF_ONLY = ("reports/", "audits/pack/records.html", "audits/pack/index_requirements.html")


def test_no_template_a_browser_renders_holds_inline_code():
    """Pages the walk above does not reach keep to the policy too."""
    templates = ROOT / "templates"
    found = {}
    for path in sorted(templates.rglob("*.html")):
        name = path.relative_to(templates).as_posix()
        if not name.startswith(PDF_ONLY) and (problems := inline_code(path.read_text())):
            found[name] = problems
    assert found == {}


def test_a_level_badge_names_its_colour_for_the_script_to_paint(manager, make_risk):
    risk = make_risk(residual_likelihood=2, residual_impact=3)
    page = client_for(manager).get(risk.get_absolute_url()).content.decode()
    assert re.search(r'<span class="level level-medium" data-colour="#ffe082">Medium · 6</span>', page)
    assert '<script src="/static/js/aims.js" defer></script>' in page


def test_production_settings_send_the_policies_and_close_the_api_docs(tmp_path):
    """The same middleware runs in production, whose settings are read in a fresh process."""
    code = (
        "from django.conf import settings; "
        "print('aims.security.SecurityHeadersMiddleware' in settings.MIDDLEWARE, settings.API_DOCS_PUBLIC)"
    )
    result = run_manage(tmp_path, "shell", "--no-imports", "-c", code, SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode == 0, output_of(result)
    assert result.stdout.split() == ["True", "False"], output_of(result)
