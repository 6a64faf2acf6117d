"""text-splitter, text-extractor and language-detector."""

from __future__ import annotations

import pytest

from kernel_runtime.agents.errors import AgentConfigError
from kernel_runtime.agents.text.splitting import RecursiveCharacterTextSplitter
from kernel_runtime.records import StreamRecord

from .helpers import configure


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose page draws `lines` with a standard font (built by hand)."""
    text = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


async def test_splitter_chunks_with_overlap_and_langstream_headers() -> None:
    text = " ".join(f"w{i:02d}" for i in range(30))  # 30 words of 3 characters
    agent = configure(
        "text-splitter",
        {
            "chunk_size": 20,
            "chunk_overlap": 8,
            "length_function": "length",
            "separators": ["\n\n", " "],
        },
    )
    chunks = await agent.process(StreamRecord(text, "doc-1", [("url", "u")]))
    values = [c.value() for c in chunks]
    assert values[0] == "w00 w01 w02 w03 w04"
    assert values[1].startswith("w03 w04")  # the overlap: up to 8 characters of the last chunk
    assert all(len(v) <= 20 for v in values)
    assert " ".join(values).split()[-1] == "w29"
    headers = [dict(c.headers()) for c in chunks]
    assert [h["chunk_id"] for h in headers] == [str(i) for i in range(len(chunks))]
    assert {h["text_num_chunks"] for h in headers} == {str(len(chunks))}
    assert headers[0]["url"] == "u" and headers[0]["chunk_text_length"] == "19"
    assert all(c.key() == "doc-1" for c in chunks)


async def test_splitter_counts_cl100k_tokens() -> None:
    import bpe_openai

    encoding = bpe_openai.get_encoding("cl100k_base")
    agent = configure("text-splitter", {"chunk_size": 10, "chunk_overlap": 0})
    chunks = await agent.process(StreamRecord("Smoke tests keep releases honest. " * 6))
    assert len(chunks) > 3
    for chunk in chunks:
        tokens = len(encoding.encode(chunk.value()))
        assert dict(chunk.headers())["chunk_num_tokens"] == str(tokens)
        assert tokens <= 10


def test_recursive_splitter_falls_back_to_finer_separators() -> None:
    splitter = RecursiveCharacterTextSplitter(["\n\n", "\n", " ", ""], False, 10, 0, len)
    assert splitter.split_text("aaaa bbbb\n\ncccccccccccccc") == ["aaaa bbbb", "cccccccccc", "cccc"]
    keep = RecursiveCharacterTextSplitter(["-"], True, 4, 0, len)
    assert keep.split_text("ab-cd-ef") == ["ab", "-cd", "-ef"]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"chunk_size": 10, "chunk_overlap": 20}, "larger than chunk_size"),
        ({"splitter_type": "TokenTextSplitter"}, "RecursiveCharacterTextSplitter"),
        ({"length_function": "words"}, "must be length or an encoding"),
        ({"separators": ["("]}, "regular expression"),
        ({"chunk-size": 10}, "did you mean 'chunk_size'"),
    ],
)
def test_splitter_bad_configuration(config: dict, message: str) -> None:
    with pytest.raises(AgentConfigError, match=message):
        configure("text-splitter", config)


async def test_extractor_reads_html_pdf_and_text() -> None:
    agent = configure("text-extractor", {})
    html = b"<!DOCTYPE html><html><head><title>T</title><script>var x=1;</script></head><body><h1>Title</h1><p>First &amp; second.</p><p>Third</p></body></html>"
    [out] = await agent.process(StreamRecord(html, "k", [("name", "page.html")]))
    assert out.value() == "T\n\nTitle\n\nFirst & second.\n\nThird\n"  # the title, as Tika
    assert out.key() == "k" and out.headers() == [("name", "page.html")]
    [out] = await agent.process(StreamRecord(make_pdf(["Hello from a PDF", "Second line"])))
    assert "Hello from a PDF" in out.value() and "Second line" in out.value()
    [out] = await agent.process(StreamRecord("just text"))
    assert out.value() == "just text"
    with pytest.raises(ValueError, match="Tika"):
        await agent.process(StreamRecord(b"PK\x03\x04rest-of-a-docx"))


async def test_language_detector_sets_the_header_and_filters() -> None:
    agent = configure("language-detector", {"property": "lang", "allowedLanguages": ["en", "fr"]})
    [out] = await agent.process(
        StreamRecord("Bonjour tout le monde, comment allez-vous aujourd'hui ?")
    )
    assert dict(out.headers())["lang"] == "fr"
    [out] = await agent.process(StreamRecord("The quick brown fox jumps over the lazy dog"))
    assert dict(out.headers())["lang"] == "en"
    assert (
        await agent.process(StreamRecord("Questo è un testo scritto in italiano, senza dubbio."))
        == []
    )
    with pytest.raises(AgentConfigError, match="allowedLanguages"):
        configure("language-detector", {"allowedLanguages": "en"})
