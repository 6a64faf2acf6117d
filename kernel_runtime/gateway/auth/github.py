"""`provider: github`: a GitHub user access token, checked against GitHub's user API.

`GET {api}/user` with the token must answer 200; when `clientId` is configured, the
`X-OAuth-Client-Id` response header (the app the token was issued to) must equal it.
Principal values: the user's fields (`login`, `id`, `name`, `email`, ...) as text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kernel_runtime.gateway.auth.base import (
    AuthFailed,
    AuthSettings,
    config_value,
    http_get,
    json_body,
)
from kernel_runtime.gateway.messages import as_text

if TYPE_CHECKING:
    from kernel_runtime.gateway.params import GatewayRequest


class GitHubProvider:
    def __init__(self, configuration: dict[str, Any], settings: AuthSettings) -> None:
        self.client_id = config_value(configuration, "clientId")
        self.settings = settings

    async def authenticate(
        self, credentials: str | None, request: GatewayRequest
    ) -> dict[str, str]:
        if not credentials:
            raise AuthFailed("Invalid token.")
        url = self.settings.github_api_url.rstrip("/") + "/user"
        response = await http_get(
            url,
            {
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {credentials}",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "ls-workbench-gateway",
            },
            self.settings,
        )
        if response.code != 200:
            raise AuthFailed(f"Invalid token: GitHub answered {response.code}")
        if self.client_id:
            issued_to = response.headers.get("X-OAuth-Client-Id")
            if issued_to != self.client_id:
                raise AuthFailed(
                    f"Invalid client id, the token has been issued by {issued_to}, "
                    f"expecting {self.client_id}"
                )
        user = json_body(response, "the GitHub user")
        if not isinstance(user, dict):
            raise AuthFailed("Invalid token: GitHub returned no user")
        return {
            name: text
            for name, value in user.items()
            if not isinstance(value, (dict, list)) and (text := as_text(value)) is not None
        }
