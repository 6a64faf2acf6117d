"""Errors a gateway request can end with, and the JSON body every error response carries.

The body is Spring's ProblemDetail, which LangStream's gateway answers with (`type`, `title`,
`status`, `detail`, `instance`), plus `reason` (the same text) so clients reading the
`ProduceResponse` shape find the message too.
"""

from __future__ import annotations

import json
from http import HTTPStatus

# WebSocket close codes as LangStream's gateway uses them (Spring's CloseStatus)
POLICY_VIOLATION = 1008  # the request is (no longer) acceptable: IllegalArgumentException,
# or the gateway was removed or redefined while the session was open
SERVER_ERROR = 1011  # the gateway or the broker failed
GOING_AWAY = 1001  # the gateway is shutting down
UNSUPPORTED_DATA = 1003  # a binary frame (Spring's TextWebSocketHandler: NOT_ACCEPTABLE)


class GatewayError(Exception):
    """A request the gateway refuses: `status` is the HTTP status, the message says why."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status

    @property
    def reason(self) -> str:
        return str(self)


class NotFound(GatewayError):
    status = 404


class Unauthorized(GatewayError):
    status = 401


class PayloadTooLarge(GatewayError):
    status = 413


class GatewayTimeout(GatewayError):
    status = 504


class BadGateway(GatewayError):
    status = 502


def error_body(status: int, reason: str, instance: str | None = None) -> str:
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    return json.dumps(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": reason,
            "instance": instance,
            "reason": reason,
        }
    )


def close_reason(message: str) -> str:
    """WebSocket close reasons are limited to 123 bytes of UTF-8."""
    encoded = message.encode("utf-8")
    if len(encoded) <= 123:
        return message
    return encoded[:120].decode("utf-8", errors="ignore") + "..."
