"""The applications a gateway server serves, by tenant and application id.

One `ServedApp` per (tenant, application id): the resolved application (its `gateways`), the
broker its topics live on, one producer shared by every request, and the response routers of
its service gateways. `serve()` again with a changed application replaces the definitions;
connections already open keep the gateway they opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kernel_runtime.brokers.base import Broker, Producer
from kernel_runtime.gateway.errors import NotFound
from kernel_runtime.manifest import Application, Gateway

if TYPE_CHECKING:
    from kernel_runtime.gateway.service import ResponseRouter


@dataclass(eq=False)
class ServedApp:
    app: Application
    broker: Broker
    tenant: str
    application_id: str
    routers: dict[str, ResponseRouter] = field(default_factory=dict)
    _producer: Producer | None = None

    @property
    def producer(self) -> Producer:
        if self._producer is None:
            self._producer = self.broker.producer()
        return self._producer

    def gateway(self, gateway_id: str, kind: str) -> Gateway:
        for gateway in self.app.gateways:
            if gateway.id == gateway_id and gateway.type == kind:
                return gateway
        same_kind = [g.id for g in self.app.gateways if g.type == kind]
        other = next((g for g in self.app.gateways if g.id == gateway_id), None)
        hint = (
            f"gateway {gateway_id} has type {other.type}; use its /{other.type} endpoint"
            if other is not None
            else f"{kind} gateways of this application: {', '.join(same_kind) or 'none'}"
        )
        raise NotFound(
            f"gateway {gateway_id} of type {kind} is not defined in the application "
            f"{self.application_id} (tenant {self.tenant}); {hint}"
        )

    async def close(self) -> None:
        for router in list(self.routers.values()):
            await router.close()
        self.routers.clear()
        if self._producer is not None:
            await self._producer.close()
            self._producer = None


class Registry:
    def __init__(self) -> None:
        self.apps: dict[tuple[str, str], ServedApp] = {}

    def get(self, tenant: str, application_id: str) -> ServedApp:
        served = self.apps.get((tenant, application_id))
        if served is not None:
            return served
        known = ", ".join(f"{t}/{a}" for t, a in sorted(self.apps)) or "none"
        raise NotFound(
            f"application {application_id} not found for tenant {tenant}; served here "
            f"(tenant/application): {known}"
        )
