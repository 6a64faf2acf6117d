"""The full fault run: 100,000 records through a 3-step pipeline on tansu, the runtime process
SIGKILLed at three random points and restarted; prints duplicates and checks nothing was lost.

    python benchmarks/kafka_fault.py [--records 100000] [--kills 3] [--seed N]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.kafka.fault

from kernel_runtime.brokers.tansu import TansuBroker  # noqa: E402
from tests.kafka.fault import fault_run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    with TansuBroker() as tansu, tempfile.TemporaryDirectory() as workdir:
        report = asyncio.run(
            fault_run(
                tansu.bootstrap_servers,
                Path(workdir),
                records=args.records,
                kills=args.kills,
                seed=args.seed,
                timeout=args.timeout,
            )
        )
    print(f"records          : {report.records:,}")
    print(f"kills (SIGKILL)  : {len(report.kill_points)} at {report.kill_points} outputs seen")
    print(f"outputs          : {report.outputs:,}")
    print(f"duplicates       : {report.duplicates:,}")
    print(f"missing          : {len(report.missing)} {report.missing[:5]}")
    print(f"seconds          : {report.seconds:.1f}")
    return 1 if report.missing else 0


if __name__ == "__main__":
    sys.exit(main())
