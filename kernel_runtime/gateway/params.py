"""The query string of a gateway request: `param:<name>`, `option:<name>`, `credentials`,
`test-credentials`, checked the way LangStream's GatewayRequestHandler checks them.

- `credentials` and `test-credentials` are taken out first; both at once is an error.
- Every other key must be `param:<name>` or `option:<name>`, except on a service gateway that
  proxies to an agent, where other keys belong to the agent and pass through.
- Required parameters (the gateway's `parameters`; for chat also the parameters its headers
  read) must be present and not blank; parameters the gateway does not declare are refused.
- Options: consume and chat accept `position`; service gateways accept `timeout` (seconds,
  ours: LangStream has no way to bound the wait); produce accepts none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kernel_runtime.gateway.errors import GatewayError
from kernel_runtime.manifest import Gateway

if TYPE_CHECKING:
    from kernel_runtime.gateway.registry import ServedApp

OPTIONS_BY_KIND = {
    "produce": (),
    "consume": ("position",),
    "chat": ("position",),
    "service": ("timeout",),
}


@dataclass
class GatewayRequest:
    """One validated request (or WebSocket session) to one gateway."""

    served: ServedApp
    gateway: Gateway
    credentials: str | None = None
    test_credentials: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    http_headers: dict[str, str] = field(default_factory=dict)
    passthrough: list[tuple[str, str]] = field(default_factory=list)
    principal: dict[str, str] = field(default_factory=dict)

    @property
    def tenant(self) -> str:
        return self.served.tenant

    @property
    def application_id(self) -> str:
        return self.served.application_id

    @property
    def test_mode(self) -> bool:
        return self.test_credentials is not None

    def error(self, message: str) -> str:
        """LangStream's wording: which gateway of which application the error is about."""
        return (
            f"Error for gateway {self.gateway.id} (tenant: {self.tenant}, appId: "
            f"{self.application_id}): {message}"
        )


def first_values(arguments: Mapping[str, list[bytes]]) -> dict[str, str]:
    """Tornado's query arguments, first value of each key, as text."""
    return {
        name: values[0].decode("utf-8", errors="replace") if values else ""
        for name, values in arguments.items()
    }


def required_parameters(gateway: Gateway) -> list[str]:
    required = list(gateway.parameters or [])
    if gateway.type == "chat" and gateway.chat_options and gateway.chat_options.headers:
        required += [
            h.value_from_parameters
            for h in gateway.chat_options.headers
            if h.value_from_parameters and h.value_from_parameters not in required
        ]
    if gateway.type == "service":
        return []  # LangStream requires none; the declared ones may be passed
    return required


def allowed_parameters(gateway: Gateway) -> set[str]:
    allowed = set(gateway.parameters or []) | set(required_parameters(gateway))
    if gateway.type == "service" and gateway.service_options and gateway.service_options.headers:
        allowed |= {h.value_from_parameters for h in gateway.service_options.headers} - {None}
    return allowed  # type: ignore[return-value]


def build_request(
    served: ServedApp,
    gateway: Gateway,
    query: dict[str, str],
    http_headers: Mapping[str, str],
) -> GatewayRequest:
    """Split and check the query; raises GatewayError(400) naming the offending key."""
    query = dict(query)
    request = GatewayRequest(served, gateway, http_headers=dict(http_headers))
    request.credentials = query.pop("credentials", None)
    request.test_credentials = query.pop("test-credentials", None)
    proxy = gateway.type == "service" and bool(
        gateway.service_options and gateway.service_options.agent_id
    )
    for name, value in query.items():
        if name.startswith("option:"):
            request.options[name[len("option:") :]] = value
        elif name.startswith("param:"):
            request.parameters[name[len("param:") :]] = value
        elif proxy:
            request.passthrough.append((name, value))
        else:
            raise GatewayError(
                request.error(
                    f"invalid query parameter {name}. To specify a gateway parameter, use the "
                    "format param:<parameter_name>. To specify an option, use the format "
                    "option:<option_name>."
                )
            )
    _check_parameters(request)
    _check_options(request)
    if request.credentials is not None and request.test_credentials is not None:
        raise GatewayError(
            request.error("credentials and test-credentials cannot be used together")
        )
    return request


def _check_parameters(request: GatewayRequest) -> None:
    required = required_parameters(request.gateway)
    for name in required:
        if not (request.parameters.get(name) or "").strip():
            raise GatewayError(
                request.error(
                    f"missing required parameter {name}. Required parameters: "
                    f"[{', '.join(required)}]; pass it as param:{name}=<value>"
                )
            )
    unknown = sorted(set(request.parameters) - allowed_parameters(request.gateway))
    if unknown:
        declared = sorted(allowed_parameters(request.gateway))
        raise GatewayError(
            request.error(
                f"unknown parameters: [{', '.join(unknown)}]; this gateway declares "
                + (f"[{', '.join(declared)}]" if declared else "no parameters")
            )
        )


def _check_options(request: GatewayRequest) -> None:
    accepted = OPTIONS_BY_KIND.get(request.gateway.type or "", ())
    for name, value in request.options.items():
        if name not in accepted:
            raise GatewayError(
                request.error(
                    f"Unknown option {name}"
                    + (
                        f"; accepted: {', '.join(accepted)}"
                        if accepted
                        else "; this gateway type takes no options"
                    )
                )
            )
        if not value.strip():
            raise GatewayError(request.error(f"'{name}' cannot be blank"))
    if "timeout" in request.options:
        parse_timeout(request, None)


def parse_timeout(request: GatewayRequest, default: float | None) -> float | None:
    raw = request.options.get("timeout")
    if raw is None:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 3600:
        raise GatewayError(
            request.error(f"option:timeout={raw!r} must be a number of seconds in (0, 3600]")
        )
    return seconds
