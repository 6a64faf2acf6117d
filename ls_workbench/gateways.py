"""Gateway URLs of a running Workbench, as LangStream clients address them.

Paths follow LangStream's gateway API: WebSocket `/v1/{produce|consume|chat}/{tenant}/{app}/
{gateway}`, HTTP `POST /api/gateways/produce/...`, `GET /api/gateways/consume/...` (Server-Sent
Events) and `/api/gateways/service/...`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ls_workbench.workbench import Workbench

WEBSOCKET_TYPES = ("produce", "consume", "chat")


def gateway_url(host: str, port: int, tenant: str, app: str, gateway_id: str, kind: str) -> str:
    """The WebSocket URL, and the HTTP one where the gateway type has one."""
    where = f"{tenant}/{app}/{gateway_id}"
    http, ws = f"http://{host}:{port}", f"ws://{host}:{port}"
    if kind == "service":
        return f"{http}/api/gateways/service/{where}"
    if kind in ("produce", "consume"):
        return f"{ws}/v1/{kind}/{where}  {http}/api/gateways/{kind}/{where}"
    return f"{ws}/v1/{kind}/{where}"


def gateway_urls(workbench: Workbench) -> dict[str, str]:
    """URL per gateway id while the gateway server runs; empty otherwise."""
    address = workbench.engine.gateway_address()
    if address is None:
        return {}
    host, port = address
    return {
        gateway_id: gateway_url(
            host, port, workbench.tenant, workbench.name, gateway_id, str(spec.get("type"))
        )
        for gateway_id, spec in workbench.definitions.gateways.items()
    }


def gateway_endpoint(workbench: Workbench, gateway_id: str, protocol: str | None = None) -> str:
    """One URL of a running gateway: HTTP where the type has one (produce, consume as Server-Sent
    Events, service), else WebSocket; `protocol="ws"` asks for the WebSocket one."""
    from ls_workbench.errors import WorkbenchError

    spec = workbench.definitions.gateways.get(gateway_id)
    if spec is None:
        known = ", ".join(workbench.definitions.gateways) or "none"
        raise WorkbenchError(f"no gateway {gateway_id!r}; gateways: {known}")
    address = workbench.engine.gateway_address()
    if address is None:
        raise WorkbenchError("the gateways are not running: start the pipeline first")
    host, port = address
    kind = str(spec.get("type"))
    where = f"{workbench.tenant}/{workbench.name}/{gateway_id}"
    if protocol == "ws" or kind == "chat":
        if kind == "service":
            raise WorkbenchError(f"gateway {gateway_id!r} is a service gateway: HTTP only")
        return f"ws://{host}:{port}/v1/{kind}/{where}"
    return f"http://{host}:{port}/api/gateways/{kind}/{where}"
