"""Why a Kafka client could not start, in words a user can act on.

aiokafka reports an unreachable cluster, a refused login and a failed TLS handshake all as
"Unable to bootstrap" (or, for some SCRAM failures, as a bare KeyError). A plain TCP probe of the
bootstrap servers tells the first apart from the others, a TLS handshake of our own names a
certificate problem, and the configured security says what else it must be.
"""

from __future__ import annotations

import asyncio
import socket
import ssl

from kernel_runtime.brokers.base import BrokerError
from kernel_runtime.brokers.kafka_config import ADMIN_PATH, KafkaSettings


class KafkaConnectionError(BrokerError):
    """The cluster could not be reached, or refused us; `reason` is unreachable|auth|tls|timeout."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def tls_problem(server: str, context: ssl.SSLContext, timeout: float = 5.0) -> str | None:
    """Why a TLS handshake with `server` fails (e.g. "certificate verify failed: ..."), or None."""
    host, _, port = server.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout) as raw:
            with context.wrap_socket(raw, server_hostname=host.strip("[]")):
                return None
    except ssl.SSLCertVerificationError as error:
        return error.verify_message or str(error)
    except ssl.SSLError as error:
        return error.reason or str(error)
    except (OSError, ValueError):
        return None


def reachable(server: str, timeout: float = 2.0) -> bool:
    host, _, port = server.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            return True
    except (OSError, ValueError):
        return False


async def explain_start_failure(
    settings: KafkaSettings, error: BaseException | None, timeout: float
) -> KafkaConnectionError:
    """`error` None means the start did not finish within `timeout` seconds."""
    servers = settings.bootstrap_servers
    where = settings.describe()
    fix_servers = (
        f"check {ADMIN_PATH}.bootstrap.servers in instance.yaml, or start a local broker with "
        "`ls-workbench broker`"
    )
    probes = await asyncio.gather(*(asyncio.to_thread(reachable, s) for s in servers))
    if not any(probes):
        return KafkaConnectionError(
            f"cannot reach the Kafka cluster at {where}: nothing accepts connections there; "
            + fix_servers,
            "unreachable",
        )
    context = settings.common.get("ssl_context")
    if context is not None:
        server = next(s for s, ok in zip(servers, probes, strict=True) if ok)
        problem = await asyncio.to_thread(tls_problem, server, context)
        if problem is not None:
            return KafkaConnectionError(
                f"TLS handshake with {where} failed: {problem}; check ssl.truststore.* (the CA "
                "that signed the broker's certificate) and ssl.endpoint.identification.algorithm "
                f"(host name check) in {ADMIN_PATH}",
                "tls",
            )
    if settings.credentials is not None:
        detail = f" ({type(error).__name__}: {error})" if error is not None else ""
        return KafkaConnectionError(
            f"the Kafka cluster at {where} did not accept our login{detail}: wrong user or "
            f"password in {ADMIN_PATH}.sasl.jaas.config, or sasl.mechanism "
            f"{settings.credentials.mechanism} is not enabled on the cluster",
            "auth",
        )
    if error is None:
        return KafkaConnectionError(
            f"the Kafka cluster at {where} accepts connections but did not answer within "
            f"{timeout:g}s; is it a Kafka broker? Does it need security.protocol SSL or SASL_*?",
            "timeout",
        )
    return KafkaConnectionError(
        f"cannot connect to the Kafka cluster at {where}: {error}; is it a Kafka broker? "
        "Does it need security.protocol SSL or SASL_*? " + fix_servers,
        "unreachable",
    )
