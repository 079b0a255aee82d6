"""Single sign-on through a SAML 2.0 identity provider (issue 15), against a real one served on this machine
by the test (tests/identity_provider.SamlIdp): the browser's hops are the test client's and `requests`'s,
the identity provider's answers are real HTTP, and its assertions are signed by xmlsec with a key it makes.

A person's first sign-in makes their account with the roles their groups give; later sign-ins set them
again; someone with no mapped group is turned away. An assertion changed after it was signed, or signed
by any key but the configured identity provider's, signs nobody in."""

import base64
import html
import re
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants as Saml
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from aims import roles, sso_settings
from aims.models import User
from tests.identity_provider import PASSWORD as IDP_PASSWORD
from tests.identity_provider import SamlIdp

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/saml/idp/login/"
ACS = "/accounts/saml/idp/acs/"
FINISH = "/accounts/saml/idp/acs/finish/"
# The browser's AIMS. Not the test client's "testserver": python3-saml refuses a service provider address
# on a one-label domain (allow_single_label_domains, off in AIMS as by default); localhost it takes.
HOST = "localhost"
AIMS_URL = f"http://{HOST}"
SP_ENTITY_ID = f"{AIMS_URL}/accounts/saml/idp/metadata/"  # allauth's default: the SP metadata URL
NS = {"samlp": Saml.NS_SAMLP, "saml": Saml.NS_SAML, "ds": Saml.NS_DS}

# -- the identity provider ------------------------------------------------------------------------------


def configure(monkeypatch, settings, idp: SamlIdp, **variables: str) -> None:
    """AIMS's settings for `idp`, read from the environment as the settings module reads them."""
    for name in ("AIMS_SAML_METADATA_URL", "AIMS_SAML_SSO_URL", "AIMS_SAML_X509_CERT"):
        monkeypatch.delenv(name, raising=False)
    variables = variables or {"AIMS_SAML_SSO_URL": idp.sso_url, "AIMS_SAML_X509_CERT": idp.cert_pem_body}
    monkeypatch.setenv("AIMS_SAML_ENTITY_ID", idp.entity_id)
    monkeypatch.setenv("AIMS_SAML_NAME", "Example SAML")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    settings.SOCIALACCOUNT_PROVIDERS = sso_settings.providers()


@pytest.fixture
def client(client):
    """The test client, sending the Host header as every browser does: allauth's SAML views read it
    (request.META["HTTP_HOST"]) to know their own address, which Django's test client leaves out."""
    client.defaults["HTTP_HOST"] = HOST
    return client


@pytest.fixture
def saml_idp(monkeypatch, settings):
    idp = SamlIdp()
    configure(monkeypatch, settings, idp)
    yield idp
    idp.close()


@pytest.fixture
def impostor(saml_idp):
    """Claims to be the configured identity provider (its entity ID) but signs with a key of its own."""
    other = SamlIdp(entity_id=saml_idp.entity_id)
    yield other
    other.close()


def hidden_fields(page: str) -> dict:
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    }


def to_identity_provider(client, idp: SamlIdp) -> str:
    """Our sign-in page's button, posted: the address of the identity provider's page it sends us to."""
    page = client.get("/accounts/login/").content.decode()
    action = re.search(
        r'<form method="post" action="([^"]+)">\s*<input type="hidden" name="csrfmiddlewaretoken"', page
    )
    assert action and action.group(1) == LOGIN and "Sign in with Example SAML" in page
    to_idp = client.post(LOGIN)
    assert to_idp.status_code == 302 and to_idp["Location"].startswith(idp.sso_url + "?SAMLRequest="), to_idp
    return to_idp["Location"]


def at_identity_provider(sso_request_url: str, idp: SamlIdp, username: str, password: str):
    """The identity provider's sign-in page, then its form posted with the credentials."""
    form = requests.get(sso_request_url, timeout=10)
    assert form.status_code == 200 and "Test identity provider" in form.text
    fields = hidden_fields(form.text)
    assert set(fields) <= {"SAMLRequest", "RelayState"} and "SAMLRequest" in fields
    return requests.post(idp.sso_url, data={**fields, "username": username, "password": password}, timeout=10)


