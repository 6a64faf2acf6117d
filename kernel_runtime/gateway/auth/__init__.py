"""Gateway authentication: which provider checks a request, and test mode.

    authenticator = Authenticator(AuthSettings(), test_mode=False)
    await authenticator.authenticate(request)   # sets request.principal, or raises Unauthorized

Providers are built once per distinct configuration and kept, so Google's key set stays cached
across requests.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from kernel_runtime.gateway.auth.base import AuthFailed, AuthProvider, AuthSettings
from kernel_runtime.gateway.auth.github import GitHubProvider
from kernel_runtime.gateway.auth.google import GoogleProvider
from kernel_runtime.gateway.auth.http import HttpProvider
from kernel_runtime.gateway.auth.jwks import JwksCache
from kernel_runtime.gateway.auth.jwt_token import JwtProvider
from kernel_runtime.gateway.auth.testmode import principal_for_test_credentials
from kernel_runtime.gateway.errors import GatewayError, Unauthorized

if TYPE_CHECKING:
    from kernel_runtime.gateway.params import GatewayRequest

__all__ = ["AuthFailed", "AuthSettings", "Authenticator"]

PROVIDERS = ("google", "github", "http", "jwt")


class Authenticator:
    def __init__(self, settings: AuthSettings | None = None, *, test_mode: bool = False) -> None:
        self.settings = settings or AuthSettings()
        self.test_mode = test_mode
        self._providers: dict[str, AuthProvider] = {}
        self._jwks: dict[str, JwksCache] = {}

    def jwks(self, url: str) -> JwksCache:
        cache = self._jwks.get(url)
        if cache is None:
            cache = self._jwks[url] = JwksCache(url, self.settings)
        return cache

    def provider(self, name: str, configuration: dict[str, Any]) -> AuthProvider:
        cache_key = name + json.dumps(configuration, sort_keys=True, default=str)
        provider = self._providers.get(cache_key)
        if provider is not None:
            return provider
        if name == "google":
            provider = GoogleProvider(
                configuration, self.settings, self.jwks(self.settings.google_jwks_url)
            )
        elif name == "github":
            provider = GitHubProvider(configuration, self.settings)
        elif name == "http":
            provider = HttpProvider(configuration, self.settings)
        elif name == "jwt":
            provider = JwtProvider(configuration, self.settings, self.jwks)
        else:
            raise GatewayError(
                f"unknown authentication provider {name!r}; use one of {', '.join(PROVIDERS)}",
                status=500,
            )
        self._providers[cache_key] = provider
        return provider

    async def authenticate(self, request: GatewayRequest) -> None:
        """Fill `request.principal`; Unauthorized (401) says why the credentials were refused."""
        authentication = request.gateway.authentication
        if authentication is None:
            return
        try:
            if request.test_mode:
                if not authentication.allow_test_mode:
                    raise AuthFailed(
                        f"Gateway {request.gateway.id} of tenant {request.tenant} does not allow "
                        "test mode."
                    )
                if not self.test_mode:
                    raise AuthFailed(
                        "No test auth provider specified: test-credentials are accepted only "
                        "when the gateway runs in test mode (ls-workbench run --gateway-test-mode)"
                    )
                request.principal = principal_for_test_credentials(request.test_credentials)
                return
            provider = self.provider(
                authentication.provider or "", dict(authentication.configuration or {})
            )
            request.principal = await provider.authenticate(request.credentials, request)
        except AuthFailed as error:
            raise Unauthorized(str(error) or "unknown") from None
