"""`ls-workbench broker [--port 9092]`: a local Kafka-protocol broker (tansu) until Ctrl-C.

For running applications on Kafka without a cluster. Storage is in memory: every start is an
empty cluster. Point an instance file at the printed address:

    instance:
      streamingCluster:
        type: kafka
        configuration:
          admin:
            bootstrap.servers: 127.0.0.1:9092
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from kernel_runtime.brokers.tansu import DEFAULT_HOST, TansuBroker, TansuError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "broker", help="run a local Kafka-protocol broker (tansu, in memory) until Ctrl-C"
    )
    parser.add_argument("--port", type=int, default=9092, help="port to listen on (default 9092)")
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}; other hosts can then reach it)",
    )


def run(args: argparse.Namespace) -> int:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    broker = TansuBroker(args.port, host=args.host)
    try:
        broker.start()
    except TansuError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    try:
        print(f"Kafka-protocol broker (tansu, in memory) on {broker.bootstrap_servers}", flush=True)
        print(f"bootstrap.servers: {broker.bootstrap_servers}", flush=True)
        print("press Ctrl-C to stop", flush=True)
        while not stop.wait(0.5):
            if broker.process is None or broker.process.poll() is not None:
                print(f"error: tansu exited:\n{broker.log()}", file=sys.stderr)
                return 1
        return 0
    finally:
        broker.stop()
