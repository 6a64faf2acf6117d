"""`provider: jwt`: a JSON Web Token signed with a configured key, as LangStream's jwt provider.

Keys: `secretKey` (HMAC, HS256/384/512) or `publicKey` (X.509 SubjectPublicKeyInfo, DER or PEM;
algorithm `publicAlg`, default RS256), each given inline as base64, as a file path, or as a
`file:`/`data:` URL. Without a key, a token's `jwks_uri` claim names its key set, accepted only
when that URL's host matches the `jwksHostsAllowlist` regular expression.

The principal is the `authClaim` claim (default `sub`). With `audience` set, the `audienceClaim`
claim (default `aud`) must contain it. With `adminRoles` set, the principal must be one of them
(LangStream always requires this; we only when configured). Principal values: `subject` (the
principal) and the token's other text claims.
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jwt
from cryptography.hazmat.primitives.serialization import load_der_public_key, load_pem_public_key

from kernel_runtime.gateway.auth.base import AuthFailed, AuthSettings, config_value
from kernel_runtime.gateway.auth.google import unverified_header, verify_jwt
from kernel_runtime.gateway.auth.jwks import JwksCache
from kernel_runtime.gateway.errors import GatewayError

if TYPE_CHECKING:
    from kernel_runtime.gateway.params import GatewayRequest

HMAC_ALGORITHMS = ["HS256", "HS384", "HS512"]


def read_key_material(value: str, what: str) -> bytes:
    """LangStream's readKeyFromUrl: data: or file: URL, an existing file, or base64 text."""
    if value.startswith("data:"):
        header, _, data = value[5:].partition(",")
        if header.endswith(";base64"):
            return base64.b64decode(data)
        return urllib.parse.unquote_to_bytes(data)
    if value.startswith("file:"):
        return Path(urllib.parse.urlparse(value).path).read_bytes()
    if value.lstrip().startswith("-----BEGIN"):
        return value.encode()
    if _names_a_file(value):
        return Path(value).read_bytes()
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise GatewayError(
            f"jwt authentication: {what} is neither a file, a file:/data: URL, nor base64",
            status=500,
        ) from None


def _names_a_file(value: str) -> bool:
    """Whether `value` is a path to an existing file; base64 key text, whose '/' make it look
    like a path with overlong parts (ENAMETOOLONG), is not."""
    if len(value) >= 4096:
        return False
    try:
        return Path(value).is_file()
    except OSError:
        return False


def load_public_key(material: bytes) -> Any:
    try:
        if material.lstrip().startswith(b"-----BEGIN"):
            return load_pem_public_key(material)
        return load_der_public_key(material)
    except ValueError as error:
        raise GatewayError(
            f"jwt authentication: publicKey is not a public key: {error}", 500
        ) from None


class JwtProvider:
    def __init__(
        self,
        configuration: dict[str, Any],
        settings: AuthSettings,
        jwks_for: Callable[[str], JwksCache],
    ) -> None:
        self.settings = settings
        self.jwks_for = jwks_for
        secret = config_value(configuration, "secretKey")
        public = config_value(configuration, "publicKey")
        self.algorithms = [str(config_value(configuration, "publicAlg", default="RS256"))]
        self.key: Any = None
        if secret:
            self.key = read_key_material(str(secret), "secretKey")
            self.algorithms = HMAC_ALGORITHMS
        elif public:
            self.key = load_public_key(read_key_material(str(public), "publicKey"))
        self.role_claim = str(config_value(configuration, "authClaim", default="sub"))
        self.audience = config_value(configuration, "audience")
        self.audience_claim = str(config_value(configuration, "audienceClaim", default="aud"))
        roles = configuration.get("adminRoles")
        self.admin_roles = None if roles is None else [str(r) for r in roles]
        allowlist = config_value(configuration, "jwksHostsAllowlist")
        self.hosts_allowlist = re.compile(str(allowlist)) if allowlist else None

    async def authenticate(
        self, credentials: str | None, request: GatewayRequest
    ) -> dict[str, str]:
        if not credentials:
            raise AuthFailed("Failed to authentication token: no credentials")
        header = unverified_header(credentials)
        key = (
            self.key if self.key is not None else await self._key_from_jwks_uri(credentials, header)
        )
        claims = verify_jwt(
            credentials,
            key,
            algorithms=self.algorithms,
            audience=None,
            issuers=None,
            leeway=0,
            require_expiry=False,  # as LangStream's jwt provider: `exp` is checked when present
        )
        if self.audience is not None:
            found = claims.get(self.audience_claim)
            audiences = found if isinstance(found, list) else [found]
            if self.audience not in audiences:
                raise AuthFailed(
                    f"Audiences in token: [{found}] not contains this broker: {self.audience}"
                )
        principal = claims.get(self.role_claim)
        if isinstance(principal, list):
            principal = principal[0] if principal and isinstance(principal[0], str) else None
        if not isinstance(principal, str):
            raise AuthFailed("Token was valid, however no principal found.")
        if self.admin_roles is not None and principal not in self.admin_roles:
            raise AuthFailed("Not an admin.")
        values = {k: str(v) for k, v in claims.items() if isinstance(v, (str, int, float))}
        values["subject"] = principal
        return values

    async def _key_from_jwks_uri(self, token: str, header: dict[str, Any]) -> Any:
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise AuthFailed(f"Failed to authentication token: {error}") from None
        uri = unverified.get("jwks_uri")
        if not uri:
            raise AuthFailed(
                "Failed to authentication token: no key configured (secretKey/publicKey) and "
                "the token names no jwks_uri"
            )
        host = urllib.parse.urlparse(str(uri)).hostname or ""
        if self.hosts_allowlist is None or not self.hosts_allowlist.fullmatch(host):
            raise AuthFailed(f"Failed to authentication token: Untrusted hostname: '{host}'")
        jwk = await self.jwks_for(str(uri)).signing_key(header.get("kid"), self.algorithms[0])
        return jwk.key
