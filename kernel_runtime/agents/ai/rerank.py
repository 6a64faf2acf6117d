"""`re-rank` (LangStream's ReRankAgent): reorder a list of documents, keep the best `max`.

`algorithm: MMR` is LangStream's maximal marginal relevance: the relevance of a document is its
BM25 score against `query-text` (terms split on whitespace, parameters `k1`, `b`), its
redundancy the mean cosine similarity of its embeddings to the documents already picked; each
round picks the highest `lambda * relevance - (1 - lambda) * redundancy`. `algorithm: none`
(the default), or an empty query text, keeps the order. `text-field` and `embeddings-field`
are expressions over each document as `record` (`record.text`).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from langstream import Processor, Record

from kernel_runtime.agents.ai.step import ConfiguredAgent, result_field
from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.agents.builtin.mutable import MutableRecord
from kernel_runtime.expressions import Expression
from kernel_runtime.records import StreamRecord

ALGORITHMS = ("none", "MMR")


def _number(reader: ConfigReader, field: str, default: float) -> float:
    value = reader.config.get(field, default)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise reader.error(field, f"must be a number, got {value!r}")
    try:
        return float(value)
    except ValueError:
        raise reader.error(field, f"must be a number, got {value!r}") from None


def cosine_similarity(a: list[float], b: list[float]) -> float:
    if len(a) != len(b):
        raise ValueError(f"embeddings of different sizes: {len(a)} and {len(b)}")
    norm_a = math.sqrt(sum(x * x for x in a))
    norm_b = math.sqrt(sum(x * x for x in b))
    if norm_a == 0 or norm_b == 0:
        return 0.0
    return sum(x * y for x, y in zip(a, b, strict=True)) / (norm_a * norm_b)


def bm25_scores(texts: list[str], query: str, k1: float, b: float) -> list[float]:
    """BM25 of each text against `query`, with LangStream's whitespace tokens and IDF."""
    documents = [text.split() for text in texts]
    frequencies = [Counter(terms) for terms in documents]
    average = sum(len(terms) for terms in documents) / len(documents)
    count = len(documents)
    scores = [0.0] * count
    for term in query.split():
        having = sum(1 for f in frequencies if term in f)
        idf = math.log((count - having + 0.5) / (having + 0.5) + 1.0)
        for i, terms in enumerate(documents):
            tf = frequencies[i].get(term, 0)
            length = len(terms) / average if average else 0.0
            scores[i] += idf * (tf * (k1 + 1)) / (tf + k1 * (1 - b + b * length))
    return scores


def mmr(
    documents: list[Any],
    texts: list[str],
    vectors: list[list[float]],
    query: str,
    *,
    limit: int,
    lam: float,
    k1: float,
    b: float,
) -> list[Any]:
    remaining = list(range(len(documents)))
    picked: list[int] = []
    while remaining and len(picked) < limit:
        relevance = bm25_scores([texts[i] for i in remaining], query, k1, b)
        best, best_score = remaining[0], -math.inf
        for position, i in enumerate(remaining):
            redundancy = (
                sum(cosine_similarity(vectors[i], vectors[j]) for j in picked) / len(picked)
                if picked
                else 0.0
            )
            score = lam * relevance[position] - (1 - lam) * redundancy
            if score > best_score:
                best, best_score = i, score
        picked.append(best)
        remaining.remove(best)
    return [documents[i] for i in picked]


class ReRankAgent(ConfiguredAgent, Processor):
    agent_type = "re-rank"
    KEYS = (
        "field",
        "output-field",
        "algorithm",
        "query-embeddings",
        "query-text",
        "embeddings-field",
        "text-field",
        "max",
        "lambda",
        "k1",
        "b",
    )

    def configure(self, reader: ConfigReader) -> None:
        self.field = reader.expression("field", required=True)
        self.output_field = result_field(reader, "output-field", required=True)
        self.algorithm = reader.choice("algorithm", ALGORITHMS, "none") or "none"
        self.query_text: Expression | None = reader.expression("query-text")
        self.query_embeddings: Expression | None = reader.expression("query-embeddings")
        self.text_field: Expression | None = reader.expression("text-field")
        self.embeddings_field: Expression | None = reader.expression("embeddings-field")
        self.max = reader.integer("max", 100, minimum=0)
        self.lam = _number(reader, "lambda", 0.5)
        self.k1 = _number(reader, "k1", 1.5)
        self.b = _number(reader, "b", 0.75)
        if self.algorithm == "MMR":
            for name in ("query-text", "text-field", "embeddings-field"):
                if getattr(self, name.replace("-", "_")) is None:
                    raise reader.error(name, "is required with algorithm: MMR")

    def _document(self, document: Any) -> tuple[str, list[float]]:
        assert self.text_field is not None and self.embeddings_field is not None
        variables = {"record": document}
        text = self.text_field.evaluate_variables(variables)
        vector = self.embeddings_field.evaluate_variables(variables)
        if vector is None:
            raise ValueError(f"re-rank: embeddings are null in document {document!r}")
        if text is None:
            raise ValueError(f"re-rank: text is null in document {document!r}")
        return str(text), [float(x) for x in vector]

    def rerank(self, documents: list[Any], query: str | None) -> list[Any]:
        if not query or self.algorithm == "none":
            return list(documents)
        texts, vectors = [], []
        for document in documents:
            text, vector = self._document(document)
            texts.append(text)
            vectors.append(vector)
        usable = [i for i, t in enumerate(texts) if t and vectors[i]]
        return mmr(
            [documents[i] for i in usable],
            [texts[i] for i in usable],
            [vectors[i] for i in usable],
            query,
            limit=self.max,
            lam=self.lam,
            k1=self.k1,
            b=self.b,
        )

    async def process(self, record: Record) -> list[StreamRecord]:
        mutable = MutableRecord.from_record(record)
        variables = mutable.variables()
        documents = self.field.evaluate_variables(variables) or []
        if not isinstance(documents, list):
            raise ValueError(f"re-rank: field {self.field.source!r} is not a list: {documents!r}")
        query = self.query_text.evaluate_variables(variables) if self.query_text else None
        assert self.output_field is not None
        mutable.set_result_field(self.rerank(documents, query), self.output_field)
        return [mutable.to_record()]
