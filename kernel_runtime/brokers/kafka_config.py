"""LangStream's Kafka settings (Java client property names) as aiokafka keyword arguments.

LangStream passes `instance.yaml` `streamingCluster.configuration.admin` to every Kafka client it
creates (admin, consumers, producers), and a topic's `options.consumer.*` / `options.producer.*`
to the clients of that topic. The properties are Java client names (`bootstrap.servers`,
`sasl.jaas.config`, `session.timeout.ms`, ...); this module maps each to its aiokafka argument.
A property meant for another client kind is skipped (as Java clients do); a property that
aiokafka has no equivalent for is listed in `KafkaSettings.ignored`, so it can be reported.

Security: `security.protocol` PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL; `sasl.mechanism`
PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512 with the user and password taken from `sasl.jaas.config`;
SSL trust and key material from PEM or PKCS12 stores (`kafka_ssl`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kernel_runtime.brokers.base import BrokerError

ADMIN_PATH = "streamingCluster.configuration.admin"
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
_LOGIN_MODULES = {
    "PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule",
    "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
}

# Defaults where ours differ from aiokafka's: durable writes as Kafka 3 clients do; tansu and
# many managed clusters reject idempotent producers; bigger batches for throughput.
PRODUCER_DEFAULTS: dict[str, Any] = {
    "acks": "all",
    "enable_idempotence": False,
    "max_batch_size": 512 * 1024,
    "linger_ms": 0,
}
CONSUMER_DEFAULTS: dict[str, Any] = {"auto_offset_reset": "earliest"}


class KafkaConfigError(BrokerError):
    """A Kafka setting in instance.yaml or a topic's options is wrong; says which and how to fix."""


