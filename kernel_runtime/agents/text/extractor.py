"""`text-extractor` (LangStream's TikaTextExtractorAgent): the value becomes its plain text.

The type is detected from the content, as Tika does: PDF (`%PDF-` magic) with `pypdf`, a
well-kept pure-Python PDF library; HTML (a `<html`, `<!doctype html` or `<body` near the start)
with the standard library's `html.parser`, dropping scripts and styles and keeping block
breaks; anything else is decoded as UTF-8 text. Word and other Office formats need Tika and
run on a LangStream cluster only: they fail the record with an error that says so.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

from langstream import Processor, Record

from kernel_runtime.agents.ai.step import ConfiguredAgent
from kernel_runtime.records import StreamRecord

_BLOCKS = frozenset(
    "address article aside blockquote br dd div dl dt footer form h1 h2 h3 h4 h5 h6 header hr "
    "li main nav ol p pre section table td th tr ul title".split()
)
_SKIPPED = frozenset({"script", "style", "noscript", "template", "head"})
_HTML_START = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|body|head)", re.I | re.S
)
_OFFICE = {
    b"PK\x03\x04": "an Office (docx, xlsx, pptx) or zip",
    b"\xd0\xcf\x11\xe0": "a legacy Office",
}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIPPED and tag != "head":
            self.skipping += 1
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and tag != "head" and self.skipping:
            self.skipping -= 1
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def pdf_to_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() or "" for page in reader.pages]
    return "\n".join(page.strip() for page in pages) + "\n"


def extract_text(value: object) -> str:
    """Plain text of a document given as bytes or text."""
    data = value if isinstance(value, bytes | bytearray) else str(value).encode("utf-8")
    data = bytes(data)
    if data.startswith(b"%PDF-"):
        return pdf_to_text(data)
    for magic, kind in _OFFICE.items():
        if data.startswith(magic):
            raise ValueError(
                f"text-extractor: the document is {kind} file, which needs Apache Tika; it is "
                "extracted when the application runs on a LangStream cluster. In the kernel: "
                "PDF, HTML and plain text"
            )
    text = data.decode("utf-8", errors="replace")
    if _HTML_START.match(data[:4096]):
        return html_to_text(text)
    return text


class TextExtractorAgent(ConfiguredAgent, Processor):
    agent_type = "text-extractor"
    KEYS = ()

    async def process(self, record: Record) -> list[StreamRecord]:
        value = record.value()
        if value is None:
            raise ValueError(f"{self.where()}: the record has no value (null) to extract text from")
        text = extract_text(value)
        return [
            StreamRecord(
                text,
                record.key(),
                list(record.headers() or []),
                record.origin(),
                record.timestamp(),
            )
        ]
