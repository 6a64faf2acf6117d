"""A JSON Web Key Set fetched over HTTP, cached, and refreshed when it expires or rotates.

The set is kept for the response's `Cache-Control: max-age` (Google sends ~6 hours). A token
signed with a key id the cached set lacks triggers one refetch (keys rotate), at most once per
`jwks_min_refresh_seconds`, so forged key ids cannot make us hammer the provider.
"""

from __future__ import annotations

import asyncio
import re
import time

import jwt

from kernel_runtime.gateway.auth.base import (
    AuthFailed,
    AuthSettings,
    ProviderUnavailable,
    http_get,
    json_body,
)

_MAX_AGE = re.compile(r"max-age=(\d+)")


class JwksCache:
    def __init__(self, url: str, settings: AuthSettings) -> None:
        self.url = url
        self.settings = settings
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def signing_key(self, kid: str | None, algorithm: str) -> jwt.PyJWK:
        if time.monotonic() >= self._expires_at:
            await self._refresh(seen=self._fetched_at)
        key = self._find(kid, algorithm)
        since = time.monotonic() - self._fetched_at
        if key is None and since >= self.settings.jwks_min_refresh_seconds:
            await self._refresh(seen=self._fetched_at)
            key = self._find(kid, algorithm)
        if key is None:
            raise AuthFailed(
                f"Invalid credentials: the token's signing key {kid!r} is not among the keys "
                f"published at {self.url}"
            )
        return key

    def _find(self, kid: str | None, algorithm: str) -> jwt.PyJWK | None:
        if kid is not None:
            return self._keys.get(kid)
        candidates = [k for k in self._keys.values() if k.algorithm_name in (algorithm, None)]
        return candidates[0] if len(candidates) == 1 else None

    async def _refresh(self, *, seen: float) -> None:
        """Fetch the set, unless another request fetched it since we looked (`seen`)."""
        async with self._lock:
            if self._fetched_at > seen:
                return
            response = await http_get(self.url, {"Accept": "application/json"}, self.settings)
            if response.code != 200:
                raise ProviderUnavailable(
                    f"fetching signing keys from {self.url} answered {response.code}"
                )
            data = json_body(response, "the key set")
            try:
                key_set = jwt.PyJWKSet.from_dict(data)
            except jwt.PyJWKSetError as error:
                raise ProviderUnavailable(
                    f"the key set at {self.url} is unusable: {error}"
                ) from None
            self.fetches += 1
            self._keys = {key.key_id: key for key in key_set.keys}
            now = time.monotonic()
            self._fetched_at = now
            match = _MAX_AGE.search(response.headers.get("Cache-Control", ""))
            max_age = float(match.group(1)) if match else self.settings.jwks_default_max_age
            self._expires_at = now + max_age
