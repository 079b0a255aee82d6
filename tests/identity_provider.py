"""Small identity providers for trying single sign-on on one machine: an OpenID Connect provider and a
SAML 2.0 identity provider. The tests sign in through them, and a developer can run either beside
`make run` (README "Single sign-on"):

    .venv/bin/python -m tests.identity_provider           # OpenID Connect, port 9000
    .venv/bin/python -m tests.identity_provider --saml    # SAML 2.0, port 9001

Both ask for a username and password on a page of their own; their people and groups are PEOPLE unless
given, all with the password PASSWORD.

OidcProvider serves discovery, the authorisation page, the token endpoint (authorisation code with PKCE,
client secret by POST or Basic), userinfo and its signing keys; ID tokens are RS256 JWTs.

SamlIdp serves its metadata and a single sign-on service for the HTTP-Redirect binding: it reads the
service provider's AuthnRequest, and answers through the HTTP-POST binding with a Response whose one
Assertion it signs (enveloped XML signature, RSA-SHA256, exclusive canonicalisation, by xmlsec) with a
key and self-signed certificate it makes at start. It trusts the AuthnRequest's AssertionConsumerServiceURL
and Issuer as given, where a real identity provider takes them from the service provider's registration.

Not for production: codes, tokens and keys live in memory, and nothing else of either protocol is offered
(no logout, no encryption, no artifact binding)."""

import argparse
import base64
import binascii
import datetime
import hashlib
import html
import json
import secrets
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants as Saml
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

CLIENT_ID = "aims"
CLIENT_SECRET = "aims-test-secret"
PASSWORD = "idp-password"
PEOPLE = {
    "ada": {"name": "Ada Lovelace", "email": "ada@example.org", "groups": ["aims-managers"]},
    "grace": {"name": "Grace Hopper", "email": "grace@example.org", "groups": ["aims-board"]},
    "alan": {"name": "Alan Turing", "email": "alan@example.org", "groups": ["aims-owners", "staff"]},
    "joan": {"name": "Joan Clarke", "email": "joan@example.org", "groups": ["aims-auditors"]},
    "nobody": {"name": "No Role", "email": "nobody@example.org", "groups": ["staff"]},
}

