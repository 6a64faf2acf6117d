"""The Workbench API: cells become a real application folder that runs, swaps and stops cleanly."""

from __future__ import annotations

import time

import pytest
from langstream import Record

from kernel_runtime.manifest import load_application
from ls_workbench.errors import DefinitionError, PipelineError
from tests.notebook.conftest import UPPER, wait_until

EXCLAIM = """
from langstream import Processor, SimpleRecord


class Exclaim(Processor):
    def process(self, record):
        return [SimpleRecord(record.value() + "!", key=record.key())]
"""

FAILING_INIT = """
from langstream import Processor


class Upper(Processor):
    def init(self, config, context):
        raise ValueError("missing api key")

    def process(self, record):
        return [record]
"""


def test_cells_become_a_langstream_folder_that_runs(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="questions", output="answers", code=UPPER)

    app = load_application(wb.app_dir)  # the folder validates on its own
    [agent] = app.agents()
    assert (agent.id, agent.input, agent.output) == ("upper", "questions", "answers")
    assert agent.configuration["className"] == "upper.Upper"
    assert (wb.app_dir / "python" / "upper.py").read_text() == UPPER
    assert set(app.topics()) == {"questions", "answers"}

    wb.start()
    wb.send("questions", "hello", key="k1", headers={"lang": "en"})
    [record] = wb.collect("answers", count=1, timeout=10)
    assert isinstance(record, Record)
    assert (record.value(), record.key(), record.headers()) == ("HELLO", "k1", [("lang", "en")])
    assert wb.status().executors["upper"]["state"] == "running"


def test_agents_chain_through_implicit_topics_in_cell_order(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="in", code=UPPER)
    wb.define_agent("exclaim", "python-processor", output="out", code=EXCLAIM)
    wb.start()
    wb.send("in", "hi")
    assert wb.collect("out", count=1, timeout=10).values() == ["HI!"]


def test_redefining_a_running_agent_swaps_it_and_loses_nothing(workbench):
    wb = workbench()
    wb.define_agent("shout", "python-processor", input="in", output="out", code=UPPER)
    wb.start()
    wb.send_many("in", [f"m{i}" for i in range(200)])
    change = wb.define_agent("shout", "python-processor", input="in", output="out", code=EXCLAIM)
    wb.send_many("in", [f"n{i}" for i in range(200)])

    out = wb.collect("out", count=400, timeout=20).values()

    assert "shout swapped" in str(change)
    assert {v.rstrip("!").lower() for v in out} >= {f"m{i}" for i in range(200)} | {
        f"n{i}" for i in range(200)
    }
    assert out[-1] == "n199!"
    assert wb.status().executors["shout"]["received"] >= 400  # counted across the swap


def test_a_syntax_error_leaves_the_running_version_and_the_folder(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="in", output="out", code=UPPER)
    wb.start()

    with pytest.raises(DefinitionError, match="syntax error at line 2 of the cell"):
        wb.define_agent("upper", "python-processor", input="in", output="out", code="x = 1\ndef (:")

    assert (wb.app_dir / "python" / "upper.py").read_text() == UPPER
    wb.send("in", "still")
    assert wb.collect("out", count=1).values() == ["STILL"]


def test_a_failing_init_leaves_the_running_version_and_the_folder(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="in", output="out", code=UPPER)
    wb.start()

    with pytest.raises(PipelineError, match="missing api key") as caught:
        wb.define_agent("upper", "python-processor", input="in", output="out", code=FAILING_INIT)

    assert "running pipeline is unchanged" in str(caught.value)
    assert (wb.app_dir / "python" / "upper.py").read_text() == UPPER
    wb.send("in", "still")
    assert wb.collect("out", count=1).values() == ["STILL"]


def test_an_invalid_application_is_reported_but_kept_until_start(workbench):
    wb = workbench()
    change = wb.define_agent("shape", "compute", input="in", configuration="fieldz: []")
    assert "not runnable yet" in str(change) and "did you mean 'fields'" in str(change)
    with pytest.raises(PipelineError, match="needs configuration 'fields'"):
        wb.start()


