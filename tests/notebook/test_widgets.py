"""Widget logic without a browser: what the inspector and pipeline view hold after records flow."""

from __future__ import annotations

import time

from kernel_runtime.records import StreamRecord
from ls_workbench.widgets.graph import layout, pipeline_graph, pipeline_svg
from ls_workbench.widgets.inspector_state import InspectorState
from tests.notebook.conftest import UPPER, wait_until

FAILING = """
from langstream import Processor


class Picky(Processor):
    def process(self, record):
        if "bad" in record.value().lower():
            raise ValueError("cannot handle " + record.value())
        return [record]
"""


def record(topic: str, offset: int, value, key=None, headers=None) -> StreamRecord:
    return StreamRecord(
        value,
        key,
        headers or [],
        timestamp=1_700_000_000_000,
        topic=topic,
        partition=0,
        offset=offset,
    )


def test_state_keeps_a_bounded_newest_first_list():
    state = InspectorState(["t"], max_records=10)
    state.add([record("t", i, {"n": i}) for i in range(25)])
    shown = state.visible()
    assert len(shown) == 10
    assert [r.offset for r in shown[:3]] == [24, 23, 22]
    assert shown[0].value == '{"n": 24}'
    assert state.seen == {"t": 25}


def test_filters_on_key_value_and_header():
    state = InspectorState(["t"])
    state.add(
        [
            record("t", 0, "apple pie", key="alice", headers=[("lang", "en")]),
            record("t", 1, "banana", key="bob", headers=[("lang", "fr")]),
            record("t", 2, {"fruit": "apple"}, key="carol"),
        ]
    )
    state.set_filters(value="APPLE")
    assert [r.offset for r in state.visible()] == [2, 0]
    state.set_filters(value="", key="bo")
    assert [r.offset for r in state.visible()] == [1]
    state.set_filters(key="", header="lang=fr")
    assert [r.offset for r in state.visible()] == [1]
    state.set_filters(header="lang")
    assert [r.offset for r in state.visible()] == [1, 0]


def test_rates_come_from_totals_over_time():
    state = InspectorState(["t"])
    state.update_totals({"t": 0}, now=10.0)
    state.update_totals({"t": 150}, now=11.0)
    state.update_totals({"t": 300}, now=12.0)
    assert state.rate("t") == 150.0
    assert state.totals == {"t": 300}


def test_dead_letters_are_recognised_with_their_error():
    state = InspectorState()
    state.add(
        [
            record("in", 0, "fine"),
            record(
                "in-deadletter",
                0,
                "bad",
                headers=[
                    ("langstream-error-type", "ValueError"),
                    ("langstream-error-message", "cannot handle bad"),
                    ("langstream-error-agent", "picky"),
                ],
            ),
        ]
    )
    [letter] = state.dead_letters()
    assert letter.error == "ValueError: cannot handle bad (agent picky)"


def test_inspector_tails_a_running_pipeline(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="in", output="out", code=UPPER)
    wb.start()
    inspector = wb.inspect(["in", "out"])
    wb.send_many("in", [f"word-{i}" for i in range(30)])

    wait_until(lambda: inspector.state.totals.get("out") == 30, what="30 records counted on out")
    wait_until(lambda: "WORD-29" in inspector.table.value, what="the newest record rendered")
    assert "<b>out</b>: <span class='lsw-total'>30</span>" in inspector.stats.value
    assert wait_until(lambda: inspector.state.lag.get("upper") == 0, what="lag caught up") is True
    assert "consumer lag: upper 0" in inspector.stats.value or inspector.renders >= 1


def test_inspector_renders_a_few_times_a_second_and_keeps_few_records(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="in", output="out", code=UPPER)
    wb.start()
    inspector = wb.inspect(["in", "out"], max_records=100, max_fps=4)
    started = time.monotonic()
    for batch in range(20):
        wb.send_many("in", [f"b{batch}-{i}" for i in range(500)])
    wait_until(lambda: inspector.state.totals.get("out") == 10_000, what="10k records counted")
    elapsed = time.monotonic() - started

    assert len(inspector.state.records) <= 100
    assert inspector.renders <= 4 * elapsed + 2
    assert sum(inspector.state.seen.values()) < 10_000 * 2  # it did not read every record


