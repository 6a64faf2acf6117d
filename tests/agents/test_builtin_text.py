"""document-to-json and text-normaliser (LangStream's text-processing agents)."""

from __future__ import annotations

import json

import pytest

from kernel_runtime.records import StreamRecord

from .builtin_helpers import make


async def test_document_to_json_defaults() -> None:
    source = StreamRecord(b"some text", "k", [("name", b"doc.pdf"), ("n", 3)], "in", 9)
    [out] = await make("document-to-json").process(source)
    assert json.loads(out.value()) == {"text": "some text", "name": "doc.pdf", "n": 3}
    assert (out.key(), out.headers(), out.origin(), out.timestamp()) == (
        "k",
        [("name", b"doc.pdf"), ("n", 3)],
        "in",
        9,
    )


async def test_document_to_json_options() -> None:
    agent = make("document-to-json", {"text-field": "question", "copy-properties": False})
    [out] = await agent.process(StreamRecord("What?", headers=[("h", "v")]))
    assert out.value() == '{"question":"What?"}'


async def test_document_to_json_null_value() -> None:
    [out] = await make("document-to-json").process(StreamRecord(None))
    assert json.loads(out.value()) == {"text": None}


async def test_text_normaliser() -> None:
    [out] = await make("text-normaliser").process(StreamRecord(b"  Hello\t\tWORLD  \n \n\n\nEnd "))
    assert out.value() == "hello world\n\nend"


async def test_text_normaliser_options() -> None:
    agent = make("text-normaliser", {"make-lowercase": False, "trim-spaces": False})
    [out] = await agent.process(StreamRecord(" A  B "))
    assert out.value() == " A  B "


async def test_text_normaliser_null_value_fails() -> None:
    with pytest.raises(ValueError, match="no value"):
        await make("text-normaliser").process(StreamRecord(None))