def auto_post(page: str) -> tuple[str, dict]:
    """The form the identity provider's answer posts by itself: where to, and its fields."""
    form = re.search(r'<form method="post" action="([^"]+)">', page)
    assert form, page
    return html.unescape(form.group(1)), hidden_fields(page)


def post_to_acs(client, fields: dict):
    """The browser's POST of the auto-posting form (urlencoded, as a form posts), and allauth's redirect
    from the assertion consumer service to where it finishes the sign-in, which the browser follows."""
    received = client.post(ACS, urlencode(fields), content_type="application/x-www-form-urlencoded")
    assert received.status_code == 302 and received["Location"] == FINISH, received
    return client.get(FINISH)


def sign_in_through(client, idp, username, password=IDP_PASSWORD, answered_by=None, alter=None):
    """The hops a browser makes: our sign-in button, the identity provider's sign-in form, its answer
    posted back to us. `answered_by` is another identity provider the browser is sent to instead (the
    same request); `alter` changes the Response's XML on the way back."""
    sso_request_url = to_identity_provider(client, idp)
    answering = answered_by or idp
    sso_request_url = answering.sso_url + sso_request_url[len(idp.sso_url) :]
    answer = at_identity_provider(sso_request_url, answering, username, password)
    assert answer.status_code == 200
    if "SAMLResponse" not in answer.text:
        return answer
    action, fields = auto_post(answer.text)
    assert action == AIMS_URL + ACS and set(fields) == {"SAMLResponse", "RelayState"}
    if alter:
        fields["SAMLResponse"] = base64.b64encode(alter(base64.b64decode(fields["SAMLResponse"]))).decode()
    return post_to_acs(client, fields)


def signed_in(client) -> bool:
    home = client.get("/")
    assert home.status_code in (200, 302)
    return home.status_code == 200


# -- what the identity provider sends ---------------------------------------------------------------------


def test_the_identity_provider_answers_with_a_signed_assertion_for_the_request(client, saml_idp):
    sso_request_url = to_identity_provider(client, saml_idp)
    request = SamlIdp.authn_request(parse_qs(urlparse(sso_request_url).query)["SAMLRequest"][0])
    assert request["sp"] == SP_ENTITY_ID and request["acs"] == AIMS_URL + ACS
    _, fields = auto_post(at_identity_provider(sso_request_url, saml_idp, "alan", IDP_PASSWORD).text)
    xml = base64.b64decode(fields["SAMLResponse"])
    response = etree.fromstring(xml)
    assert response.get("Destination") == AIMS_URL + ACS
    assert response.get("InResponseTo") == request["id"]
    assert response.findtext("saml:Issuer", namespaces=NS) == saml_idp.entity_id
    (assertion,) = response.findall("saml:Assertion", namespaces=NS)
    assert assertion.findtext("saml:Subject/saml:NameID", namespaces=NS) == "idp-alan"
    confirmation = assertion.find("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", NS)
    assert confirmation.get("Recipient") == AIMS_URL + ACS
    assert confirmation.get("InResponseTo") == request["id"]
    audience = assertion.findtext("saml:Conditions/saml:AudienceRestriction/saml:Audience", namespaces=NS)
    assert audience == SP_ENTITY_ID
    attributes = {
        attribute.get("Name"): [value.text for value in attribute]
        for attribute in assertion.findall("saml:AttributeStatement/saml:Attribute", namespaces=NS)
    }
    assert attributes == {
        "uid": ["alan"],
        "email": ["alan@example.org"],
        "givenName": ["Alan"],
        "sn": ["Turing"],
        "groups": ["aims-owners", "staff"],
    }
    # The Assertion carries the signature, over its own ID, with the algorithms asked for.
    signature = assertion.find("ds:Signature", namespaces=NS)
    assert signature is not None and response.find("ds:Signature", namespaces=NS) is None
    info = signature.find("ds:SignedInfo", namespaces=NS)
    assert info.find("ds:SignatureMethod", NS).get("Algorithm") == Saml.RSA_SHA256
    assert (
        info.find("ds:CanonicalizationMethod", NS).get("Algorithm")
        == "http://www.w3.org/2001/10/xml-exc-c14n#"
    )
    assert info.find("ds:Reference", NS).get("URI") == "#" + assertion.get("ID")
    assert info.find("ds:Reference/ds:DigestMethod", NS).get("Algorithm") == Saml.SHA256
    assert OneLogin_Saml2_Utils.validate_sign(xml, cert=saml_idp.cert_pem)  # the Assertion's: the only one


