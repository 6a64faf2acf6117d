"""`language-detector` (LangStream's LanguageDetectorAgent): a header with the text's language.

LangStream uses Tika's n-gram identifier; here `py3langid` (a maintained fork of langid.py,
with its model in the wheel) gives the same ISO 639-1 codes (en, fr, it, ...). The code goes to
the header named by `property` (default `language`); with `allowedLanguages`, records in other
languages are dropped.
"""

from __future__ import annotations

import threading

from langstream import Processor, Record

from kernel_runtime.agents.ai.step import ConfiguredAgent
from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.agents.builtin.text import to_text
from kernel_runtime.records import StreamRecord

_lock = threading.Lock()


def detect_language(text: str) -> str:
    """ISO 639-1 code of the language `text` is most likely written in."""
    import py3langid

    with _lock:  # the shared identifier is not documented as thread-safe
        language, _ = py3langid.classify(text)
    return str(language)


class LanguageDetectorAgent(ConfiguredAgent, Processor):
    agent_type = "language-detector"
    KEYS = ("property", "allowedLanguages")

    def configure(self, reader: ConfigReader) -> None:
        self.property = reader.string("property", "language") or "language"
        self.allowed = reader.strings("allowedLanguages")

    async def process(self, record: Record) -> list[StreamRecord]:
        text = to_text(record.value())
        language = detect_language(text or "")
        if self.allowed and language not in self.allowed:
            self.log.info(
                "%s: dropping a record in %r (allowed: %s)", self.where(), language, self.allowed
            )
            return []
        headers = [*list(record.headers() or []), (self.property, language)]
        return [
            StreamRecord(record.value(), record.key(), headers, record.origin(), record.timestamp())
        ]
