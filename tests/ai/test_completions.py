"""ai-chat-completions and ai-text-completions against OpenAI and Ollama protocol servers."""

from __future__ import annotations

import json

import pytest

from kernel_runtime.agents.ai.providers.base import ChunkRamp
from kernel_runtime.agents.errors import AgentConfigError
from kernel_runtime.records import StreamRecord

from .helpers import Context, Resource, configure, ollama_resource, openai_resource, start
from .servers import ANSWER_PREFIX, ollama_server, openai_server

QUESTION = StreamRecord(
    json.dumps({"question": "why is the <sky> blue", "docs": [{"text": "a"}, {"text": "b"}]})
)


def chat_config(**extra: object) -> dict:
    return {
        "model": "gpt-test",
        "completion-field": "value.answer",
        "messages": [
            {"role": "system", "content": "Docs:{{# value.docs}} {{ text}}{{/ value.docs}}"},
            {"role": "user", "content": "{{ value.question }}"},
        ],
        **extra,
    }


async def test_chat_completion_fills_the_field_with_the_rendered_prompt() -> None:
    async with openai_server() as server:
        agent = await start(
            "ai-chat-completions",
            chat_config(**{"log-field": "value.prompt", "max-tokens": 50, "temperature": 0.2}),
            openai_resource(server.url),
        )
        try:
            [out] = await agent.process(QUESTION)
        finally:
            await agent.close()
    value = json.loads(out.value())
    # {{ }} escapes HTML as JMustache does
    assert value["answer"] == ANSWER_PREFIX + "why is the &lt;sky&gt; blue"
    [body] = server.bodies("/v1/chat/completions")
    assert body["messages"][0] == {"role": "system", "content": "Docs: a b"}
    assert body["max_tokens"] == 50 and body["temperature"] == 0.2 and body["stream"] is True
    log = json.loads(value["prompt"])
    assert log["model"] == "gpt-test" and log["messages"][1]["role"] == "user"


async def test_chat_streams_chunks_to_topic_with_langstream_headers_and_ramp() -> None:
    context = Context()
    config = chat_config(
        **{
            "stream-to-topic": "answers",
            "stream-response-completion-field": "value",
            "min-chunks-per-message": 4,
        }
    )
    record = StreamRecord(
        json.dumps({"question": "one two three four five six seven eight nine ten"})
    )
    async with openai_server() as server:
        agent = await start("ai-chat-completions", config, openai_resource(server.url), context)
        [out] = await agent.process(record)
        await agent.close()
    chunks = context.producer.written
    assert {topic for topic, _ in chunks} == {"answers"}
    headers = [dict(r.headers()) for _, r in chunks]
    assert [h["stream-index"] for h in headers] == [str(i) for i in range(1, len(chunks) + 1)]
    assert [h["stream-last-message"] for h in headers] == ["false"] * (len(chunks) - 1) + ["true"]
    assert len({h["stream-id"] for h in headers}) == 1
    texts = [r.value() for _, r in chunks]
    # 13 words: messages of 1, 2, 4, 4 words, then the rest when the answer ends
    assert [len(t.split()) for t in texts[:4]] == [1, 2, 4, 4]
    assert "".join(texts) == json.loads(out.value())["answer"]


async def test_chat_without_streaming() -> None:
    async with openai_server() as server:
        agent = await start(
            "ai-chat-completions", chat_config(stream=False), openai_resource(server.url)
        )
        [out] = await agent.process(StreamRecord(json.dumps({"question": "hi"})))
        await agent.close()
    assert json.loads(out.value())["answer"] == ANSWER_PREFIX + "hi"
    assert server.bodies("/v1/chat/completions")[0]["stream"] is False


async def test_when_false_skips_the_call() -> None:
    async with openai_server() as server:
        agent = await start(
            "ai-chat-completions",
            chat_config(when="value.question == 'x'"),
            openai_resource(server.url),
        )
        [out] = await agent.process(StreamRecord(json.dumps({"question": "hi"})))
        await agent.close()
    assert "answer" not in json.loads(out.value())
    assert server.requests == []


async def test_bad_access_key_fails_the_record() -> None:
    async with openai_server() as server:
        agent = await start(
            "ai-chat-completions",
            chat_config(),
            {
                "openai": Resource(
                    "open-ai-configuration", {"access-key": "wrong", "url": server.url}
                )
            },
        )
        with pytest.raises(Exception, match="401|bad key"):
            await agent.process(QUESTION)
        await agent.close()


