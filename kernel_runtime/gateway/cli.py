"""Command-line flags of the gateway, shared by `ls-workbench run` and
`python -m kernel_runtime gateway`."""

from __future__ import annotations

import argparse

from kernel_runtime.gateway.server import DEFAULT_PORT, GatewayOptions


def add_gateway_arguments(parser: argparse.ArgumentParser, *, prefix: str = "--gateway-") -> None:
    """Flags `--gateway-port`, `--gateway-host`, ... (or `--port`, `--host`, ... with prefix "--")."""
    group = parser.add_argument_group("gateway (when the application has gateways.yaml)")
    group.add_argument(
        f"{prefix}port",
        dest="gateway_port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port of the API gateway (default {DEFAULT_PORT}; 0 = any free port)",
    )
    group.add_argument(
        f"{prefix}host",
        dest="gateway_host",
        default="127.0.0.1",
        help="address the gateway binds (default 127.0.0.1; 0.0.0.0 in a pod)",
    )
    if prefix != "--":
        group.add_argument("--no-gateway", action="store_true", help="do not start the gateway")
    group.add_argument(
        f"{prefix}test-mode",
        dest="gateway_test_mode",
        action="store_true",
        help="accept test-credentials on gateways with allow-test-mode (local development only)",
    )
    group.add_argument(
        f"{prefix}service-timeout",
        dest="gateway_service_timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long service gateways wait for an answer before 504 (default 30)",
    )
    group.add_argument(
        f"{prefix}max-message-bytes",
        dest="gateway_max_message_bytes",
        type=int,
        default=10 * 1024 * 1024,
        metavar="BYTES",
        help="largest message or HTTP body accepted (default 10 MiB)",
    )


def gateway_options(args: argparse.Namespace) -> GatewayOptions | None:
    if getattr(args, "no_gateway", False):
        return None
    return GatewayOptions(
        host=args.gateway_host,
        port=args.gateway_port,
        test_mode=args.gateway_test_mode,
        service_timeout=args.gateway_service_timeout,
        max_message_bytes=args.gateway_max_message_bytes,
    )
