"""`${ENV_VAR}` / `${ENV_VAR:-default}` expansion, as the LangStream CLI does it.

The CLI (LocalFileReferenceResolver) runs Apache Commons Text's `StringSubstitutor` over
every string value of the instance and secrets files, with the process environment as
the variables. We mirror its rules:

* `${NAME}` is replaced by the variable; when unset and without default it stays as is
  (so `${ secrets.kafka.username }` placeholders pass through untouched);
* `${NAME:-default}` falls back to `default` (which may be empty);
* `$${NAME}` is an escape and gives the literal `${NAME}`;
* the variable name ends at the first `}` (no nesting); substituted values are expanded
  again, and a cycle is an error.
"""

from __future__ import annotations

from collections.abc import Mapping

PREFIX = "${"
SUFFIX = "}"
DELIMITER = ":-"
ESCAPE = "$"


class EnvExpansionError(ValueError):
    """A variable refers back to itself (`A=${B}`, `B=${A}`)."""


def _substitute(
    buf: list[str], offset: int, length: int, env: Mapping[str, str], prior: list[str]
) -> int:
    """Substitute in buf[offset:offset+length] in place; return the change in length."""
    pos = offset
    end = offset + length
    change_total = 0
    while pos < end:
        if "".join(buf[pos : pos + 2]) != PREFIX or pos + 2 > end:
            pos += 1
            continue
        if pos > offset and buf[pos - 1] == ESCAPE:
            del buf[pos - 1]
            change_total -= 1
            end -= 1
            continue
        start = pos
        pos += len(PREFIX)
        while pos < end and buf[pos] != SUFFIX:
            pos += 1
        if pos >= end:
            break
        expr = "".join(buf[start + len(PREFIX) : pos])
        pos += len(SUFFIX)
        stop = pos
        name, default = expr, None
        for i in range(len(expr)):
            if expr.startswith(PREFIX, i):
                break
            if expr.startswith(DELIMITER, i):
                name, default = expr[:i], expr[i + len(DELIMITER) :]
                break
        if name in prior:
            chain = " -> ".join([*prior[1:], name])
            raise EnvExpansionError(f"infinite loop expanding environment variables: {chain}")
        prior.append(name)
        value = env.get(name)
        if value is None:
            value = default
        if value is not None:
            buf[start:stop] = list(value)
            change = _substitute(buf, start, len(value), env, prior)
            change += len(value) - (stop - start)
            pos += change
            end += change
            change_total += change
        prior.pop()
    return change_total


def expand_env(text: str, env: Mapping[str, str]) -> str:
    """Expand `${NAME}` and `${NAME:-default}` in one string, as the LangStream CLI does."""
    if PREFIX not in text:
        return text
    buf = list(text)
    _substitute(buf, 0, len(buf), env, [text])
    return "".join(buf)
