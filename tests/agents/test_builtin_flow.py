"""dispatch, trigger-event and log-event (LangStream's flow-control agents)."""

from __future__ import annotations

import json
import logging

import pytest

from kernel_runtime.agents.builtin import AgentConfigError
from kernel_runtime.expressions import EvaluationError
from kernel_runtime.records import StreamRecord

from .builtin_helpers import make

ROUTES = [
    {"when": 'properties.language == "en"', "destination": "topic-english"},
    {"when": "properties.language == 'fr'", "destination": "topic-french"},
    {"when": "properties.language == 'none'", "action": "drop"},
]


def with_language(language: str) -> StreamRecord:
    return StreamRecord("text", "k", [("language", language)], "in", 1)


@pytest.mark.parametrize(
    ("language", "destination"),
    [("en", "topic-english"), ("fr", "topic-french"), ("it", None)],
)
async def test_dispatch_routes(language: str, destination: str | None) -> None:
    agent = make("dispatch", {"routes": ROUTES})
    source = with_language(language)
    [out] = await agent.process(source)
    assert out.destination == destination
    assert out == source  # the record itself is not changed
    assert source.destination is None


async def test_dispatch_drop_and_first_match_wins() -> None:
    agent = make("dispatch", {"routes": ROUTES})
    assert await agent.process(with_language("none")) == []
    agent = make(
        "dispatch",
        {"routes": [{"when": "true", "destination": "a"}, {"when": "true", "destination": "b"}]},
    )
    [out] = await agent.process(with_language("x"))
    assert out.destination == "a"


async def test_dispatch_on_json_fields_and_missing_fields() -> None:
    agent = make("dispatch", {"routes": [{"when": "value.kind == 'x'", "destination": "xs"}]})
    [out] = await agent.process(StreamRecord('{"kind": "x"}'))
    assert out.destination == "xs"
    [out] = await agent.process(StreamRecord("not json"))
    assert out.destination is None


async def test_dispatch_without_routes_passes_through() -> None:
    source = with_language("en")
    assert await make("dispatch").process(source) == [source]


async def test_dispatch_evaluation_error_fails_the_record() -> None:
    agent = make("dispatch", {"routes": [{"when": "value.n > 'abc'", "destination": "t"}]})
    with pytest.raises(EvaluationError):
        await agent.process(StreamRecord({"n": 1}))


@pytest.mark.parametrize(
    ("routes", "fragment"),
    [
        ([{"destination": "t"}], "'routes[0].when' is required"),
        ([{"when": "true"}], "'routes[0].destination' is required for a 'dispatch' route"),
        ([{"when": "true", "action": "drop", "destination": "t"}], "must not be set"),
        (
            [{"when": "true", "action": "forward", "destination": "t"}],
            "must be one of dispatch, drop",
        ),
        ([{"when": "value ==", "destination": "t"}], "'routes[0].when' is not a valid expression"),
        ([{"when": "true", "destination": "t", "topic": "x"}], "'routes[0].topic' is unknown"),
        ("x", "'routes' must be a list"),
    ],
)
def test_dispatch_configuration_errors(routes: object, fragment: str) -> None:
    with pytest.raises(AgentConfigError) as info:
        make("dispatch", {"routes": routes})
    assert fragment in str(info.value)


TRIGGER_FIELDS = [
    {"name": "value.computed", "expression": "fn:uppercase(value.original)"},
    {"name": "key.computed", "expression": "fn:lowercase(key.original)"},
    {"name": "properties.computed", "expression": "fn:lowercase(properties.original)"},
]


def trigger_input(i: int) -> StreamRecord:
    return StreamRecord(
        json.dumps({"original": f"Hello Folks {i}", "activator": i}),
        json.dumps({"original": f"Hello World {i}"}),
        [("original", f"Some session id {i}")],
        "in",
        7,
    )


