"""SSL settings from instance.yaml work against a TLS listener, and a wrong CA is reported.

tansu 0.6 serves plain TCP only, so the test puts a TLS terminator on loopback in front of it
(tansu advertises the terminator's port): the client speaks real TLS and real Kafka protocol.
"""

from __future__ import annotations

import asyncio
import ssl
import time

import pytest

from kernel_runtime.brokers.base import TopicSpec
from kernel_runtime.brokers.kafka import KafkaBroker
from kernel_runtime.brokers.kafka_config import KafkaSettings
from kernel_runtime.brokers.kafka_errors import KafkaConnectionError
from kernel_runtime.records import StreamRecord
from tests.kafka.certs import make_certificates
from tests.kafka.fixtures import TEST_CONSUMER_OPTIONS, start_tansu


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


@pytest.fixture
async def tls_kafka(tmp_path):
    """(bootstrap address of a TLS listener in front of tansu, certificates)."""
    certs = make_certificates(tmp_path / "certs")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certs.server_pem, certs.server_key)
    target: dict[str, int] = {}

    async def terminate(reader, writer) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", target["port"]
            )
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))

    server = await asyncio.start_server(terminate, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    tansu = start_tansu(advertised_port=port)
    target["port"] = int(tansu.bootstrap_servers.rsplit(":", 1)[1])
    yield f"127.0.0.1:{port}", certs
    server.close()
    tansu.stop()


def ssl_settings(servers: str, **ssl_properties: str) -> KafkaSettings:
    return KafkaSettings.from_properties(
        {"bootstrap.servers": servers, "security.protocol": "SSL", **ssl_properties}
    )


async def test_ssl_with_the_right_ca_reads_and_writes(tls_kafka):
    servers, certs = tls_kafka
    settings = ssl_settings(servers, **{"ssl.truststore.location": str(certs.ca_pem)})
    broker = KafkaBroker(settings, consumer_options=TEST_CONSUMER_OPTIONS, connect_timeout=20)
    await broker.start()
    try:
        await broker.create_topic(TopicSpec("secure"))
        await broker.producer().send("secure", StreamRecord("over tls", "k"))
        reader = broker.consumer(["secure"], None)
        got = []
        for _ in range(50):
            got += await reader.poll(1, 0.2)
            if got:
                break
        await reader.close()
        assert [(r.value(), r.key()) for r in got] == [("over tls", "k")]
    finally:
        await broker.close()


async def test_ssl_with_an_unknown_ca_is_reported_as_a_tls_failure(tls_kafka, tmp_path):
    servers, _ = tls_kafka
    other = make_certificates(tmp_path / "other")  # a CA that did not sign the broker's cert
    broker = KafkaBroker(
        ssl_settings(servers, **{"ssl.truststore.location": str(other.ca_pem)}),
        connect_timeout=20,
    )
    started = time.monotonic()
    with pytest.raises(KafkaConnectionError) as error:
        await broker.start()
    assert time.monotonic() - started < 15
    assert error.value.reason == "tls"
    assert "ssl.truststore" in str(error.value)
