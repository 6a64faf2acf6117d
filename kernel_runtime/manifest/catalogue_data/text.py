"""Text processing agents (TextProcessingAgentsProvider).

All PROCESSOR, always composable, unknown keys rejected. Note the mixed key spellings
the Java models use: language-detector's ``allowedLanguages`` and the text-splitter's
snake_case keys are plain Java field names (no ``@JsonProperty``).
"""

from __future__ import annotations

from ._model import AgentType, agent, f

_SPLITTER = "RecursiveCharacterTextSplitter option:"

TEXT_AGENTS: list[AgentType] = [
    agent(
        "text-extractor",
        "processor",
        "Extracts plain text from documents (PDF, HTML, Office, ...) with Apache Tika.",
        composable=True,
        fields=[],
    ),
    agent(
        "language-detector",
        "processor",
        "Detects the language of the text and can drop records in other languages.",
        composable=True,
        fields=[
            f(
                "property",
                "string",
                "Record property to write the language code to.",
                default="language",
            ),
            f("allowedLanguages", "array", "Language codes to keep; other records are dropped."),
        ],
    ),
    agent(
        "text-splitter",
        "processor",
        "Splits the text into chunks, one record per chunk.",
        composable=True,
        fields=[
            f(
                "splitter_type",
                "string",
                "Splitter implementation (only RecursiveCharacterTextSplitter).",
                default="RecursiveCharacterTextSplitter",
            ),
            f(
                "separators",
                "array",
                f"{_SPLITTER} separators to split on, in order.",
                default=["\n\n", "\n", " ", ""],
            ),
            f("keep_separator", "boolean", f"{_SPLITTER} keep the separators.", default=False),
            f(
                "chunk_size",
                "integer",
                f"{_SPLITTER} chunk size, measured with length_function.",
                default=200,
            ),
            f(
                "chunk_overlap",
                "integer",
                f"{_SPLITTER} overlap with the previous chunk.",
                default=100,
            ),
            f(
                "length_function",
                "string",
                f"{_SPLITTER} jtokkit encoding (r50k_base, p50k_base, p50k_edit, cl100k_base).",
                default="cl100k_base",
            ),
        ],
    ),
    agent(
        "text-normaliser",
        "processor",
        "Normalises the text (lowercase, trimmed spaces).",
        composable=True,
        fields=[
            f("make-lowercase", "boolean", "Convert the text to lowercase.", default=True),
            f("trim-spaces", "boolean", "Trim spaces from the text.", default=True),
        ],
    ),
    agent(
        "document-to-json",
        "processor",
        "Wraps a raw text document into a JSON object.",
        composable=True,
        fields=[
            f("text-field", "string", "JSON field to write the text to.", default="text"),
            f(
                "copy-properties",
                "boolean",
                "Copy the record properties to the output.",
                default=True,
            ),
        ],
    ),
]