async def test_trigger_event_like_langstream() -> None:
    agent = make(
        "trigger-event",
        {"when": "value.activator > 5", "destination": "other-topic", "fields": TRIGGER_FIELDS},
    )
    for i in range(10):
        source = trigger_input(i)
        out = await agent.process(source)
        assert out[-1] is source  # the original goes downstream
        if i <= 5:
            assert len(out) == 1
            continue
        event = out[0]
        assert event.destination == "other-topic"
        assert event.value()["computed"] == f"HELLO FOLKS {i}"
        assert event.value()["activator"] == i
        assert event.key() == {"original": f"Hello World {i}", "computed": f"hello world {i}"}
        assert event.header("computed") == f"some session id {i}"
        assert (event.origin(), event.timestamp()) == ("in", 7)
        assert json.loads(source.value())["original"] == f"Hello Folks {i}"


async def test_trigger_event_stop_processing() -> None:
    agent = make(
        "trigger-event",
        {"destination": "other-topic", "continue-processing": False, "fields": TRIGGER_FIELDS},
    )
    [event] = await agent.process(trigger_input(1))
    assert event.destination == "other-topic"


async def test_trigger_event_whole_value() -> None:
    agent = make(
        "trigger-event",
        {"destination": "t", "fields": [{"name": "value", "expression": "fn:uppercase(value)"}]},
    )
    event, original = await agent.process(StreamRecord("keep-me"))
    assert event.value() == "KEEP-ME"
    assert original.value() == "keep-me"


async def test_trigger_event_field_on_text_value_fails_the_record() -> None:
    agent = make(
        "trigger-event", {"destination": "t", "fields": [{"name": "value.x", "expression": "1"}]}
    )
    with pytest.raises(ValueError, match="not a map"):
        await agent.process(StreamRecord("text"))


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({}, "'destination' is required"),
        ({"destination": ""}, "'destination' is empty"),
        (
            {"destination": "t", "fields": [{"name": "foo", "expression": "1"}]},
            "is not a record field",
        ),
        ({"destination": "t", "continue-processing": "maybe"}, "must be true or false"),
    ],
)
def test_trigger_event_configuration_errors(config: dict[str, object], fragment: str) -> None:
    with pytest.raises(AgentConfigError) as info:
        make("trigger-event", config)
    assert fragment in str(info.value)


LOGGER = "kernel_runtime.agents.builtin.log-event"


async def test_log_event_logs_the_record_and_passes_it(caplog: pytest.LogCaptureFixture) -> None:
    source = StreamRecord("hello")
    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert await make("log-event").process(source) == [source]
    assert "hello" in caplog.text


async def test_log_event_fields_and_message(caplog: pytest.LogCaptureFixture) -> None:
    agent = make(
        "log-event",
        {
            "when": "value.n > 1",
            "fields": [
                {"name": "n", "expression": "value.n"},
                {"name": "up", "expression": "fn:uppercase(value.s)"},
            ],
            "message": "n={{ value.n }} s={{value.s}} raw={{{value.s}}} {{#value.items}}[{{.}}]{{/value.items}}{{^value.none}}!{{/value.none}}",
        },
    )
    with caplog.at_level(logging.INFO, logger=LOGGER):
        await agent.process(StreamRecord('{"n": 2, "s": "<b>", "items": [1, 2]}'))
        await agent.process(StreamRecord('{"n": 0}'))
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["{n=2, up=<B>}", "n=2 s=&lt;b&gt; raw=<b> [1][2]!"]


async def test_log_event_errors_are_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    agent = make("log-event", {"fields": [{"name": "x", "expression": "value.s + 1"}]})
    source = StreamRecord({"s": "abc"})
    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert await agent.process(source) == [source]
    assert "error while logging" in caplog.text


def test_log_event_bad_template() -> None:
    with pytest.raises(AgentConfigError, match="'message' is not a valid Mustache template"):
        make("log-event", {"message": "{{#a}} unclosed"})