def _int(name: str, value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise KafkaConfigError(f"{name}: expected a whole number, got {value!r}") from None


def _bool(name: str, value: Any) -> bool:
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise KafkaConfigError(f"{name}: expected true or false, got {value!r}")


def _acks(name: str, value: Any) -> int | str:
    text = str(value).strip().lower()
    if text in ("all", "-1"):
        return "all"
    if text in ("0", "1"):
        return int(text)
    raise KafkaConfigError(f"{name}: expected all, -1, 0 or 1, got {value!r}")


def _choice(*choices: str, none: str | None = None) -> Callable[[str, Any], Any]:
    def convert(name: str, value: Any) -> Any:
        text = str(value).strip().lower()
        if none is not None and text == none:
            return None
        if text not in choices:
            allowed = ", ".join(choices + ((none,) if none else ()))
            raise KafkaConfigError(f"{name}: expected one of {allowed}, got {value!r}")
        return text

    return convert


def _text(name: str, value: Any) -> str:
    return str(value).strip()


def _servers(name: str, value: Any) -> list[str]:
    servers = [s.strip() for s in str(value).split(",") if s.strip()]
    if not servers:
        raise KafkaConfigError(f"{name} is empty; set it to host:port[,host:port...]")
    for server in servers:
        if not re.fullmatch(r"\S+:\d+", server.split("://")[-1]):
            raise KafkaConfigError(f"{name}: {server!r} is not host:port")
    return [server.split("://")[-1] for server in servers]


Converter = Callable[[str, Any], Any]
# Java property -> (scope, aiokafka argument, converter). Scope: all clients, or one kind.
PROPERTIES: dict[str, tuple[str, str, Converter]] = {
    "bootstrap.servers": ("all", "bootstrap_servers", _servers),
    "client.id": ("all", "client_id", _text),
    "request.timeout.ms": ("all", "request_timeout_ms", _int),
    "retry.backoff.ms": ("all", "retry_backoff_ms", _int),
    "metadata.max.age.ms": ("all", "metadata_max_age_ms", _int),
    "connections.max.idle.ms": ("all", "connections_max_idle_ms", _int),
    "group.id": ("consumer", "group_id", _text),
    "group.instance.id": ("consumer", "group_instance_id", _text),
    "session.timeout.ms": ("consumer", "session_timeout_ms", _int),
    "heartbeat.interval.ms": ("consumer", "heartbeat_interval_ms", _int),
    "max.poll.interval.ms": ("consumer", "max_poll_interval_ms", _int),
    "rebalance.timeout.ms": ("consumer", "rebalance_timeout_ms", _int),
    "max.poll.records": ("consumer", "max_poll_records", _int),
    "fetch.max.wait.ms": ("consumer", "fetch_max_wait_ms", _int),
    "fetch.min.bytes": ("consumer", "fetch_min_bytes", _int),
    "fetch.max.bytes": ("consumer", "fetch_max_bytes", _int),
    "max.partition.fetch.bytes": ("consumer", "max_partition_fetch_bytes", _int),
    "auto.offset.reset": ("consumer", "auto_offset_reset", _choice("earliest", "latest", "none")),
    "isolation.level": (
        "consumer",
        "isolation_level",
        _choice("read_uncommitted", "read_committed"),
    ),
    "check.crcs": ("consumer", "check_crcs", _bool),
    "exclude.internal.topics": ("consumer", "exclude_internal_topics", _bool),
    "client.rack": ("consumer", "client_rack", _text),
    "acks": ("producer", "acks", _acks),
    "compression.type": (
        "producer",
        "compression_type",
        _choice("gzip", "snappy", "lz4", "zstd", none="none"),
    ),
    "batch.size": ("producer", "max_batch_size", _int),
    "linger.ms": ("producer", "linger_ms", _int),
    "max.request.size": ("producer", "max_request_size", _int),
    "enable.idempotence": ("producer", "enable_idempotence", _bool),
}
# Handled elsewhere (security) or deliberately fixed by the runtime (serialisation, commits).
_HANDLED = {"security.protocol", "sasl.mechanism", "sasl.jaas.config"}
_FIXED = {
    "key.serializer",
    "value.serializer",
    "key.deserializer",
    "value.deserializer",
    "enable.auto.commit",
    "auto.commit.interval.ms",
}


@dataclass(frozen=True)
class SaslCredentials:
    mechanism: str
    username: str
    password: str = field(repr=False)


_JAAS = re.compile(r"^\s*(?P<module>[\w.$]+)\s+(?P<flag>required|requisite|sufficient|optional)\b")
_JAAS_OPTION = re.compile(
    r"""([\w.\-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s;]+))"""
)


def parse_jaas(jaas: str, mechanism: str, where: str = ADMIN_PATH) -> SaslCredentials:
    """User and password from a Java JAAS line, as Kafka's Plain/ScramLoginModule read it.

    `org.apache.kafka.common.security.plain.PlainLoginModule required username='u' password='p';`
    """
    match = _JAAS.match(jaas or "")
    expected = _LOGIN_MODULES[mechanism]
    example = f"{expected} required username='USER' password='PASSWORD';"
    if match is None:
        raise KafkaConfigError(f"{where}.sasl.jaas.config is not a JAAS line; expected: {example}")
    if match["module"] != expected:
        raise KafkaConfigError(
            f"{where}.sasl.jaas.config uses {match['module']}, but sasl.mechanism {mechanism} "
            f"needs {expected}; expected: {example}"
        )
    options: dict[str, str] = {}
    for option in _JAAS_OPTION.finditer(jaas[match.end() :]):
        quoted = option[2] if option[2] is not None else option[3]
        value = option[4] if quoted is None else re.sub(r"\\(.)", r"\1", quoted)
        options[option[1]] = value
    missing = [name for name in ("username", "password") if not options.get(name)]
    if missing:
        raise KafkaConfigError(
            f"{where}.sasl.jaas.config has no {' and no '.join(missing)}; expected: {example}"
        )
    return SaslCredentials(mechanism, options["username"], options["password"])


@dataclass(frozen=True)
class KafkaSettings:
    """aiokafka arguments for each kind of client, from LangStream-style properties."""

    common: dict[str, Any]
    consumer: dict[str, Any] = field(default_factory=dict)
    producer: dict[str, Any] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()
    credentials: SaslCredentials | None = None

    @property
    def bootstrap_servers(self) -> list[str]:
        return list(self.common.get("bootstrap_servers") or [])

    @classmethod
    def from_properties(
        cls, properties: Mapping[str, Any] | None, where: str = ADMIN_PATH
    ) -> KafkaSettings:
        properties = dict(properties or {})
        if not properties.get("bootstrap.servers"):
            raise KafkaConfigError(
                f"{where}.bootstrap.servers is missing; set it to the cluster's host:port list, "
                "e.g. localhost:9092 (start a local broker with `ls-workbench broker`)"
            )
        common, consumer, producer = _map_properties(properties, where)
        credentials = _security(properties, where, common)
        ignored = tuple(
            sorted(set(properties) - set(PROPERTIES) - _HANDLED - _FIXED - _ssl_keys(properties))
        )
        return cls(common, consumer, producer, ignored, credentials)

    def admin_kwargs(self) -> dict[str, Any]:
        return dict(self.common)

    def consumer_kwargs(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """`overrides`: Java properties of a topic's `options.consumer.*`, or aiokafka names."""
        return {
            **self.common,
            **CONSUMER_DEFAULTS,
            **self.consumer,
            **_client_overrides(overrides, "consumer"),
        }

    def producer_kwargs(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {
            **self.common,
            **PRODUCER_DEFAULTS,
            **self.producer,
            **_client_overrides(overrides, "producer"),
        }

    def describe(self) -> str:
        """Where and how we connect, for error messages (never the password)."""
        text = ",".join(self.bootstrap_servers)
        protocol = self.common.get("security_protocol", "PLAINTEXT")
        text += f" (security.protocol {protocol}"
        if self.credentials is not None:
            text += (
                f", sasl.mechanism {self.credentials.mechanism}, user {self.credentials.username!r}"
            )
        return text + ")"


def _map_properties(
    properties: Mapping[str, Any], where: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    scopes: dict[str, dict[str, Any]] = {"all": {}, "consumer": {}, "producer": {}}
    for name, value in properties.items():
        known = PROPERTIES.get(name)
        if known is None or value is None:
            continue
        scope, argument, convert = known
        scopes[scope][argument] = convert(f"{where}.{name}", value)
    return scopes["all"], scopes["consumer"], scopes["producer"]


def _client_overrides(overrides: Mapping[str, Any] | None, kind: str) -> dict[str, Any]:
    """Java names (mapped, other kinds skipped) or aiokafka names (passed as they are)."""
    result: dict[str, Any] = {}
    for name, value in (overrides or {}).items():
        known = PROPERTIES.get(name)
        if known is not None:
            scope, argument, convert = known
            if scope in ("all", kind):
                result[argument] = convert(f"options.{kind}.{name}", value)
        elif "." not in name and name not in _FIXED:
            result[name] = value
    return result


def topic_client_options(options: Mapping[str, Any] | None, kind: str) -> dict[str, Any]:
    """A LangStream topic's `options.consumer.*` or `options.producer.*`, prefix removed."""
    prefix = f"{kind}."
    return {
        name[len(prefix) :]: value
        for name, value in (options or {}).items()
        if name.startswith(prefix) and name != f"{kind}."
    }


def _ssl_keys(properties: Mapping[str, Any]) -> set[str]:
    from kernel_runtime.brokers.kafka_ssl import SSL_PROPERTIES

    return {name for name in properties if name in SSL_PROPERTIES}


def _security(
    properties: Mapping[str, Any], where: str, common: dict[str, Any]
) -> SaslCredentials | None:
    protocol = str(properties.get("security.protocol") or "PLAINTEXT").strip().upper()
    if protocol not in SECURITY_PROTOCOLS:
        raise KafkaConfigError(
            f"{where}.security.protocol {protocol!r} is not one of {', '.join(SECURITY_PROTOCOLS)}"
        )
    common["security_protocol"] = protocol
    if protocol in ("SSL", "SASL_SSL"):
        from kernel_runtime.brokers.kafka_ssl import ssl_context

        common["ssl_context"] = ssl_context(properties, where)
    if not protocol.startswith("SASL_"):
        return None
    mechanism = str(properties.get("sasl.mechanism") or "GSSAPI").strip().upper()
    if mechanism not in SASL_MECHANISMS:
        raise KafkaConfigError(
            f"{where}.sasl.mechanism {mechanism} is not supported yet; use one of "
            f"{', '.join(SASL_MECHANISMS)}"
            + (
                " (Java's default when unset is GSSAPI)"
                if "sasl.mechanism" not in properties
                else ""
            )
        )
    credentials = parse_jaas(str(properties.get("sasl.jaas.config") or ""), mechanism, where)
    common.update(
        sasl_mechanism=mechanism,
        sasl_plain_username=credentials.username,
        sasl_plain_password=credentials.password,
    )
    return credentials
