"""What every authentication provider shares: the failure type, settings, an HTTP helper.

A provider turns the request's credentials into principal values (`subject`, `email`, `login`,
...) that header mappings read with `value-from-authentication`, or raises `AuthFailed`,
answered with 401 (HTTP) or a refused WebSocket handshake.

The endpoints of Google and GitHub are settings, so tests (and air-gapped setups) can serve the
same protocols elsewhere. Defaults can also come from the environment:
`LS_WORKBENCH_GOOGLE_JWKS_URL`, `LS_WORKBENCH_GITHUB_API_URL`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from tornado.httpclient import AsyncHTTPClient, HTTPRequest, HTTPResponse

from kernel_runtime.gateway.errors import GatewayError

if TYPE_CHECKING:
    from kernel_runtime.gateway.params import GatewayRequest

GOOGLE_JWKS_URL = "https://www.googleapis.com/oauth2/v3/certs"
GOOGLE_ISSUERS = ("accounts.google.com", "https://accounts.google.com")
GITHUB_API_URL = "https://api.github.com"


class AuthFailed(Exception):
    """The credentials were refused; the message is returned to the client."""


class ProviderUnavailable(GatewayError):
    """The identity provider could not be reached: not the client's fault (503)."""

    status = 503


@dataclass
class AuthSettings:
    google_jwks_url: str = field(
        default_factory=lambda: os.environ.get("LS_WORKBENCH_GOOGLE_JWKS_URL", GOOGLE_JWKS_URL)
    )
    google_issuers: tuple[str, ...] = GOOGLE_ISSUERS
    github_api_url: str = field(
        default_factory=lambda: os.environ.get("LS_WORKBENCH_GITHUB_API_URL", GITHUB_API_URL)
    )
    # a token signed with a key id the cached JWKS lacks refetches it, at most this often
    jwks_min_refresh_seconds: float = 5.0
    # when the JWKS response has no Cache-Control max-age
    jwks_default_max_age: float = 3600.0
    request_timeout: float = 10.0
    # Google's verifier accepts this much clock skew on exp/iat
    clock_skew_seconds: float = 300.0


class AuthProvider(Protocol):
    async def authenticate(
        self, credentials: str | None, request: GatewayRequest
    ) -> dict[str, str]:
        """Principal values, or AuthFailed."""
        ...


async def http_get(
    url: str, headers: dict[str, str], settings: AuthSettings, *, follow_redirects: bool = True
) -> HTTPResponse:
    """GET without raising on HTTP error statuses; network failures raise ProviderUnavailable."""
    request = HTTPRequest(
        url,
        headers=headers,
        connect_timeout=settings.request_timeout,
        request_timeout=settings.request_timeout,
        follow_redirects=follow_redirects,
    )
    response = await AsyncHTTPClient().fetch(request, raise_error=False)
    if response.code == 599:
        raise ProviderUnavailable(f"cannot reach {url}: {response.error}")
    return response


def json_body(response: HTTPResponse, what: str) -> Any:
    try:
        return json.loads(response.body or b"null")
    except ValueError as error:
        raise ProviderUnavailable(
            f"{what} at {response.effective_url} is not JSON: {error}"
        ) from None


def config_value(configuration: dict[str, Any], *spellings: str, default: Any = None) -> Any:
    """The first spelling present (LangStream accepts `base-url`, `baseUrl` and `baseurl`)."""
    for spelling in spellings:
        if configuration.get(spelling) is not None:
            return configuration[spelling]
    return default
