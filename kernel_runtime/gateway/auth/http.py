"""`provider: http`: ask an HTTP endpoint whether the credentials are good.

`GET {base-url}{path-template}` (with `{tenant}` replaced), the configured `headers`, and
`Authorization: Bearer <credentials>`; an answer in `accepted-statuses` (default 200, 201)
authenticates. No principal values, as in LangStream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kernel_runtime.gateway.auth.base import (
    AuthFailed,
    AuthSettings,
    ProviderUnavailable,
    config_value,
    http_get,
)

if TYPE_CHECKING:
    from kernel_runtime.gateway.params import GatewayRequest


class HttpProvider:
    def __init__(self, configuration: dict[str, Any], settings: AuthSettings) -> None:
        self.base_url = str(
            config_value(configuration, "baseUrl", "base-url", "baseurl", default="")
        )
        self.path_template = str(
            config_value(configuration, "pathTemplate", "path-template", "pathtemplate", default="")
        )
        self.headers = {str(k): str(v) for k, v in (configuration.get("headers") or {}).items()}
        statuses = config_value(
            configuration,
            "acceptedStatuses",
            "accepted-statuses",
            "acceptedstatuses",
            default=[200, 201],
        )
        self.accepted = {int(status) for status in statuses}
        self.settings = settings

    async def authenticate(
        self, credentials: str | None, request: GatewayRequest
    ) -> dict[str, str]:
        url = self.base_url + self.path_template.replace("{tenant}", request.tenant)
        headers = dict(self.headers)
        headers["Authorization"] = f"Bearer {credentials or ''}"
        try:
            response = await http_get(url, headers, self.settings)
        except ProviderUnavailable as error:
            raise AuthFailed(str(error)) from None
        if response.code in self.accepted:
            return {}
        raise AuthFailed(f"Http authentication failed: {response.code}")
