"""instance.yaml's Kafka properties (Java names) become the right aiokafka arguments."""

from __future__ import annotations

import ssl

import pytest

from kernel_runtime.brokers.kafka import KafkaBroker
from kernel_runtime.brokers.kafka_config import (
    KafkaConfigError,
    KafkaSettings,
    parse_jaas,
    topic_client_options,
)
from tests.kafka.certs import make_certificates

PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule"
SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule"


def test_admin_properties_reach_each_kind_of_client():
    settings = KafkaSettings.from_properties(
        {
            "bootstrap.servers": "a:9092, b:9093",
            "session.timeout.ms": "45000",  # in astra.yaml's admin section, meant for consumers
            "acks": "1",
            "linger.ms": 5,
            "request.timeout.ms": "20000",
            "key.serializer": "org.apache.kafka.common.serialization.StringSerializer",
            "schema.registry.url": "http://registry",
        }
    )
    consumer, producer, admin = (
        settings.consumer_kwargs(),
        settings.producer_kwargs(),
        settings.admin_kwargs(),
    )
    assert consumer["bootstrap_servers"] == ["a:9092", "b:9093"]
    assert consumer["session_timeout_ms"] == 45000 and "acks" not in consumer
    assert producer["acks"] == 1 and producer["linger_ms"] == 5
    assert "session_timeout_ms" not in producer and "session_timeout_ms" not in admin
    assert admin["request_timeout_ms"] == consumer["request_timeout_ms"] == 20000
    assert producer["enable_idempotence"] is False  # tansu and many clusters refuse it
    assert settings.ignored == ("schema.registry.url",)  # reported; serializers are ours


def test_topic_options_override_the_instance_for_their_clients():
    settings = KafkaSettings.from_properties({"bootstrap.servers": "a:1", "max.poll.records": 10})
    options = {"consumer.max.poll.records": "7", "producer.acks": "0", "replication-factor": 3}
    consumer = settings.consumer_kwargs(topic_client_options(options, "consumer"))
    producer = settings.producer_kwargs(topic_client_options(options, "producer"))
    assert consumer["max_poll_records"] == 7 and "acks" not in consumer
    assert producer["acks"] == 0


@pytest.mark.parametrize(
    ("jaas", "user", "password"),
    [
        (f"{PLAIN} required username='alice' password='s3cr;t';", "alice", "s3cr;t"),
        (f'{PLAIN} required username="bob" password="a\\"b";', "bob", 'a"b'),
        (f"{PLAIN} required\n  username=carol\n  password=pw;", "carol", "pw"),
    ],
)
def test_jaas_lines_give_user_and_password(jaas, user, password):
    credentials = parse_jaas(jaas, "PLAIN")
    assert (credentials.username, credentials.password) == (user, password)
    assert password not in repr(credentials)


def test_sasl_settings_become_aiokafka_arguments_and_describe_hides_the_password():
    settings = KafkaSettings.from_properties(
        {
            "bootstrap.servers": "kafka:9093",
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.jaas.config": f"{SCRAM} required username='u1' password='p1';",
        }
    )
    kwargs = settings.admin_kwargs()
    assert kwargs["security_protocol"] == "SASL_PLAINTEXT"
    assert (kwargs["sasl_mechanism"], kwargs["sasl_plain_username"]) == ("SCRAM-SHA-512", "u1")
    assert kwargs["sasl_plain_password"] == "p1"
    assert "u1" in settings.describe() and "p1" not in settings.describe()


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ({}, r"bootstrap.servers is missing; .*ls-workbench broker"),
        ({"bootstrap.servers": "nohostport"}, r"'nohostport' is not host:port"),
        ({"bootstrap.servers": "a:1", "security.protocol": "TLS"}, "is not one of PLAINTEXT"),
        ({"bootstrap.servers": "a:1", "session.timeout.ms": "soon"}, "expected a whole number"),
        (
            {"bootstrap.servers": "a:1", "security.protocol": "SASL_SSL"},
            r"sasl.mechanism GSSAPI is not supported yet.*Java's default",
        ),
        (
            {
                "bootstrap.servers": "a:1",
                "security.protocol": "SASL_PLAINTEXT",
                "sasl.mechanism": "SCRAM-SHA-256",
                "sasl.jaas.config": f"{PLAIN} required username='a' password='b';",
            },
            r"uses .*PlainLoginModule, but sasl.mechanism SCRAM-SHA-256 needs .*ScramLoginModule",
        ),
        (
            {
                "bootstrap.servers": "a:1",
                "security.protocol": "SASL_PLAINTEXT",
                "sasl.mechanism": "PLAIN",
                "sasl.jaas.config": f"{PLAIN} required username='a';",
            },
            "has no password",
        ),
    ],
)
def test_bad_settings_say_what_and_where(properties, message):
    with pytest.raises(KafkaConfigError, match=message) as error:
        KafkaSettings.from_properties(properties)
    assert "streamingCluster.configuration.admin" in str(error.value)


def test_from_instance_needs_an_admin_section():
    with pytest.raises(KafkaConfigError, match=r"configuration.admin is missing"):
        KafkaBroker.from_instance({"type": "kafka", "configuration": {}})
    broker = KafkaBroker.from_instance(
        {"type": "kafka", "configuration": {"admin": {"bootstrap.servers": "h:1"}}}
    )
    assert broker.settings.bootstrap_servers == ["h:1"]


def test_ssl_from_pem_and_pkcs12_stores(tmp_path):
    certs = make_certificates(tmp_path)
    base = {"bootstrap.servers": "a:1", "security.protocol": "SSL"}
    pem = KafkaSettings.from_properties({**base, "ssl.truststore.location": str(certs.ca_pem)})
    context = pem.admin_kwargs()["ssl_context"]
    assert isinstance(context, ssl.SSLContext) and context.check_hostname
    assert [c["subject"] for c in context.get_ca_certs()] == [((("commonName", "test-ca"),),)]

    p12 = KafkaSettings.from_properties(
        {
            **base,
            "ssl.truststore.type": "PKCS12",
            "ssl.truststore.location": str(certs.trust_p12),
            "ssl.truststore.password": "secret",
            "ssl.keystore.type": "PKCS12",
            "ssl.keystore.location": str(certs.client_p12),
            "ssl.keystore.password": "secret",
            "ssl.endpoint.identification.algorithm": "",
        }
    )
    context = p12.admin_kwargs()["ssl_context"]
    assert len(context.get_ca_certs()) == 1 and not context.check_hostname

    inline = KafkaSettings.from_properties(
        {**base, "ssl.truststore.certificates": certs.ca_pem.read_text()}
    )
    assert len(inline.admin_kwargs()["ssl_context"].get_ca_certs()) == 1


def test_ssl_store_problems_are_explained(tmp_path):
    certs = make_certificates(tmp_path)
    base = {"bootstrap.servers": "a:1", "security.protocol": "SSL"}
    jks = tmp_path / "store.jks"
    jks.write_bytes(b"\xfe\xed\xfe\xed" + b"\x00" * 60)
    with pytest.raises(KafkaConfigError, match=r"Java KeyStore \(JKS\).*keytool -importkeystore"):
        KafkaSettings.from_properties({**base, "ssl.truststore.location": str(jks)})
    with pytest.raises(KafkaConfigError, match="check its password"):
        KafkaSettings.from_properties(
            {
                **base,
                "ssl.truststore.location": str(certs.trust_p12),
                "ssl.truststore.password": "wrong",
            }
        )
    with pytest.raises(KafkaConfigError, match="cannot read"):
        KafkaSettings.from_properties({**base, "ssl.truststore.location": str(tmp_path / "no")})
