"""Wrong Kafka settings fail fast with an error that says what is wrong and how to fix it."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import pytest

from kernel_runtime.brokers.kafka import KafkaBroker
from kernel_runtime.brokers.kafka_config import KafkaSettings
from kernel_runtime.brokers.kafka_errors import KafkaConnectionError
from kernel_runtime.brokers.tansu import free_port
from kernel_runtime.runtime import UnrunnableApplication
from tests.conftest import APPS, PROJECT_ROOT
from tests.kafka.fixtures import start_tansu

SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule"
PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule"


def run_cli(*args: str, timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "kernel_runtime", "run", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=PROJECT_ROOT,
    )
    return result, time.monotonic() - started


def kafka_instance(tmp_path, servers: str, **admin: str):
    lines = "".join(f'        {key}: "{value}"\n' for key, value in admin.items())
    path = tmp_path / "instance.yaml"
    path.write_text(
        "instance:\n  streamingCluster:\n    type: kafka\n    configuration:\n      admin:\n"
        f"        bootstrap.servers: {servers}\n{lines}"
    )
    return path


async def test_unreachable_bootstrap_servers_fail_at_once_and_say_so():
    servers = f"127.0.0.1:{free_port()}"  # nothing listens there
    broker = KafkaBroker(servers, connect_timeout=20)
    started = time.monotonic()
    with pytest.raises(KafkaConnectionError) as error:
        await broker.start()
    assert time.monotonic() - started < 10
    assert error.value.reason == "unreachable"
    assert f"cannot reach the Kafka cluster at {servers}" in str(error.value)
    assert "bootstrap.servers" in str(error.value) and "ls-workbench broker" in str(error.value)


def test_run_with_unreachable_cluster_exits_1_with_the_reason(tmp_path):
    instance = kafka_instance(tmp_path, f"127.0.0.1:{free_port()}")
    result, elapsed = run_cli(str(APPS / "exclamation-processor"), "-i", str(instance))
    assert result.returncode == 1, result.stderr
    assert "error: cannot reach the Kafka cluster at 127.0.0.1:" in result.stderr
    assert "Traceback" not in result.stderr
    assert elapsed < 30


async def test_a_server_that_never_answers_times_out_within_the_bound():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:  # accepts, reads nothing, answers nothing
        silent.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(silent.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        broker = KafkaBroker(f"127.0.0.1:{silent.getsockname()[1]}", connect_timeout=2)
        started = time.monotonic()
        with pytest.raises(KafkaConnectionError) as error:
            await broker.start()
        assert time.monotonic() - started < 10
        assert error.value.reason == "timeout"
        assert "did not answer within 2s" in str(error.value)
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        silent.close()


@pytest.fixture
def tansu_with_authentication():
    """tansu requiring SASL. It has no users (a memory-only tansu cannot get any: creating one
    needs an authenticated connection), so every login is a wrong one."""
    secured = start_tansu(authentication=True)
    yield secured
    secured.stop()


@pytest.mark.parametrize(
    ("mechanism", "module"),
    [("SCRAM-SHA-256", SCRAM), ("SCRAM-SHA-512", SCRAM), ("PLAIN", PLAIN)],
)
async def test_wrong_sasl_credentials_are_reported_as_a_refused_login(
    tansu_with_authentication, mechanism, module
):
    settings = KafkaSettings.from_properties(
        {
            "bootstrap.servers": tansu_with_authentication.bootstrap_servers,
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": mechanism,
            "sasl.jaas.config": f"{module} required username='alice' password='wrong';",
        }
    )
    broker = KafkaBroker(settings, connect_timeout=20)
    started = time.monotonic()
    with pytest.raises(KafkaConnectionError) as error:
        await broker.start()
    assert time.monotonic() - started < 15
    assert error.value.reason == "auth"
    message = str(error.value)
    assert "did not accept our login" in message and "user 'alice'" in message
    assert "sasl.jaas.config" in message and "wrong" not in message.replace("wrong user", "")


async def test_missing_topic_with_creation_mode_none_is_refused_before_anything_runs(
    start_app, make_broker, tmp_path
):
    kafka = await make_broker("kafka")
    app = tmp_path / "no-create"
    app.mkdir()
    (app / "pipeline.yaml").write_text(
        "topics:\n  - name: in\n    creation-mode: create-if-not-exists\n"
        "  - name: out\n    creation-mode: none\n"
        "pipeline:\n  - id: copy\n    type: identity\n    input: in\n    output: out\n"
    )
    with pytest.raises(UnrunnableApplication, match="topic 'out' has creation-mode: none but"):
        await start_app(app, broker=kafka)
    assert not await kafka.topic_exists("out")


def test_run_refuses_a_missing_topic_and_unsupported_clusters(tansu, tmp_path):
    app = tmp_path / "no-create"
    app.mkdir()
    (app / "pipeline.yaml").write_text(
        "topics:\n  - name: in\n    creation-mode: none\n"
        "pipeline:\n  - id: copy\n    type: identity\n    input: in\n"
    )
    result, elapsed = run_cli(
        str(app), "-i", str(kafka_instance(tmp_path, tansu.bootstrap_servers))
    )
    assert result.returncode == 1
    assert "topic 'in' has creation-mode: none but does not exist" in result.stderr
    assert elapsed < 30

    pulsar = tmp_path / "pulsar.yaml"
    pulsar.write_text("instance:\n  streamingCluster:\n    type: pulsar\n    configuration: {}\n")
    result, _ = run_cli(str(APPS / "exclamation-processor"), "-i", str(pulsar))
    assert result.returncode == 1
    assert "streamingCluster type 'pulsar' is not supported yet" in result.stderr