def test_class_name_is_inferred_or_asked_for(workbench):
    wb = workbench()
    two = UPPER + EXCLAIM.replace("from langstream import Processor, SimpleRecord", "")
    with pytest.raises(DefinitionError, match="several agent classes .*--class-name"):
        wb.define_agent("both", "python-processor", input="in", output="out", code=two)
    wb.define_agent(
        "both", "python-processor", input="in", output="out", code=two, class_name="Exclaim"
    )
    assert wb.application().agents()[0].configuration["className"] == "both.Exclaim"
    with pytest.raises(DefinitionError, match="defines no agent class"):
        wb.define_agent("none", "python-processor", input="in", output="out", code="x = 1\n")


def test_module_names_never_shadow_installed_modules(workbench):
    wb = workbench()
    wb.define_agent("json", "python-processor", input="in", output="out", code=UPPER)
    assert wb.application().agents()[0].configuration["className"] == "json_agent.Upper"


def test_non_python_agents_take_their_yaml_configuration(workbench):
    wb = workbench()
    wb.define_agent(
        "shape",
        "compute",
        input="in",
        output="out",
        configuration="fields:\n  - name: value.n2\n    expression: value.n * 2\n",
    )
    wb.start()
    wb.send("in", {"n": 21})
    assert wb.collect("out", count=1).values() == [{"n": 21, "n2": 42}]


def test_an_agent_class_object_is_written_with_its_imports(workbench):
    from langstream import Processor, SimpleRecord

    class Doubler(Processor):
        def process(self, record):
            return [SimpleRecord(record.value() * 2)]

    wb = workbench()
    wb.define_agent("double", "python-processor", input="in", output="out", code=Doubler)
    source = (wb.app_dir / "python" / "double.py").read_text()
    assert "from langstream.api import Processor" in source or "import Processor" in source
    wb.start()
    wb.send("in", 21)
    assert wb.collect("out", count=1).values() == [42]


def test_collect_reads_without_taking_records_from_the_agents(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="in", output="out", code=UPPER)
    wb.send_many("in", ["a", "b"])
    assert wb.collect("in").values() == ["a", "b"]  # what the topic holds now
    wb.start()
    assert wb.collect("out", count=2).values() == ["A", "B"]
    assert wb.collect("in", count=5, timeout=0.3).values() == ["a", "b"]  # times out, no more
    assert repr(wb.collect("out", count=3, timeout=0.2)).startswith(
        "2 record(s) from 'out' (3 expected"
    )


def test_unknown_topics_are_named_with_the_known_ones(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="in", output="out", code=UPPER)
    with pytest.raises(DefinitionError, match="topic 'nope' is not defined.*in, out"):
        wb.send("nope", 1)


def test_the_pipeline_keeps_flowing_while_the_kernel_thread_blocks(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="in", output="out", code=UPPER)
    wb.start()
    wb.send_many("in", [f"r{i}" for i in range(100)])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        time.sleep(0.5)  # a cell that blocks; nothing here calls into the Workbench
        if len(wb.collect("out")) == 100:  # reads only what is already there
            break
    assert len(wb.collect("out")) == 100


def test_stop_and_start_resume_from_committed_offsets(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="in", output="out", code=UPPER)
    wb.start()
    wb.send_many("in", ["a", "b"])
    assert len(wb.collect("out", count=2)) == 2
    assert wb.stop().state == "stopped"
    wb.send("in", "c")
    time.sleep(0.2)
    assert wb.collect("out").values() == ["A", "B"]  # stopped: nothing processed
    wb.start()
    assert wb.collect("out", count=4, timeout=1).values() == ["A", "B", "C"]


