"""An agent that raises: retries, then skip / dead-letter / fail, and nothing is lost."""

from __future__ import annotations

import asyncio

import pytest

from kernel_runtime.agents.python_loader import AgentCodeError
from kernel_runtime.runtime import UnrunnableApplication


async def committed(runtime, group: str, topic: str) -> int:
    return sum((await runtime.broker.committed(group, topic)).values())


async def wait_committed(runtime, group: str, topic: str, count: int) -> int:
    for _ in range(300):
        value = await committed(runtime, group, topic)
        if value >= count:
            return value
        await asyncio.sleep(0.01)
    return await committed(runtime, group, topic)


async def test_skip_commits_and_counts_the_failed_record(start_app):
    runtime = await start_app("errors", agents=["skipper"])
    for value in ["good-1", "bad-1", "good-2"]:
        await runtime.send("in-skip", value)

    out = await runtime.collect("out", count=2, timeout=5)

    assert [r.value() for r in out] == ["good-1", "good-2"]
    assert await wait_committed(runtime, "langstream-agent-skipper", "in-skip", 3) == 3
    stats = runtime.status()["skipper"]
    assert stats["skipped"] == 1 and stats["state"] == "running"
    assert "cannot handle 'bad-1'" in stats["last_error"]


async def test_dead_letter_gets_the_input_with_the_error_in_headers(start_app):
    runtime = await start_app("errors", agents=["dead-letterer"])
    for value in ["bad-1", "good-1"]:
        await runtime.send("in-dead-letter", value, key="k", headers=[("trace", "t1")])

    letters = await runtime.collect("in-dead-letter-deadletter", count=1, timeout=5)
    out = await runtime.collect("out", count=1, timeout=5)

    assert [r.value() for r in out] == ["good-1"]
    letter = letters[0]
    assert (letter.value(), letter.key()) == ("bad-1", "k")
    headers = dict(letter.headers())
    assert headers["trace"] == "t1"
    assert headers["langstream-error-agent"] == "dead-letterer"
    assert headers["langstream-error-type"] == "ValueError"
    assert headers["langstream-error-message"] == "cannot handle 'bad-1'"
    assert headers["langstream-error-attempts"] == "3"  # 1 + retries: 2
    assert runtime.status()["dead-letterer"]["dead_lettered"] == 1


async def test_fail_stops_the_agent_and_keeps_the_offset(start_app, tmp_path):
    runtime = await start_app("errors", agents=["failer"])
    for value in ["good-1", "bad-1", "good-2"]:
        await runtime.send("in-fail", value)

    out = await runtime.collect("out", count=1, timeout=5)
    executor = runtime.executors["failer"]
    for _ in range(100):
        if executor.stats.state == "failed":
            break
        await asyncio.sleep(0.01)

    assert [r.value() for r in out] == ["good-1"]
    assert executor.stats.state == "failed"
    assert "on-failure: fail" in executor.stats.last_error
    assert await committed(runtime, "langstream-agent-failer", "in-fail") == 1  # bad-1 re-read
    assert len(await runtime.collect("out", timeout=0.2)) == 1  # good-2 not written either
    with pytest.raises(Exception, match="cannot handle 'bad-1'"):
        await runtime.wait()


async def test_retries_absorb_transient_failures(start_app):
    runtime = await start_app("errors", agents=["flaky"])
    for value in ["a", "b"]:
        await runtime.send("in-flaky", value)
    out = await runtime.collect("out", count=2, timeout=5)
    assert [r.value() for r in out] == ["a", "b"]
    assert runtime.status()["flaky"]["failed"] == 0


async def test_missing_class_is_named_with_a_suggestion(start_app):
    with pytest.raises(AgentCodeError, match=r"has no class 'Exclamaton'; did you mean"):
        await start_app("bad-class")


async def test_syntax_error_names_file_and_line(start_app):
    with pytest.raises(AgentCodeError, match=r"syntax error in .*broken\.py:5"):
        await start_app("bad-syntax")


async def test_unrunnable_agent_types_are_refused_up_front(start_app, tmp_path):
    app = tmp_path / "chat-app"
    app.mkdir()
    (app / "pipeline.yaml").write_text(
        "topics:\n  - name: q\n    creation-mode: create-if-not-exists\n"
        "  - name: a\n    creation-mode: create-if-not-exists\n"
        "pipeline:\n  - id: ask\n    type: flare-controller\n    input: q\n    output: a\n"
        "    configuration:\n      tokens-field: value.tokens\n      logprobs-field: value.logprobs\n"
        "      loop-topic: q\n      retrieve-documents-field: value.retrieve\n"
    )
    with pytest.raises(UnrunnableApplication, match=r"agent 'ask' .* type 'flare-controller'"):
        await start_app(app)
