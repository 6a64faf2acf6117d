"""Request bodies: the size limit (413) and how a body becomes a ProduceRequest.

Handlers stream the body so a declared Content-Length over the limit is refused before any of
it is read, and a chunked body is refused once it passes the limit.

Content types, as LangStream's HTTP produce: `application/json` is a ProduceRequest; `text/plain`
or none is the raw value. We also take curl's default for `-d`
(`application/x-www-form-urlencoded`) as raw text, since LangStream's documented
`curl -X POST -d "Hello"` example sends it.
"""

from __future__ import annotations

from tornado.web import RequestHandler

from kernel_runtime.gateway.errors import GatewayError, PayloadTooLarge
from kernel_runtime.gateway.messages import ProduceError, ProduceRequest, parse_produce_request

TEXT_TYPES = ("text/plain", "application/x-www-form-urlencoded")


class BodyLimitMixin(RequestHandler):
    """For `@stream_request_body` handlers: collects the body up to the server's limit."""

    _chunks: list[bytes]
    _size = 0
    _too_large = False

    @property
    def body_limit(self) -> int:
        return self.server.options.max_message_bytes  # type: ignore[attr-defined]

    def check_declared_length(self) -> None:
        self._chunks = []
        declared = self.request.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.body_limit:
            raise PayloadTooLarge(self._too_large_message(int(declared)))

    def data_received(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self.body_limit:
            self._too_large = True
            self._chunks = []
        elif not self._too_large:
            self._chunks.append(chunk)

    def received_body(self) -> bytes:
        if self._too_large:
            raise PayloadTooLarge(self._too_large_message(self._size))
        return b"".join(self._chunks)

    def _too_large_message(self, size: int) -> str:
        return (
            f"request body of {size} bytes is over the gateway's limit of {self.body_limit} "
            "bytes; send smaller messages or raise the limit (--gateway-max-message-bytes)"
        )


def parse_body(content_type: str | None, body: bytes) -> ProduceRequest:
    media_type = (content_type or "").split(";")[0].strip().lower()
    if not media_type or media_type in TEXT_TYPES:
        try:
            return ProduceRequest(value=body.decode("utf-8"))
        except UnicodeDecodeError:
            return ProduceRequest(value=body)
    if media_type == "application/json":
        return parse_produce_request(body)
    raise GatewayError(
        f"Unsupported content type: {content_type}; send application/json (a ProduceRequest) "
        "or text/plain (the value)"
    )


__all__ = ["BodyLimitMixin", "ProduceError", "parse_body"]