FORM = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title>
<style>body{{font:16px system-ui;max-width:24rem;margin:3rem auto}}label,input,button{{display:block;margin:.4rem 0}}
input{{width:100%;padding:.4rem}}.error{{color:#b00020}}</style></head><body>
<h1>Test identity provider</h1><p>Signing in to <strong>{client}</strong>.</p>{error}
<form method="post" action="{action}">{hidden}
<label for="username">Username</label><input id="username" name="username" autocomplete="username">
<label for="password">Password</label><input id="password" name="password" type="password">
<button>Sign in</button></form><p><small>People: {people}. Password: {password}.</small></p></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    """What both providers' request handlers share: reading a query or a form, answering, no log lines."""

    keep_blank_values = False  # SAML keeps an empty RelayState as sent

    def _query(self) -> tuple[str, dict]:
        url = urlparse(self.path)
        return url.path, {k: v[0] for k, v in parse_qs(url.query, self.keep_blank_values).items()}

    def _form(self) -> dict:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        return {k: v[0] for k, v in parse_qs(body, self.keep_blank_values).items()}

    def _json(self, status, payload):
        self._send(
            status, {"Content-Type": "application/json", "Cache-Control": "no-store"}, json.dumps(payload)
        )

    def _send(self, status, headers, body):
        data = body.encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def _hidden(fields: dict) -> str:
    return "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in fields.items()
    )


class OidcProvider:
    """Serves on 127.0.0.1 in a thread of this process until close(). `people` maps a username to their
    claims (name, email, groups); change them between sign-ins to change what the next token says."""

    def __init__(self, port: int = 0, people: dict | None = None, client_secret: str = CLIENT_SECRET):
        self.people = {name: dict(claims) for name, claims in (people or PEOPLE).items()}
        self.client_secret = client_secret
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, str] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- the protocol ----------------------------------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email", "groups"],
        }

    def jwks(self) -> dict:
        key = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**key, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def claims(self, username: str) -> dict:
        person = self.people[username]
        return {"sub": f"idp-{username}", "preferred_username": username, "email_verified": True, **person}

    def authorize(self, params: dict, form: dict | None) -> tuple[int, dict, str]:
        """The sign-in page (GET), or the code sent back to the client (a POST with the right password)."""
        if params.get("client_id") != CLIENT_ID or params.get("response_type") != "code":
            return 400, {}, "Unknown client, or not the authorisation code flow."
        error = ""
        if form is not None:
            username = form.get("username", "")
            if username in self.people and form.get("password") == PASSWORD:
                code = secrets.token_urlsafe(24)
                self.codes[code] = {**params, "username": username, "at": time.time()}
                back = {"code": code, **({"state": params["state"]} if "state" in params else {})}
                return 302, {"Location": f"{params['redirect_uri']}?{urlencode(back)}"}, ""
            error = '<p class="error" role="alert">Wrong username or password.</p>'
        page = FORM.format(
            client=CLIENT_ID,
            action="/authorize",
            error=error,
            hidden=_hidden(params),
            people=", ".join(self.people),
            password=PASSWORD,
        )
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page

    def token(self, form: dict, authorization: str) -> tuple[int, dict]:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if client_id != CLIENT_ID or secret != self.client_secret:
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)  # a code is good once
        if (
            grant is None
            or form.get("redirect_uri") != grant["redirect_uri"]
            or time.time() - grant["at"] > 60
        ):
            return 400, {"error": "invalid_grant"}
        if "code_challenge" in grant:
            verifier = form.get("code_verifier", "")
            digest = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            )
            if digest != grant["code_challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE verifier does not match"}
        claims = self.claims(grant["username"])
        now = int(time.time())
        id_token = jwt.encode(
            {**claims, "iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
             **({"nonce": grant["nonce"]} if "nonce" in grant else {})},
            self.key, algorithm="RS256", headers={"kid": self.kid},
        )  # fmt: skip
        access = secrets.token_urlsafe(24)
        self.tokens[access] = grant["username"]
        return 200, {"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}

    def userinfo(self, authorization: str) -> tuple[int, dict]:
        username = self.tokens.get(authorization.removeprefix("Bearer "))
        return (200, self.claims(username)) if username else (401, {"error": "invalid_token"})

    def _handler(self):
        provider = self

        class Handler(_Handler):
            def do_GET(self):
                path, params = self._query()
                if path == "/.well-known/openid-configuration":
                    self._json(200, provider.discovery())
                elif path == "/jwks":
                    self._json(200, provider.jwks())
                elif path == "/authorize":
                    self._send(*provider.authorize(params, None))
                elif path == "/userinfo":
                    self._json(*provider.userinfo(self.headers.get("Authorization", "")))
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self):
                form = self._form()
                path = urlparse(self.path).path
                if path == "/authorize":
                    fields = {"username", "password"}
                    params = {k: v for k, v in form.items() if k not in fields}
                    self._send(*provider.authorize(params, {k: form.get(k, "") for k in fields}))
                elif path == "/token":
                    self._json(*provider.token(form, self.headers.get("Authorization", "")))
                else:
                    self._json(404, {"error": "not_found"})

        return Handler