def test_pause_freezes_the_list_and_resume_shows_what_comes_next(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="in", output="out", code=UPPER)
    wb.start()
    inspector = wb.inspect(["out"])
    wb.send("in", "before")
    wait_until(lambda: "BEFORE" in inspector.table.value, what="first record")
    inspector.pause()
    wb.send("in", "during")
    wait_until(lambda: inspector.state.totals.get("out") == 2, what="second record counted")
    wb.monitor.poke()
    time.sleep(0.5)
    assert "DURING" not in inspector.table.value and "(paused)" in inspector.stats.value
    inspector.resume()
    wb.send("in", "after")
    wait_until(lambda: "AFTER" in inspector.table.value, what="record after resume")
    assert "DURING" not in inspector.table.value


def test_dead_letter_rows_are_highlighted_with_the_error(workbench):
    wb = workbench()
    wb.define_agent(
        "picky",
        "python-processor",
        input="in",
        output="out",
        on_failure="dead-letter",
        code=FAILING,
    )
    wb.start()
    inspector = wb.inspect()
    wb.send_many("in", ["good", "bad apple"])
    wait_until(lambda: "lsw-record lsw-dead" in inspector.table.value, what="a dead-letter row")
    assert "ValueError: cannot handle bad apple (agent picky)" in inspector.table.value


def test_pipeline_view_shows_agents_topics_counts_and_failures(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="in", output="mid", code=UPPER)
    wb.define_agent("picky", "python-processor", input="mid", output="out", code=FAILING)
    view = wb.pipeline_view()
    assert "data-id='upper'" in view.value and "lsw-stopped" in view.value
    wb.start()
    wb.send_many("in", ["ok", "bad"])

    wait_until(lambda: "lsw-failed" in view.value, what="picky shown as failed")
    assert "<g class='lsw-agent lsw-running' data-id='upper'>" in view.value
    assert "cannot handle BAD" in view.value  # the error, as the node's tooltip
    assert "in 2 · out 2" in view.value
    assert "2 records" in view.value  # topic counters


def test_status_panel_follows_the_pipeline(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="in", output="out", code=UPPER)
    panel = wb.panel()
    wb.start()
    wait_until(lambda: "data-executor='upper'" in panel.status.value, what="status row")
    wb.stop()
    wait_until(lambda: "stopped" in panel.status.value, what="stopped state")


def test_the_status_panel_opens_and_closes_the_export_and_deploy_panel(workbench):
    from ls_workbench.widgets.deploy_panel import DeployPanel

    wb = workbench()
    wb.define_agent("upper", "python-processor", input="in", output="out", code=UPPER)
    panel = wb.panel()
    assert panel.deploy_panel is None and panel.deploy_button in panel.children
    panel.deploy_button.click()
    deploy = panel.deploy_panel
    assert isinstance(deploy, DeployPanel) and panel.children[-1] is deploy
    assert deploy.workbench is wb
    assert deploy.validate() is not None and "valid" in deploy.message.value
    panel.deploy_button.click()
    assert deploy not in panel.children
    panel.deploy_button.click()
    assert panel.children[-1] is deploy  # the same panel, with what was typed into it


def test_layout_follows_the_flow(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="in", output="mid", code=UPPER)
    wb.define_agent("again", "python-processor", input="mid", output="out", code=UPPER)
    wb.define_gateways("- id: ask\n  type: produce\n  topic: in\n")
    graph = pipeline_graph(wb.application(), wb.definitions.gateways)
    columns = {node: column for node, (column, _) in layout(graph).items()}
    order = ["gateway:ask", "topic:in", "agent:upper", "topic:mid", "agent:again", "topic:out"]
    assert [columns[node] for node in order] == [0, 1, 2, 3, 4, 5]
    assert pipeline_svg(graph).count("marker-end='url(#lsw-arrow)'") == 5