def test_state_survives_restarts_and_reset_forgets_it(workbench):
    counter = """
import os
from langstream import Processor, SimpleRecord


class Counter(Processor):
    def init(self, config, context):
        self.path = os.path.join(context.get_persistent_state_directory(), "count")
        self.count = int(open(self.path).read()) if os.path.exists(self.path) else 0

    def process(self, record):
        self.count += 1
        with open(self.path, "w") as handle:
            handle.write(str(self.count))
        return [SimpleRecord(self.count)]
"""
    wb = workbench("counter")
    wb.define_agent("count", "python-processor", input="in", output="out", disk="10M", code=counter)
    wb.start()
    wb.send_many("in", ["x", "y"])
    assert wb.collect("out", count=2).values() == [1, 2]
    wb.close()

    again = workbench("counter")  # a new kernel: the state directory is still there
    again.define_agent(
        "count", "python-processor", input="in", output="out", disk="10M", code=counter
    )
    again.start()
    again.send("in", "z")
    assert again.collect("out", count=1).values() == [3]
    again.close()

    fresh = workbench("counter", reset=True)
    fresh.define_agent(
        "count", "python-processor", input="in", output="out", disk="10M", code=counter
    )
    fresh.start()
    fresh.send("in", "z")
    assert fresh.collect("out", count=1).values() == [1]


def test_dead_letters_carry_the_error(workbench):
    failing = """
from langstream import Processor


class Picky(Processor):
    def process(self, record):
        if record.value() == "bad":
            raise ValueError("cannot handle bad")
        return [record]
"""
    wb = workbench()
    wb.define_agent(
        "picky",
        "python-processor",
        input="in",
        output="out",
        on_failure="dead-letter",
        code=failing,
    )
    wb.start()
    wb.send_many("in", ["good", "bad"])
    [letter] = wb.collect("in-deadletter", count=1)
    assert letter.value() == "bad"
    assert dict(letter.headers())["langstream-error-message"] == "cannot handle bad"
    assert wb.collect("out", count=1).values() == ["good"]


def test_rerunning_an_unchanged_cell_keeps_the_agent_unless_it_failed(workbench):
    fragile = """
from langstream import Processor


class Fragile(Processor):
    def process(self, record):
        if record.value() == "boom":
            raise RuntimeError("boom")
        return [record]
"""
    wb = workbench()
    wb.define_agent("fragile", "python-processor", input="in", output="out", code=fragile)
    wb.start()
    before = wb.engine.runtime.executors["fragile"]
    assert "unchanged" in str(
        wb.define_agent("fragile", "python-processor", input="in", output="out", code=fragile)
    )
    assert wb.engine.runtime.executors["fragile"] is before

    wb.send("in", "boom")
    wait_until(lambda: wb.status().executors["fragile"]["state"] == "failed", what="failure")
    change = wb.define_agent("fragile", "python-processor", input="in", output="out", code=fragile)
    assert "fragile swapped" in str(change)  # restarted (it fails again on the same record)
    assert wb.engine.runtime.executors["fragile"] is not before


def test_a_kafka_broker_url_runs_the_pipeline_on_kafka(tansu, workbench):  # tansu stops last
    wb = workbench(
        broker=f"kafka://{tansu.bootstrap_servers}?session.timeout.ms=1000&heartbeat.interval.ms=200"
    )
    admin = wb.instance.streaming_cluster.configuration["admin"]
    assert admin["bootstrap.servers"] == tansu.bootstrap_servers
    wb.define_agent("upper", "python-processor", input="in", output="out", code=UPPER)
    wb.start()
    inspector = wb.inspect(["out"])
    wb.send_many("in", ["kafka", "too"])

    assert sorted(wb.collect("out", count=2, timeout=60).values()) == ["KAFKA", "TOO"]
    wait_until(lambda: "KAFKA" in inspector.table.value, timeout=60, what="inspector on Kafka")


def test_broker_urls_are_checked():
    from ls_workbench.session import broker_instance

    with pytest.raises(DefinitionError, match="kafka://HOST:PORT"):
        broker_instance("kafka://nohost")
    with pytest.raises(DefinitionError, match="use `memory`"):
        broker_instance("pulsar://x:1")
