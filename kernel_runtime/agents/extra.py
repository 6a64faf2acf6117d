"""The AI, text and I/O agents, added to `BUILTIN_AGENTS` (kept apart so that list stays short)."""

from __future__ import annotations

from kernel_runtime.agents.ai.completions import ChatCompletionsAgent, TextCompletionsAgent
from kernel_runtime.agents.ai.embeddings import ComputeEmbeddingsAgent
from kernel_runtime.agents.ai.query import QueryAgent, QueryVectorDbAgent
from kernel_runtime.agents.ai.rerank import ReRankAgent
from kernel_runtime.agents.ai.sink import VectorDbSink
from kernel_runtime.agents.io.camel import CamelSource
from kernel_runtime.agents.io.http import HttpRequestAgent, LangServeInvokeAgent
from kernel_runtime.agents.io.s3 import S3Source
from kernel_runtime.agents.io.webcrawler import WebCrawlerSource
from kernel_runtime.agents.text.extractor import TextExtractorAgent
from kernel_runtime.agents.text.language import LanguageDetectorAgent
from kernel_runtime.agents.text.splitter import TextSplitterAgent

EXTRA_AGENTS: tuple[type, ...] = (
    ChatCompletionsAgent,
    TextCompletionsAgent,
    ComputeEmbeddingsAgent,
    QueryAgent,
    QueryVectorDbAgent,
    VectorDbSink,
    ReRankAgent,
    TextSplitterAgent,
    TextExtractorAgent,
    LanguageDetectorAgent,
    HttpRequestAgent,
    LangServeInvokeAgent,
    WebCrawlerSource,
    S3Source,
    CamelSource,
)
