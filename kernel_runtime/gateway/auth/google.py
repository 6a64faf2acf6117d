"""`provider: google`: a Google ID token, verified the way Google's own verifier does.

The token must be an RS256 JWT signed by a key of Google's JWKS, with `aud` equal to the
configured `clientId`, `iss` accounts.google.com, and not expired (300 s clock skew).
Principal values: `subject`, `email`, `name`, `locale`, as LangStream's provider gives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jwt

from kernel_runtime.gateway.auth.base import AuthFailed, AuthSettings, config_value
from kernel_runtime.gateway.auth.jwks import JwksCache
from kernel_runtime.gateway.errors import GatewayError

if TYPE_CHECKING:
    from kernel_runtime.gateway.params import GatewayRequest

ALGORITHM = "RS256"


def verify_jwt(
    token: str,
    key: Any,
    *,
    algorithms: list[str],
    audience: str | None,
    issuers: tuple[str, ...] | None,
    leeway: float,
    require_expiry: bool = True,
) -> dict[str, Any]:
    """Decode and verify; every refusal is an AuthFailed saying which check failed."""
    try:
        return jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=audience,
            issuer=list(issuers) if issuers else None,
            leeway=leeway,
            options={
                "require": ["exp"] if require_expiry else [],
                "verify_aud": audience is not None,
            },
        )
    except jwt.ExpiredSignatureError:
        raise AuthFailed("Invalid credentials: the token has expired") from None
    except jwt.InvalidAudienceError:
        raise AuthFailed(
            f"Invalid credentials: the token was issued for another audience (expected {audience})"
        ) from None
    except jwt.InvalidIssuerError:
        raise AuthFailed(
            f"Invalid credentials: the token's issuer is not one of {', '.join(issuers or ())}"
        ) from None
    except jwt.InvalidSignatureError:
        raise AuthFailed("Invalid credentials: signature verification failed") from None
    except jwt.PyJWTError as error:
        raise AuthFailed(f"Invalid credentials: {error}") from None


def unverified_header(token: str) -> dict[str, Any]:
    try:
        return jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise AuthFailed("Invalid credentials: not a JSON Web Token") from None


class GoogleProvider:
    def __init__(
        self, configuration: dict[str, Any], settings: AuthSettings, jwks: JwksCache
    ) -> None:
        self.client_id = config_value(configuration, "clientId")
        if not self.client_id or not str(self.client_id).strip():
            raise GatewayError(
                "clientId is required for Google Authentication: set "
                "authentication.configuration.clientId in gateways.yaml",
                status=500,
            )
        self.settings = settings
        self.jwks = jwks

    async def authenticate(
        self, credentials: str | None, request: GatewayRequest
    ) -> dict[str, str]:
        if not credentials:
            raise AuthFailed("Credentials not provided.")
        header = unverified_header(credentials)
        if header.get("alg") != ALGORITHM:
            raise AuthFailed(f"Invalid credentials: Google ID tokens are {ALGORITHM}-signed")
        key = await self.jwks.signing_key(header.get("kid"), ALGORITHM)
        claims = verify_jwt(
            credentials,
            key.key,
            algorithms=[ALGORITHM],
            audience=str(self.client_id),
            issuers=self.settings.google_issuers,
            leeway=self.settings.clock_skew_seconds,
        )
        values = {
            "subject": claims.get("sub"),
            "email": claims.get("email"),
            "name": claims.get("name"),
            "locale": claims.get("locale"),
        }
        return {name: str(value) for name, value in values.items() if value is not None}