# -- single sign-on -------------------------------------------------------------------------------------


def test_a_first_sign_in_makes_the_account_with_the_roles_its_groups_give(client, saml_idp):
    assert not signed_in(client)
    landed = sign_in_through(client, saml_idp, "alan")
    assert landed.status_code == 302 and landed["Location"] == "/"
    alan = User.objects.get(email="alan@example.org")
    assert alan.username == "alan"
    assert alan.role_names == {roles.OWNER}  # aims-owners gives Owner; "staff" gives nothing
    assert alan.display_name == "Alan Turing" and (alan.first_name, alan.last_name) == ("Alan", "Turing")
    assert not alan.has_usable_password()
    account = SocialAccount.objects.get(user=alan)
    assert (account.provider, account.uid) == ("saml", "alan")
    assert account.extra_data["groups"] == ["aims-owners", "staff"]
    assert signed_in(client)
    assert int(client.session["_auth_user_id"]) == alan.pk


def test_each_sign_in_sets_the_roles_again_from_the_identity_provider(client, saml_idp):
    sign_in_through(client, saml_idp, "alan")
    client.post("/accounts/logout/")
    assert not signed_in(client)
    saml_idp.people["alan"]["groups"] = ["aims-auditors", "aims-owners"]
    assert sign_in_through(client, saml_idp, "alan").status_code == 302
    assert User.objects.get(email="alan@example.org").role_names == {roles.AUDITOR, roles.OWNER}
    assert signed_in(client)
    client.post("/accounts/logout/")
    saml_idp.people["alan"]["groups"] = ["aims-auditors"]
    assert sign_in_through(client, saml_idp, "alan").status_code == 302
    assert User.objects.get(email="alan@example.org").role_names == {roles.AUDITOR}
    assert User.objects.filter(email="alan@example.org").count() == 1
    assert SocialAccount.objects.filter(provider="saml", uid="alan").count() == 1
    assert signed_in(client)


def test_someone_whose_groups_give_no_role_is_turned_away_and_no_account_made(client, saml_idp):
    refused = sign_in_through(client, saml_idp, "nobody")
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "No AIMS role for you yet" in page and "staff" in page and "aims-managers" in page
    assert not User.objects.filter(email="nobody@example.org").exists()
    assert not SocialAccount.objects.exists()
    assert not signed_in(client)


def promote(xml: bytes) -> bytes:
    """Alan's owners' group made the managers' in the signed Assertion, re-encoded as it came."""
    assert xml.count(b">aims-owners<") == 1
    return xml.replace(b">aims-owners<", b">aims-managers<")


def unsign(xml: bytes) -> bytes:
    """The Assertion's signature taken off, and the group changed as nobody then could tell."""
    response = etree.fromstring(xml)
    (signature,) = response.findall("saml:Assertion/ds:Signature", namespaces=NS)
    signature.getparent().remove(signature)
    return promote(etree.tostring(response, xml_declaration=True, encoding="UTF-8"))


@pytest.mark.parametrize(
    ("alter", "reason"),
    [
        (promote, "Signature validation failed"),
        (unsign, "The Assertion of the Response is not signed and the SP require it"),
    ],
    ids=["changed-after-signing", "signature-removed"],
)
def test_an_assertion_changed_after_it_was_signed_is_refused(client, saml_idp, caplog, alter, reason):
    refused = sign_in_through(client, saml_idp, "alan", alter=alter)
    assert refused.status_code == 401 and "Third-Party Login Failure" in refused.content.decode()
    assert reason in caplog.text
    assert not User.objects.filter(email="alan@example.org").exists()
    assert not SocialAccount.objects.exists()
    assert not signed_in(client)


