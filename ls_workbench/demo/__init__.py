"""`ls-workbench demo`: the bundled ticket-triage application, end to end on the embedded broker.

It loads the application folder next to this file exactly as `ls-workbench run` would, sends
sample tickets to its input topic, waits until every ticket came out, and prints what flowed
through each topic.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path

from kernel_runtime.headless import load_for_run
from kernel_runtime.runtime import ApplicationRuntime, RuntimeOptions

APP_DIR = Path(__file__).parent / "app"

SAMPLE_TICKETS = [
    ("acme", "The dashboard is down for all our users"),
    ("globex", "How do I change my invoice address?"),
    ("acme", "Feature request: dark mode"),
    ("initech", "We cannot login since this morning"),
    ("globex", "Export to CSV drops the last column"),
    ("umbrella", "Possible data loss after the last sync"),
    ("initech", "Typo on the pricing page"),
    ("acme", "Can we get an extra seat?"),
]


def _tickets(count: int) -> list[tuple[str, dict]]:
    tickets = []
    for number in range(count):
        customer, text = SAMPLE_TICKETS[number % len(SAMPLE_TICKETS)]
        tickets.append((customer, {"id": number + 1, "customer": customer, "text": text}))
    return tickets


def _show(value: object) -> str:
    return json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else str(value)


async def demo(records: int = 8, state_root: Path | None = None) -> dict[str, list]:
    """Run the demo; returns the records collected per output topic."""
    app = load_for_run(APP_DIR)
    options = RuntimeOptions(application_id="ticket-triage")
    if state_root is not None:
        options.state_root = state_root
    tickets = _tickets(records)
    started = time.perf_counter()
    async with ApplicationRuntime(app, options=options) as runtime:
        print(f"started {len(runtime.executors)} executor(s) on the embedded broker:")
        for executor_id, status in runtime.status().items():
            print(f"  {executor_id}: {' -> '.join(status['agents'])}")
        for customer, ticket in tickets:
            await runtime.send("tickets", ticket, key=customer)
        urgent_expected = sum(1 for _, t in tickets if _is_urgent(app, t["text"]))
        urgent = await runtime.collect("urgent-tickets", count=urgent_expected, timeout=10)
        routine = await runtime.collect(
            "routine-tickets", count=records - urgent_expected, timeout=10
        )
        stats = await runtime.collect("ticket-stats", count=len(routine), timeout=10)
        failures = runtime.failures()
    elapsed = time.perf_counter() - started
    print(f"\nsent {records} ticket(s) to 'tickets'")
    for topic, flowed in (
        ("urgent-tickets", urgent),
        ("routine-tickets", routine),
        ("ticket-stats", stats),
    ):
        print(f"\n{topic}: {len(flowed)} record(s)")
        for record in flowed:
            print(
                f"  p{record.partition}@{record.offset} key={record.key()} {_show(record.value())}"
            )
    print(f"\ndone in {elapsed:.2f}s")
    if failures:
        print(f"failures: {failures}")
    return {"urgent-tickets": urgent, "routine-tickets": routine, "ticket-stats": stats}


def _is_urgent(app, text: str) -> bool:
    words = next(a for a in app.agents() if a.id == "classify").configuration["urgent-words"]
    return any(word in text.lower() for word in words)


def run_demo(records: int = 8) -> int:
    with tempfile.TemporaryDirectory(prefix="ls-workbench-demo-") as state:
        flowed = asyncio.run(demo(records, Path(state)))
    total = len(flowed["urgent-tickets"]) + len(flowed["routine-tickets"])
    return 0 if total == records else 1
