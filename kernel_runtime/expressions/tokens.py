"""Tokenizer for the EL subset LangStream uses in `when` and `expression` strings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kernel_runtime.expressions.errors import ExpressionError

KEYWORDS = frozenset(
    {
        "true",
        "false",
        "null",
        "and",
        "or",
        "not",
        "eq",
        "ne",
        "lt",
        "gt",
        "le",
        "ge",
        "empty",
        "div",
        "mod",
        "instanceof",
    }
)
# two-character operators first, so "<=" is not read as "<" "="
OPERATORS = (
    "+=", "->", "==", "!=", "<=", ">=", "&&", "||",
    "(", ")", "[", "]", "{", "}", ".", ",", ":", "?", "!", "<", ">", "+", "-", "*", "/", "%",
    "=", ";",
)  # fmt: skip
_NUMBER = re.compile(r"\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+")
_ESCAPABLE = {"\\", "'", '"'}


@dataclass(frozen=True, slots=True)
class Token:
    """`kind` is number, string, ident, keyword, op or eof; `pos` indexes the full source."""

    kind: str
    text: str
    value: object
    pos: int


def _is_ident_start(char: str) -> bool:
    return char.isalpha() or char in "_$"


def _is_ident_part(char: str) -> bool:
    return char.isalnum() or char in "_$"


def tokenize(source: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of `source[start:end]`; positions stay relative to the whole `source`."""
    end = len(source) if end is None else end
    tokens: list[Token] = []
    i = start
    while i < end:
        char = source[i]
        if char.isspace():
            i += 1
            continue
        if char.isdigit() or (char == "." and i + 1 < end and source[i + 1].isdigit()):
            match = _NUMBER.match(source, i, end)
            assert match is not None
            text = match.group()
            is_float = any(c in text for c in ".eE")
            tokens.append(Token("number", text, float(text) if is_float else int(text), i))
            i = match.end()
            continue
        if char in "'\"":
            i = _read_string(source, i, end, tokens)
            continue
        if _is_ident_start(char):
            j = i + 1
            while j < end and _is_ident_part(source[j]):
                j += 1
            word = source[i:j]
            tokens.append(Token("keyword" if word in KEYWORDS else "ident", word, word, i))
            i = j
            continue
        for op in OPERATORS:
            if source.startswith(op, i) and i + len(op) <= end:
                tokens.append(Token("op", op, op, i))
                i += len(op)
                break
        else:
            raise ExpressionError(source, i, f"unexpected character {char!r}")
    tokens.append(Token("eof", "", None, end))
    return tokens


def _read_string(source: str, start: int, end: int, tokens: list[Token]) -> int:
    """A quoted literal; `\\\\`, `\\'` and `\\"` are escapes, other backslashes stay as typed."""
    quote = source[start]
    chars: list[str] = []
    i = start + 1
    while i < end:
        char = source[i]
        if char == "\\" and i + 1 < end and source[i + 1] in _ESCAPABLE:
            chars.append(source[i + 1])
            i += 2
            continue
        if char == quote:
            tokens.append(Token("string", source[start : i + 1], "".join(chars), start))
            return i + 1
        chars.append(char)
        i += 1
    raise ExpressionError(source, start, f"unterminated string literal (missing closing {quote})")