async def test_text_completions_with_logprobs_and_blank_first_chunk() -> None:
    config = {
        "model": "text-test",
        "prompt": ["Q: {{ value.question }}"],
        "completion-field": "value.answer",
        "logprobs": 1,
        "logprobs-field": "value.logprobs",
    }
    async with openai_server() as server:
        agent = await start("ai-text-completions", config, openai_resource(server.url))
        [out] = await agent.process(StreamRecord(json.dumps({"question": "hi"})))
        await agent.close()
    value = json.loads(out.value())
    assert value["answer"] == ANSWER_PREFIX + "Q: hi"  # the blank first chunk is dropped
    assert value["logprobs"]["logprobs"] == [-0.5] * 4
    assert server.bodies("/v1/completions")[0]["logprobs"] == 1


@pytest.mark.parametrize("agent_type", ["ai-chat-completions", "ai-text-completions"])
async def test_ollama_completions_stream(agent_type: str) -> None:
    context = Context()
    config = {
        "model": "llama3",
        "completion-field": "value.answer",
        "stream-to-topic": "answers",
        "min-chunks-per-message": 2,
    }
    if agent_type == "ai-chat-completions":
        config["messages"] = [{"content": "{{ value.question }}"}]
    else:
        config["prompt"] = ["{{ value.question }}"]
    async with ollama_server() as server:
        agent = await start(agent_type, config, ollama_resource(server.url), context)
        [out] = await agent.process(StreamRecord(json.dumps({"question": "a b c d e"})))
        await agent.close()
    assert json.loads(out.value())["answer"] == ANSWER_PREFIX + "a b c d e"
    last = context.producer.written[-1][1]
    assert dict(last.headers())["stream-last-message"] == "true"


async def test_ramp_doubles_up_to_the_minimum() -> None:
    sent: list[tuple[int, str, bool]] = []

    async def sink(answer_id: str, index: int, text: str, last: bool) -> None:
        sent.append((index, text, last))

    ramp = ChunkRamp(5, sink, "id")
    for i in range(14):
        await ramp.feed(str(i % 10), i == 13)
    assert [len(text) for _, text, _ in sent] == [1, 2, 4, 5, 2]
    assert [index for index, _, _ in sent] == [1, 2, 3, 4, 5]
    assert sent[-1][2] is True and ramp.answer == "01234567890123"


@pytest.mark.parametrize(
    ("config", "resources", "message"),
    [
        ({"model": "m"}, None, "messages"),
        ({"model": "m", "messages": []}, None, "empty"),
        ({"model": "m", "messages": [{"role": "user"}]}, None, "content"),
        ({"model": "m", "messages": [{"content": "{{#a}}"}]}, None, "Mustache"),
        ({"model": "m", "messages": [{"content": "x"}], "temperature": "hot"}, None, "number"),
        (
            {"model": "m", "messages": [{"content": "x"}], "completion-field": "answer"},
            None,
            "not a field",
        ),
        ({"model": "m", "messages": [{"content": "x"}], "max-tokens": 0}, None, "at least 1"),
        ({"model": "m", "messages": [{"content": "x"}]}, {}, "no AI service"),
        (
            {"model": "m", "messages": [{"content": "x"}]},
            {"o": Resource("open-ai-configuration", {})},
            "access-key",
        ),
        (
            {"model": "m", "messages": [{"content": "x"}]},
            {"o": Resource("open-ai-configuration", {"access-key": "k", "provider": "gcp"})},
            "openai or azure",
        ),
        (
            {"model": "m", "messages": [{"content": "x"}]},
            {"v": Resource("vertex-configuration", {})},
            "LangStream cluster",
        ),
        (
            {"model": "m", "messages": [{"content": "x"}], "temprature": 1},
            None,
            "did you mean 'temperature'",
        ),
    ],
)
def test_bad_configuration_is_rejected_at_init(
    config: dict, resources: dict | None, message: str
) -> None:
    if resources is None:
        resources = openai_resource("http://127.0.0.1:1/v1")
    with pytest.raises(AgentConfigError, match=message):
        configure("ai-chat-completions", config, resources)
