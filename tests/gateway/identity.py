"""Stand-ins for Google's and GitHub's endpoints and a control plane, served on loopback.

These services cannot be reached from tests, so a small Tornado app speaks the same protocols:
- `GET /oauth2/v3/certs`: a JSON Web Key Set, as Google publishes its ID-token keys, with
  `Cache-Control: max-age`; `rotate()` replaces the signing key (new key id).
- `GET /user`: GitHub's user API: `Authorization: Bearer <token>` -> the user as JSON and the
  `X-OAuth-Client-Id` of the app the token was issued to; 401 for unknown tokens.
- `GET /auth/{tenant}`: an endpoint for the `http` provider: 200 when the bearer token is
  `tenant-token` and header `h1: v1` is present, else 401.

Tokens are real RS256 JWTs signed with RSA keys generated here.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

CLIENT_ID = "1234-test.apps.googleusercontent.com"
GITHUB_CLIENT_ID = "Iv1.test-app"
GITHUB_USERS = {"gho_good": GITHUB_CLIENT_ID, "gho_other_app": "Iv1.someone-else"}


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_der_base64(key: rsa.RSAPrivateKey) -> str:
    import base64

    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


class IdentityProviders:
    def __init__(self) -> None:
        self.key = new_rsa_key()
        self.kid = uuid.uuid4().hex
        self.jwks_fetches = 0
        self.auth_requests: list[dict[str, str]] = []
        self._server: HTTPServer | None = None
        self.port = 0

    # -- tokens ------------------------------------------------------------------------------
    def google_token(
        self,
        *,
        subject: str = "110169484474386276334",
        audience: str = CLIENT_ID,
        issuer: str = "https://accounts.google.com",
        expires_in: float = 3600,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer,
            "aud": audience,
            "sub": subject,
            "email": "alice@example.com",
            "name": "Alice",
            "iat": now,
            "exp": int(now + expires_in),
        }
        return jwt.encode(
            claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid}
        )

    def rotate(self) -> None:
        self.key = new_rsa_key()
        self.kid = uuid.uuid4().hex

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        public.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [public]}

    # -- server ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> IdentityProviders:
        app = Application(
            [
                (r"/oauth2/v3/certs", _Certs, {"providers": self}),
                (r"/user", _GitHubUser, {"providers": self}),
                (r"/auth/([^/]+)", _ControlPlane, {"providers": self}),
            ]
        )
        sockets = bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = HTTPServer(app)
        self._server.add_sockets(sockets)
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()


class _Handler(RequestHandler):
    def initialize(self, providers: IdentityProviders) -> None:
        self.providers = providers


class _Certs(_Handler):
    def get(self) -> None:
        self.providers.jwks_fetches += 1
        self.set_header("Cache-Control", "public, max-age=300, must-revalidate")
        self.write(self.providers.jwks())


class _GitHubUser(_Handler):
    def get(self) -> None:
        token = self.request.headers.get("Authorization", "").removeprefix("Bearer ")
        client_id = GITHUB_USERS.get(token)
        if client_id is None:
            self.set_status(401)
            self.write({"message": "Bad credentials"})
            return
        self.set_header("X-OAuth-Client-Id", client_id)
        self.write({"login": "octocat", "id": 583231, "name": "The Octocat", "site_admin": False})


class _ControlPlane(_Handler):
    def get(self, tenant: str) -> None:
        self.providers.auth_requests.append(dict(self.request.headers))
        good = (
            self.request.headers.get("Authorization") == "Bearer tenant-token"
            and self.request.headers.get("h1") == "v1"
            and tenant == "my-tenant"
        )
        self.set_status(200 if good else 401)
