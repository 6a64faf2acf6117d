"""A saturated pipeline inside a real Jupyter kernel: cell latency, inspector cost, memory.

A kernel is started with jupyter_client, as JupyterLab starts it. In it, a Workbench runs a
source that produces as fast as the embedded broker takes records, feeding a Python processor.
Then, all measured in that same kernel:

- throughput of the pipeline without and with a record inspector displayed (A/B/A/B windows;
  target: ratio >= 0.8);
- latency of executing `1+1` while the pipeline saturates the broker and the inspector
  renders, from execute_request to execute_reply, p50 and p99 (target p99 < 100 ms),
  against the same measured with the pipeline stopped;
- the kernel's resident memory while 1,000,000 records flow (it should stay flat: topics
  are bounded by retention, the inspector keeps a bounded number of records);
- for reference, latency and throughput of the same pipeline without the runtime's collector
  tuning (kernel_runtime/gc_tuning.py), i.e. with CPython's default thresholds.

    python benchmarks/kernel.py [--records 1000000] [--window 5] [--executions 300]
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil
from jupyter_client.manager import start_new_kernel

PROJECT_ROOT = Path(__file__).resolve().parent.parent

FIREHOSE = '''
from langstream import SimpleRecord, Source


class Firehose(Source):
    """Produces numbered JSON records as fast as they are taken."""

    def init(self, config, context):
        self.number = 0

    async def read(self):
        start, self.number = self.number, self.number + 500
        return [SimpleRecord({"n": n, "text": f"record {n}"}, key=str(n % 16)) for n in range(start, self.number)]
'''

TAG = """
from langstream import Processor, SimpleRecord


class Tag(Processor):
    def process(self, record):
        return [SimpleRecord({**record.value(), "seen": True}, key=record.key())]
"""

SETUP = """
from kernel_runtime.brokers.memory import MemoryBroker
from ls_workbench import Workbench
wb = Workbench("kernel-bench", workdir={workdir!r}, reset=True,
               broker=MemoryBroker(retention_records=20_000))
wb.define_agent("firehose", "python-source", output="raw", code={firehose!r})
wb.define_agent("tag", "python-processor", input="raw", output="tagged", code={tag!r})
def out_total():
    return wb.status().topics.get("tagged", 0)
"""


# the floor for anything computing in the kernel's process: one busy pure-Python thread
SPINNER = """
import threading
spinning = True
def spin():
    while spinning:
        sum(range(1000))
