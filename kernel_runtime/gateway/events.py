"""`events-topic`: ClientConnected / ClientDisconnected events of WebSocket sessions.

The record value is LangStream's `EventRecord` as JSON text: `category` "Gateway", `type`,
`timestamp` (ms), `source` {tenant, applicationId, gateway} and `data` {userParameters, options,
httpRequestHeaders}. Unlike LangStream we leave out the authentication configuration (it may
hold secrets) and the `Authorization`/`Cookie` request headers.
"""

from __future__ import annotations

import json
import logging
from typing import Literal

from kernel_runtime.gateway.params import GatewayRequest
from kernel_runtime.records import StreamRecord, now_millis

log = logging.getLogger("kernel_runtime.gateway")
EventType = Literal["ClientConnected", "ClientDisconnected"]
PRIVATE_HEADERS = ("authorization", "cookie", "proxy-authorization")


def event_value(request: GatewayRequest, event_type: EventType) -> str:
    gateway = request.gateway.model_dump(by_alias=True, exclude_none=True, mode="json")
    if "authentication" in gateway:
        gateway["authentication"].pop("configuration", None)
    headers = {k: v for k, v in request.http_headers.items() if k.lower() not in PRIVATE_HEADERS}
    return json.dumps(
        {
            "category": "Gateway",
            "type": event_type,
            "timestamp": now_millis(),
            "source": {
                "tenant": request.tenant,
                "applicationId": request.application_id,
                "gateway": gateway,
            },
            "data": {
                "userParameters": request.parameters,
                "options": request.options,
                "httpRequestHeaders": headers,
            },
        },
        separators=(",", ":"),
    )


async def send(request: GatewayRequest, event_type: EventType) -> None:
    """Write the event if the gateway has an events topic; failures are logged, not raised."""
    topic = request.gateway.events_topic
    if not topic:
        return
    try:
        record = StreamRecord(event_value(request, event_type), timestamp=now_millis())
        await request.served.producer.send_batch(topic, [record])
    except Exception as error:  # noqa: BLE001 - an event must never break a session
        log.error("cannot write %s event to %s: %s", event_type, topic, error)