AUTO_POST = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signing you in</title></head>
<body onload="document.forms[0].submit()"><p>Taking you back to the service you signed in to.</p>
<form method="post" action="{action}">{hidden}<noscript><button>Continue</button></noscript></form>
</body></html>"""


def _saml_instant(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _saml_id() -> str:
    return "_" + secrets.token_hex(20)  # an xs:ID: an NCName, so not starting with a digit


class SamlIdp:
    """A SAML 2.0 identity provider on 127.0.0.1 in a thread of this process until close(). `people` maps
    a username to their name, email and groups; change them between sign-ins to change what the next
    assertion says. Give another provider's `entity_id` to make one that claims to be that provider but
    signs with a key of its own."""

    ASSERTION_SECONDS = 300

    def __init__(self, port: int = 0, people: dict | None = None, entity_id: str | None = None):
        self.people = {name: dict(claims) for name, claims in (people or PEOPLE).items()}
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.metadata_url = f"{self.url}/metadata"
        self.entity_id = entity_id or self.metadata_url
        self.sso_url = f"{self.url}/sso"
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.cert = self._certificate()
        self.key_pem = self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        self.cert_pem = self.cert.public_bytes(serialization.Encoding.PEM).decode()
        # The certificate as AIMS_SAML_X509_CERT takes it: the base64 of its DER, on one line and without
        # the BEGIN/END lines (python3-saml's format_cert adds them back; it would also strip them).
        self.cert_pem_body = base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _certificate(self) -> x509.Certificate:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Test SAML IdP {self.url}")])
        now = datetime.datetime.now(datetime.UTC)
        return (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    # -- the protocol ----------------------------------------------------------------------------------

    def metadata(self) -> str:
        md = Saml.NS_MD
        root = etree.Element(f"{{{md}}}EntityDescriptor", nsmap={"md": md, "ds": Saml.NS_DS})
        root.set("entityID", self.entity_id)
        idp = etree.SubElement(root, f"{{{md}}}IDPSSODescriptor")
        idp.set("protocolSupportEnumeration", Saml.NS_SAMLP)
        idp.set("WantAuthnRequestsSigned", "false")
        key = etree.SubElement(idp, f"{{{md}}}KeyDescriptor", use="signing")
        data = etree.SubElement(
            etree.SubElement(key, f"{{{Saml.NS_DS}}}KeyInfo"), f"{{{Saml.NS_DS}}}X509Data"
        )
        etree.SubElement(data, f"{{{Saml.NS_DS}}}X509Certificate").text = self.cert_pem_body
        etree.SubElement(idp, f"{{{md}}}NameIDFormat").text = Saml.NAMEID_PERSISTENT
        etree.SubElement(
            idp, f"{{{md}}}SingleSignOnService", Binding=Saml.BINDING_HTTP_REDIRECT, Location=self.sso_url
        )
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode()

    @staticmethod
    def authn_request(encoded: str) -> dict:
        """What the response needs of an AuthnRequest sent by the HTTP-Redirect binding (the base64 of its
        raw DEFLATE): its ID, the service provider's entity ID (its Issuer) and where to post the answer.
        ValueError when it is none."""
        try:
            xml = zlib.decompress(base64.b64decode(encoded, validate=True), -15)
            root = OneLogin_Saml2_XML.to_etree(xml)  # refuses DTDs and entities
        except (binascii.Error, zlib.error, etree.XMLSyntaxError, ValueError) as exc:
            raise ValueError(f"not a deflated, base64 SAML message: {exc}") from exc
        if root.tag != f"{{{Saml.NS_SAMLP}}}AuthnRequest" or root.get("Version") != "2.0":
            raise ValueError("not a SAML 2.0 AuthnRequest")
        request = {
            "id": root.get("ID"),
            "sp": root.findtext(f"{{{Saml.NS_SAML}}}Issuer"),
            "acs": root.get("AssertionConsumerServiceURL"),
        }
        if not all(request.values()) or urlparse(request["acs"]).scheme not in ("http", "https"):
            raise ValueError("the AuthnRequest has no ID, Issuer or http(s) AssertionConsumerServiceURL")
        binding = root.get("ProtocolBinding")
        if binding and binding != Saml.BINDING_HTTP_POST:
            raise ValueError(f"only the HTTP-POST binding is answered, not {binding}")
        return request

    def assertion(self, request: dict, username: str) -> etree._Element:
        """The signed Assertion about `username` for the service provider that sent `request`."""
        person = self.people[username]
        saml = Saml.NS_SAML
        now = datetime.datetime.now(datetime.UTC)
        until = _saml_instant(now + datetime.timedelta(seconds=self.ASSERTION_SECONDS))
        assertion = etree.Element(
            f"{{{saml}}}Assertion",
            nsmap={"saml": saml, "xs": Saml.NS_XS, "xsi": Saml.NS_XSI},
            ID=_saml_id(),
            Version="2.0",
            IssueInstant=_saml_instant(now),
        )
        etree.SubElement(assertion, f"{{{saml}}}Issuer").text = self.entity_id
        subject = etree.SubElement(assertion, f"{{{saml}}}Subject")
        name_id = etree.SubElement(
            subject, f"{{{saml}}}NameID", Format=Saml.NAMEID_PERSISTENT, SPNameQualifier=request["sp"]
        )
        name_id.text = f"idp-{username}"
        confirmation = etree.SubElement(subject, f"{{{saml}}}SubjectConfirmation", Method=Saml.CM_BEARER)
        etree.SubElement(
            confirmation,
            f"{{{saml}}}SubjectConfirmationData",
            InResponseTo=request["id"],
            Recipient=request["acs"],
            NotOnOrAfter=until,
        )
        conditions = etree.SubElement(
            assertion, f"{{{saml}}}Conditions", NotBefore=_saml_instant(now), NotOnOrAfter=until
        )
        audience = etree.SubElement(
            etree.SubElement(conditions, f"{{{saml}}}AudienceRestriction"), f"{{{saml}}}Audience"
        )
        audience.text = request["sp"]
        authn = etree.SubElement(
            assertion, f"{{{saml}}}AuthnStatement", AuthnInstant=_saml_instant(now), SessionIndex=_saml_id()
        )
        context = etree.SubElement(
            etree.SubElement(authn, f"{{{saml}}}AuthnContext"), f"{{{saml}}}AuthnContextClassRef"
        )
        context.text = Saml.AC_PASSWORD_PROTECTED
        statement = etree.SubElement(assertion, f"{{{saml}}}AttributeStatement")
        given, _, family = person["name"].partition(" ")
        attributes = {
            "uid": [username],
            "email": [person["email"]],
            "givenName": [given],
            "sn": [family],
            "groups": person["groups"],
        }
        for name, values in attributes.items():
            attribute = etree.SubElement(
                statement, f"{{{saml}}}Attribute", Name=name, NameFormat=Saml.ATTRNAME_FORMAT_BASIC
            )
            for value in filter(None, values):
                element = etree.SubElement(attribute, f"{{{saml}}}AttributeValue")
                element.set(f"{{{Saml.NS_XSI}}}type", "xs:string")
                element.text = value
        # An enveloped signature after the Issuer, over the Assertion's ID: RSA-SHA256, SHA-256 digest,
        # exclusive canonicalisation; signed by xmlsec in place.
        OneLogin_Saml2_Utils.add_sign(
            assertion,
            self.key_pem,
            self.cert_pem,
            sign_algorithm=Saml.RSA_SHA256,
            digest_algorithm=Saml.SHA256,
        )
        return assertion

    def response(self, request: dict, username: str) -> bytes:
        """The Response XML to `request`, carrying the signed Assertion about `username`."""
        samlp = Saml.NS_SAMLP
        response = etree.Element(
            f"{{{samlp}}}Response",
            nsmap={"samlp": samlp, "saml": Saml.NS_SAML},
            ID=_saml_id(),
            Version="2.0",
            IssueInstant=_saml_instant(datetime.datetime.now(datetime.UTC)),
            Destination=request["acs"],
            InResponseTo=request["id"],
        )
        etree.SubElement(response, f"{{{Saml.NS_SAML}}}Issuer").text = self.entity_id
        status = etree.SubElement(response, f"{{{samlp}}}Status")
        etree.SubElement(status, f"{{{samlp}}}StatusCode", Value=Saml.STATUS_SUCCESS)
        response.append(self.assertion(request, username))
        return etree.tostring(response, xml_declaration=True, encoding="UTF-8")

    def sso(self, params: dict, form: dict | None) -> tuple[int, dict, str]:
        """The sign-in page for an AuthnRequest (GET), or the page that posts the Response to the service
        provider (a POST with the right password)."""
        try:
            request = self.authn_request(params.get("SAMLRequest", ""))
        except ValueError as exc:
            return 400, {"Content-Type": "text/plain; charset=utf-8"}, f"Bad SAMLRequest: {exc}"
        carried = {"SAMLRequest": params["SAMLRequest"]}
        if "RelayState" in params:
            carried["RelayState"] = params["RelayState"]
        error = ""
        if form is not None:
            username = form.get("username", "")
            if username in self.people and form.get("password") == PASSWORD:
                answer = {"SAMLResponse": base64.b64encode(self.response(request, username)).decode()}
                if "RelayState" in params:
                    answer["RelayState"] = params["RelayState"]
                page = AUTO_POST.format(action=html.escape(request["acs"]), hidden=_hidden(answer))
                return 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}, page
            error = '<p class="error" role="alert">Wrong username or password.</p>'
        page = FORM.format(
            client=html.escape(request["sp"]),
            action="/sso",
            error=error,
            hidden=_hidden(carried),
            people=", ".join(self.people),
            password=PASSWORD,
        )
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page

    def _handler(self):
        provider = self

        class Handler(_Handler):
            keep_blank_values = True

            def do_GET(self):
                path, params = self._query()
                if path == "/metadata":
                    self._send(200, {"Content-Type": "application/samlmetadata+xml"}, provider.metadata())
                elif path == "/sso":
                    self._send(*provider.sso(params, None))
                else:
                    self._send(404, {"Content-Type": "text/plain"}, "Not found")

            def do_POST(self):
                form = self._form()
                if urlparse(self.path).path == "/sso":
                    fields = {"username", "password"}
                    params = {k: v for k, v in form.items() if k not in fields}
                    self._send(*provider.sso(params, {k: form.get(k, "") for k in fields}))
                else:
                    self._send(404, {"Content-Type": "text/plain"}, "Not found")

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--saml", action="store_true", help="a SAML 2.0 identity provider, not OpenID Connect"
    )
    parser.add_argument("--port", type=int, help="default 9000 (OpenID Connect) or 9001 (SAML)")
    args = parser.parse_args()
    if args.saml:
        provider = SamlIdp(port=args.port or 9001)
        print(f"Test SAML 2.0 identity provider at {provider.url} (metadata {provider.metadata_url}).")
        print("Start AIMS with:")
        print(f"  AIMS_SAML_ENTITY_ID={provider.entity_id} AIMS_SAML_SSO_URL={provider.sso_url} "
              f"AIMS_SAML_X509_CERT={provider.cert_pem_body} make run")  # fmt: skip
        print(
            "Its key and certificate are new each time it starts: start AIMS again with the new certificate."
        )
        print(f"(AIMS_SAML_METADATA_URL={provider.metadata_url} instead of the last two reads them from its "
              "metadata, but AIMS keeps what it read cached for four hours, past a restart of either.)")  # fmt: skip
    else:
        provider = OidcProvider(port=args.port or 9000)
        print(
            f"Test OpenID Connect provider at {provider.issuer} (client {CLIENT_ID}, secret {CLIENT_SECRET})."
        )
        print("Start AIMS with:")
        print(f"  AIMS_OIDC_SERVER_URL={provider.issuer} AIMS_OIDC_CLIENT_ID={CLIENT_ID} "
              f"AIMS_OIDC_CLIENT_SECRET={CLIENT_SECRET} make run")  # fmt: skip
    people = ", ".join(f"{name} ({' '.join(person['groups'])})" for name, person in PEOPLE.items())
    print(f"People: {people}; password {PASSWORD}.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        provider.close()


if __name__ == "__main__":
    main()