spinner = threading.Thread(target=spin, daemon=True)
spinner.start()
"""


class Kernel:
    """A kernel started as JupyterLab starts one, and a blocking client to it."""

    def __init__(self, cwd: Path) -> None:
        self.manager, self.client = start_new_kernel(kernel_name="python3", cwd=str(cwd))
        self.process = psutil.Process(self.manager.provisioner.process.pid)

    def execute(self, code: str, timeout: float = 120.0) -> dict:
        """Run `code`; returns the execute_reply content (raises on error)."""
        reply = self.client.execute_interactive(
            code, timeout=timeout, store_history=False, output_hook=lambda msg: None
        )
        content = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(f"kernel error: {content.get('ename')}: {content.get('evalue')}")
        return content

    def value(self, expression: str) -> object:
        content = self.client.execute_interactive(
            "",
            user_expressions={"v": expression},
            timeout=60,
            store_history=False,
            output_hook=lambda msg: None,
        )["content"]
        result = content["user_expressions"]["v"]
        if result["status"] != "ok":
            raise RuntimeError(f"{expression}: {result.get('evalue')}")
        return ast.literal_eval(result["data"]["text/plain"])

    def latency(self, executions: int) -> list[float]:
        """Seconds from execute_request to execute_reply of `1+1`, for each execution."""
        times = []
        for _ in range(executions):
            started = time.perf_counter()
            msg_id = self.client.execute("1+1", store_history=False)
            while True:
                reply = self.client.get_shell_msg(timeout=30)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            times.append(time.perf_counter() - started)
            self._drain_iopub()
        return times

    def _drain_iopub(self) -> None:
        while self.client.iopub_channel.msg_ready():
            self.client.get_iopub_msg(timeout=0)

    def rss_mb(self) -> float:
        return self.process.memory_info().rss / 2**20

    def shutdown(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=False)


def throughput(kernel: Kernel, window: float) -> float:
    before, started = kernel.value("out_total()"), time.perf_counter()
    end = started + window
    while time.perf_counter() < end:
        kernel._drain_iopub()
        time.sleep(0.05)
    after, elapsed = kernel.value("out_total()"), time.perf_counter() - started
    return (after - before) / elapsed


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def report_latency(name: str, times: list[float]) -> tuple[float, float]:
    p50, p99 = statistics.median(times) * 1000, percentile(times, 0.99) * 1000
    print(f"  {name:<40} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   max {max(times) * 1000:7.1f} ms")
    return p50, p99


def compare_default_collector(kernel: Kernel, args: argparse.Namespace) -> None:
    """The same pipeline restarted with CPython's collector thresholds (no streaming tuning)."""
    kernel.execute("insp.close(); del insp; wb.stop()")
    kernel.execute("import os; os.environ['LS_WORKBENCH_GC_TUNING'] = '0'; wb.start()")
    time.sleep(1.0)
    latency = kernel.latency(args.executions)
    rate = throughput(kernel, args.window)
    kernel.execute("wb.stop(); del os.environ['LS_WORKBENCH_GC_TUNING']; wb.start()")
    print("the same pipeline with CPython's default collector (LS_WORKBENCH_GC_TUNING=0)")
    report_latency("saturated pipeline, default collector", latency)
    print(f"  throughput, default collector  {rate:10,.0f} records/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--window", type=float, default=5.0, help="seconds per throughput window")
    parser.add_argument("--executions", type=int, default=300)
    parser.add_argument(
        "--switch-interval", type=float, help="override the kernel's sys.setswitchinterval"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="ls-kernel-bench-") as workdir:
        kernel = Kernel(Path(workdir))
        try:
            kernel.execute(f"import sys; sys.path.insert(0, {str(PROJECT_ROOT)!r})")
            kernel.execute(SETUP.format(workdir=workdir, firehose=FIREHOSE, tag=TAG))
            if args.switch_interval is not None:  # after the Workbench, which sets its own
                kernel.execute(f"sys.setswitchinterval({args.switch_interval})")
            idle = kernel.latency(args.executions)
            kernel.execute(SPINNER)
            spinning = kernel.latency(args.executions)
            kernel.execute("spinning = False; spinner.join()")
            kernel.execute("wb.start()")
            time.sleep(1.0)

            print(f"pipeline firehose -> tag on the embedded broker, {args.window:.0f} s windows")
            busy = kernel.latency(args.executions)
            rates: dict[str, list[float]] = {"without": [], "with": []}
            for round_number in range(2):
                rates["without"].append(throughput(kernel, args.window))
                kernel.execute("insp = wb.inspect(); display(insp)")
                rates["with"].append(throughput(kernel, args.window))
                if round_number == 0:
                    kernel.execute("insp.close(); del insp")
            without, with_ = statistics.mean(rates["without"]), statistics.mean(rates["with"])
            renders = kernel.value("insp.renders")
            print(f"  throughput without inspector   {without:10,.0f} records/s")
            print(f"  throughput with inspector      {with_:10,.0f} records/s ({renders} renders)")
            print(f"  ratio with/without             {with_ / without:10.2f}   (target >= 0.8)")

            print(f"latency of `1+1` through the kernel ({args.executions} executions)")
            report_latency("pipeline stopped (baseline)", idle)
            report_latency("one plain Python thread spinning (ref.)", spinning)
            report_latency("saturated pipeline", busy)
            _, p99 = report_latency(
                "saturated pipeline + inspector", kernel.latency(args.executions)
            )
            print(f"  {'':<40} target p99 < 100 ms: {'met' if p99 < 100 else 'NOT met'}")
            compare_default_collector(kernel, args)
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(f"  (machine: {os.cpu_count()} CPUs, load average {load})")

            if args.records > 0:
                print(f"kernel memory over {args.records:,} records")
                start_total, start_rss = kernel.value("out_total()"), kernel.rss_mb()
                samples = [(0, start_rss)]
                next_sample = args.records // 10
                while (done := kernel.value("out_total()") - start_total) < args.records:
                    if done >= next_sample:
                        samples.append((done, kernel.rss_mb()))
                        next_sample += args.records // 10
                    kernel._drain_iopub()
                    time.sleep(0.2)
                samples.append((done, kernel.rss_mb()))
                for count, rss in samples:
                    print(f"  after {count:>10,} records   RSS {rss:8.1f} MB")
                middle = samples[len(samples) // 2][1]
                print(
                    f"  growth first->last {samples[-1][1] - samples[0][1]:+.1f} MB, "
                    f"middle->last {samples[-1][1] - middle:+.1f} MB"
                )
            kernel.execute("wb.close()")
        finally:
            kernel.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
