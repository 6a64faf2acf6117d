"""Text processors: `document-to-json` and `text-normaliser` (langstream-agents-text-processing)."""

from __future__ import annotations

import re
from typing import Any

from langstream import Record

from kernel_runtime.agents.builtin.base import BuiltinProcessor
from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.expressions import to_json
from kernel_runtime.expressions.javafmt import java_str
from kernel_runtime.records import StreamRecord


def to_text(value: Any) -> str | None:
    """The record value as text: bytes as UTF-8, maps and lists as JSON, null stays null."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return to_json(value)
    return java_str(value)


def with_value(record: Record, value: Any) -> StreamRecord:
    return StreamRecord(
        value,
        record.key(),
        list(record.headers() or []),
        record.origin(),
        record.timestamp(),
        destination=getattr(record, "destination", None),
    )


class DocumentToJsonAgent(BuiltinProcessor):
    """`document-to-json`: the value becomes the JSON text `{"<text-field>": value, ...headers}`."""

    agent_type = "document-to-json"
    KEYS = ("text-field", "copy-properties")

    def configure(self, reader: ConfigReader) -> None:
        self.text_field = reader.string("text-field", "text") or "text"
        self.copy_properties = reader.boolean("copy-properties", True)

    async def process(self, record: Record) -> list[StreamRecord]:
        document: dict[str, Any] = {self.text_field: to_text(record.value())}
        if self.copy_properties:
            for name, value in record.headers() or []:
                if isinstance(value, (bytes, bytearray)):
                    value = bytes(value).decode("utf-8", errors="replace")
                document[name] = value
        return [with_value(record, to_json(document))]


_JAVA_BLANK = "".join(map(chr, range(33)))


def trim_spaces(text: str) -> str:
    """LangStream's `TextNormaliserAgent.trimSpaces`, step by step."""
    text = re.sub(r"\t+", " ", text)
    text = re.sub(r" +", " ", text)
    text = text.replace("\n\n\n", "\n\n")
    text = re.sub(r"( \n\n)+", " \n\n", text)
    text = re.sub(r"( \n)+", "\n", text)
    text = text.replace("\n ", "\n")
    return text.strip(_JAVA_BLANK)


class TextNormaliserAgent(BuiltinProcessor):
    """`text-normaliser`: collapses spaces (`trim-spaces`) and lowercases (`make-lowercase`)."""

    agent_type = "text-normaliser"
    KEYS = ("make-lowercase", "trim-spaces")

    def configure(self, reader: ConfigReader) -> None:
        self.make_lowercase = reader.boolean("make-lowercase", True)
        self.trim_spaces = reader.boolean("trim-spaces", True)

    async def process(self, record: Record) -> list[StreamRecord]:
        text = to_text(record.value())
        if text is None:
            raise ValueError("text-normaliser: the record has no value (null) to normalise")
        if self.trim_spaces:
            text = trim_spaces(text)
        if self.make_lowercase:
            text = text.lower()
        return [with_value(record, text)]
