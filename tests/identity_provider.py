"""A small OpenID Connect provider for trying single sign-on on one machine: the tests sign in through it,
and a developer can run it beside `make run` (README "Single sign-on"):

    .venv/bin/python -m tests.identity_provider --port 9000

It serves discovery, an authorisation page that asks for a username and password, the token endpoint
(authorisation code with PKCE, client secret by POST or Basic), userinfo and its signing keys; ID tokens
are RS256 JWTs. Its people and their groups are PEOPLE unless given. Not for production: codes and tokens
live in memory, and nothing else of the protocol is offered."""

import argparse
import base64
import hashlib
import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

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
<form method="post" action="/authorize">{hidden}
<label for="username">Username</label><input id="username" name="username" autocomplete="username">
<label for="password">Password</label><input id="password" name="password" type="password">
<button>Sign in</button></form><p><small>People: {people}. Password: {password}.</small></p></body></html>"""


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
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
        )
        page = FORM.format(
            client=CLIENT_ID, error=error, hidden=hidden, people=", ".join(self.people), password=PASSWORD
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

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlparse(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._json(200, provider.discovery())
                elif url.path == "/jwks":
                    self._json(200, provider.jwks())
                elif url.path == "/authorize":
                    self._send(*provider.authorize(params, None))
                elif url.path == "/userinfo":
                    self._json(*provider.userinfo(self.headers.get("Authorization", "")))
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                path = urlparse(self.path).path
                if path == "/authorize":
                    fields = {"username", "password"}
                    params = {k: v for k, v in form.items() if k not in fields}
                    self._send(*provider.authorize(params, {k: form.get(k, "") for k in fields}))
                elif path == "/token":
                    self._json(*provider.token(form, self.headers.get("Authorization", "")))
                else:
                    self._json(404, {"error": "not_found"})

            def _json(self, status, payload):
                self._send(
                    status,
                    {"Content-Type": "application/json", "Cache-Control": "no-store"},
                    json.dumps(payload),
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

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=9000)
    port = parser.parse_args().port
    provider = OidcProvider(port=port)
    print(f"Test OpenID Connect provider at {provider.issuer} (client {CLIENT_ID}, secret {CLIENT_SECRET}).")
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