def test_an_assertion_signed_by_another_key_is_refused(client, saml_idp, impostor, caplog):
    assert impostor.entity_id == saml_idp.entity_id and impostor.cert_pem_body != saml_idp.cert_pem_body
    refused = sign_in_through(client, saml_idp, "alan", answered_by=impostor)
    assert refused.status_code == 401 and "Third-Party Login Failure" in refused.content.decode()
    assert "Signature validation failed" in caplog.text
    assert not User.objects.filter(email="alan@example.org").exists()
    assert not signed_in(client)
    # The same request answered by the configured identity provider signs in: only the key differed.
    assert sign_in_through(client, saml_idp, "alan").status_code == 302
    assert signed_in(client)


def test_a_response_is_good_for_one_sign_in(client, saml_idp):
    sso_request_url = to_identity_provider(client, saml_idp)
    _, fields = auto_post(at_identity_provider(sso_request_url, saml_idp, "alan", IDP_PASSWORD).text)
    assert post_to_acs(client, fields).status_code == 302
    assert signed_in(client)
    client.post("/accounts/logout/")
    # The same Response again, while this browser waits on a new request of its own: allauth kept the
    # answered request's ID until it was answered, and refuses the Response outright.
    to_identity_provider(client, saml_idp)
    replayed = post_to_acs(client, fields)
    assert replayed.status_code == 403 and "Not allowed" in replayed.content.decode()
    assert not signed_in(client)


def test_a_response_to_no_request_of_ours_is_refused(client, saml_idp):
    """An identity-provider-initiated or forged sign-in: AIMS sent no request in this browser's session."""
    other_browser = type(client)(HTTP_HOST=HOST)
    sso_request_url = to_identity_provider(other_browser, saml_idp)
    _, fields = auto_post(at_identity_provider(sso_request_url, saml_idp, "alan", IDP_PASSWORD).text)
    refused = post_to_acs(client, fields)  # this browser's session stashed no request of that ID
    assert refused.status_code == 403 and "Not allowed" in refused.content.decode()
    assert not User.objects.filter(email="alan@example.org").exists()
    assert not signed_in(client)


def test_forms_may_post_to_the_identity_provider_and_nowhere_else(client, saml_idp):
    policy = dict(
        part.split(" ", 1) for part in client.get("/accounts/login/")["Content-Security-Policy"].split("; ")
    )
    # The sign-in button posts here and is redirected to the SSO URL: the browser holds it to form-action.
    assert policy["form-action"] == f"'self' {saml_idp.url}"


def test_a_wrong_password_at_the_identity_provider_signs_nobody_in(client, saml_idp):
    back = sign_in_through(client, saml_idp, "alan", password="wrong")
    assert back.status_code == 200 and "Wrong username or password" in back.text
    assert "SAMLResponse" not in back.text and 'name="SAMLRequest"' in back.text  # the form again
    assert not User.objects.filter(email="alan@example.org").exists()
    assert not signed_in(client)


def test_the_identity_provider_can_be_configured_by_its_metadata(client, monkeypatch, settings):
    from django.core.cache import cache

    idp = SamlIdp()
    # allauth keeps what it read of the metadata in the cache (Redis, which outlives the test) by URL: a
    # port used again by a later run must not find this run's certificate.
    cache_key = f"saml.metadata.{idp.metadata_url}.{idp.entity_id}"
    cache.delete(cache_key)
    try:
        configure(monkeypatch, settings, idp, AIMS_SAML_METADATA_URL=idp.metadata_url)
        assert "x509cert" not in settings.SOCIALACCOUNT_PROVIDERS["saml"]["APPS"][0]["settings"]["idp"]
        landed = sign_in_through(client, idp, "joan")
        assert landed.status_code == 302 and landed["Location"] == "/"
        assert User.objects.get(email="joan@example.org").role_names == {roles.AUDITOR}
        assert signed_in(client)
    finally:
        cache.delete(cache_key)
        idp.close()
