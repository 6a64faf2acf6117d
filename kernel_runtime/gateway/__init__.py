"""LangStream's API gateway, served by Tornado beside the pipelines.

WebSocket `/v1/produce|consume|chat/{tenant}/{application}/{gateway}`, HTTP
`POST /api/gateways/produce/...`, `GET /api/gateways/consume/...` (Server-Sent Events) and
`/api/gateways/service/...[/path]`, with the gateways of `gateways.yaml`, their parameters,
header mappings, filters and authentication (google, github, http, jwt, test mode).

    async with GatewayServer(GatewayOptions(port=0)) as server:
        server.serve(app, runtime.broker, application_id="my-app")
        ...
"""

from kernel_runtime.gateway.auth.base import AuthSettings
from kernel_runtime.gateway.server import DEFAULT_PORT, GatewayOptions, GatewayServer

__all__ = ["DEFAULT_PORT", "AuthSettings", "GatewayOptions", "GatewayServer"]
