"""What every gateway endpoint does first: find the gateway, check the query, authenticate.

Errors become responses here: a `GatewayError` answers with its status and the JSON error body
(see errors.py); anything else is a 500 with the exception's message, logged with its traceback.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from tornado.web import HTTPError, RequestHandler

from kernel_runtime.gateway.errors import GatewayError, error_body
from kernel_runtime.gateway.params import GatewayRequest, build_request, first_values

if TYPE_CHECKING:
    from kernel_runtime.gateway.server import GatewayServer

log = logging.getLogger("kernel_runtime.gateway")


class GatewayMixin(RequestHandler):
    """Base of the HTTP and WebSocket gateway handlers; `kind` is the gateway type served."""

    kind = ""

    def initialize(self, server: GatewayServer) -> None:
        self.server = server

    async def open_request(
        self, tenant: str, application_id: str, gateway_id: str
    ) -> GatewayRequest:
        served = self.server.registry.get(tenant, application_id)
        gateway = served.gateway(gateway_id, self.kind)
        headers = {name.lower(): value for name, value in self.request.headers.items()}
        request = build_request(
            served, gateway, first_values(self.request.query_arguments), headers
        )
        await self.server.authenticator.authenticate(request)
        return request

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        reason = self._reason
        exc_info = kwargs.get("exc_info")
        error = exc_info[1] if exc_info else None
        if isinstance(error, GatewayError):
            status_code = error.status
            self.set_status(status_code)
            reason = str(error)
        elif isinstance(error, HTTPError) and error.log_message:
            reason = error.log_message % error.args if error.args else error.log_message
        elif error is not None and status_code == 500:
            reason = f"{type(error).__name__}: {error}"
        self.clear_header("Content-Type")
        self.set_header("Content-Type", "application/json")
        self.finish(error_body(status_code, reason, self.request.path))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, GatewayError):
            log.info("%s %s: %d %s", self.request.method, self.request.path, value.status, value)
            return
        super().log_exception(typ, value, tb)
