"""LangStream's `RecursiveCharacterTextSplitter` (a port of LangChain's), as an algorithm.

Split on the first separator (a regular expression) found in the text; pieces shorter than
`chunk_size` are merged back up to `chunk_size`, keeping up to `chunk_overlap` of the previous
chunk; longer pieces are split again with the next separators. Sizes are measured by
`length`, which counts tokens or characters.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)
Length = Callable[[str], int]


def split_with_regex(text: str, separator: str, keep_separator: bool) -> list[str]:
    if separator:
        if keep_separator:
            matches = list(re.finditer(separator, text))
            if not matches:
                splits = [text]
            else:
                splits = [text[: matches[0].start()]] if matches[0].start() else []
                for match, following in zip(matches, [*matches[1:], None], strict=True):
                    end = following.start() if following is not None else len(text)
                    splits.append(match.group() + text[match.end() : end])
        else:
            splits = _java_split(text, separator)
    else:
        splits = list(text)
    return [s for s in splits if s]


def _java_split(text: str, separator: str) -> list[str]:
    """Java's String.split: trailing empty strings are removed."""
    parts = re.split(separator, text)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


class RecursiveCharacterTextSplitter:
    def __init__(
        self,
        separators: Sequence[str],
        keep_separator: bool,
        chunk_size: int,
        chunk_overlap: int,
        length: Length,
    ) -> None:
        if chunk_overlap > chunk_size:
            raise ValueError(
                f"Got a larger chunk overlap ({chunk_overlap}) than chunk size ({chunk_size}), "
                "should be smaller."
            )
        self.separators = list(separators)
        self.keep_separator = keep_separator
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.length = length

    def split_text(self, text: str) -> list[str]:
        return self._split(text, self.separators)

    def _split(self, text: str, separators: Sequence[str]) -> list[str]:
        final: list[str] = []
        separator = separators[-1] if separators else ""
        remaining: Sequence[str] = []
        for i, candidate in enumerate(separators):
            if candidate == "":
                separator = candidate
                break
            if re.search(candidate, text):
                separator = candidate
                remaining = separators[i + 1 :]
                break
        splits = split_with_regex(text, separator, self.keep_separator)
        good: list[str] = []
        joiner = "" if self.keep_separator else separator
        for piece in splits:
            if self.length(piece) < self.chunk_size:
                good.append(piece)
                continue
            if good:
                final.extend(self._merge(good, joiner))
                good = []
            if not remaining:
                final.append(piece)
            else:
                final.extend(self._split(piece, remaining))
        if good:
            final.extend(self._merge(good, joiner))
        return final

    def _join(self, docs: list[str], separator: str) -> str | None:
        text = separator.join(docs).strip()
        return text or None

    def _merge(self, splits: list[str], separator: str) -> list[str]:
        docs: list[str] = []
        current: list[str] = []
        total = 0
        separator_length = self.length(separator)
        for piece in splits:
            size = self.length(piece)
            if total + size + (separator_length if current else 0) > self.chunk_size:
                if total > self.chunk_size:
                    log.warning(
                        "Created a chunk of size %d, which is longer than the specified %d",
                        total,
                        self.chunk_size,
                    )
                if current:
                    doc = self._join(current, separator)
                    if doc is not None:
                        docs.append(doc)
                    while total > self.chunk_overlap or (
                        total + size + (separator_length if current else 0) > self.chunk_size
                        and total > 0
                    ):
                        total -= self.length(current[0]) + (
                            separator_length if len(current) > 1 else 0
                        )
                        current.pop(0)
            current.append(piece)
            total += size + (separator_length if len(current) > 1 else 0)
        doc = self._join(current, separator)
        if doc is not None:
            docs.append(doc)
        return docs
