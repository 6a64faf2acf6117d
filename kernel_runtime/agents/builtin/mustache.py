"""A small Mustache renderer for `log-event` messages (LangStream uses JMustache there).

Supports `{{name}}` (HTML-escaped as JMustache does), `{{{name}}}` and `{{& name}}`
(raw), dotted names, `{{.}}`, sections `{{#x}}...{{/x}}` (lists iterate, maps and other
truthy values open once), inverted sections `{{^x}}` and comments `{{! ...}}`. Missing names
render as "". Values print as Java prints them (maps as `{a=1}`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kernel_runtime.expressions.javafmt import java_str

_ESCAPES = {
    "&": "&amp;",
    "'": "&#39;",
    '"': "&quot;",
    "<": "&lt;",
    ">": "&gt;",
    "`": "&#x60;",
    "=": "&#x3D;",
}
_MISSING = object()


class TemplateError(ValueError):
    """The template is malformed (unclosed tag or section)."""


@dataclass
class _Section:
    name: str
    inverted: bool
    children: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class _Variable:
    name: str
    escape: bool


def _escape(text: str) -> str:
    return "".join(_ESCAPES.get(char, char) for char in text)


def compile_template(template: str) -> list[Any]:
    """Parse `template` into text pieces, variables and sections."""
    root: list[Any] = []
    stack: list[tuple[_Section | None, list[Any]]] = [(None, root)]
    i = 0
    while True:
        start = template.find("{{", i)
        if start < 0:
            stack[-1][1].append(template[i:])
            break
        stack[-1][1].append(template[i:start])
        triple = template.startswith("{{{", start)
        close = "}}}" if triple else "}}"
        end = template.find(close, start)
        if end < 0:
            raise TemplateError(f"unclosed tag at position {start} in {template!r}")
        tag = template[start + (3 if triple else 2) : end].strip()
        i = end + len(close)
        sigil = tag[:1]
        if triple:
            stack[-1][1].append(_Variable(tag, escape=False))
        elif sigil == "!":
            continue
        elif sigil == "&":
            stack[-1][1].append(_Variable(tag[1:].strip(), escape=False))
        elif sigil in ("#", "^"):
            section = _Section(tag[1:].strip(), inverted=sigil == "^")
            stack[-1][1].append(section)
            stack.append((section, section.children))
        elif sigil == "/":
            open_section = stack[-1][0]
            if open_section is None or open_section.name != tag[1:].strip():
                raise TemplateError(f"unexpected closing tag {{{{{tag}}}}} in {template!r}")
            stack.pop()
        elif sigil in (">", "="):
            raise TemplateError(f"partials and delimiter changes are not supported: {{{{{tag}}}}}")
        else:
            stack[-1][1].append(_Variable(tag, escape=True))
    if len(stack) > 1:
        raise TemplateError(f"section {stack[-1][0].name!r} is not closed in {template!r}")  # type: ignore[union-attr]
    return root


def _lookup(name: str, contexts: Sequence[Any]) -> Any:
    if name in (".", "this"):
        return contexts[-1]
    first, *rest = name.split(".")
    value: Any = _MISSING
    for context in reversed(contexts):
        if isinstance(context, dict) and first in context:
            value = context[first]
            break
    for part in rest:
        if isinstance(value, dict):
            value = value.get(part, _MISSING)
        elif isinstance(value, (list, tuple)) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def _falsy(value: Any) -> bool:
    return (
        value is _MISSING
        or value is None
        or value is False
        or (isinstance(value, (list, tuple)) and not value)
    )


def render(nodes: list[Any], contexts: list[Any]) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, _Variable):
            value = _lookup(node.name, contexts)
            text = "" if value is _MISSING or value is None else java_str(value)
            out.append(_escape(text) if node.escape else text)
        else:
            value = _lookup(node.name, contexts)
            if node.inverted:
                if _falsy(value):
                    out.append(render(node.children, contexts))
            elif not _falsy(value):
                items = value if isinstance(value, (list, tuple)) else [value]
                for item in items:
                    out.append(render(node.children, [*contexts, item]))
    return "".join(out)


class Template:
    """A compiled template: `Template(text).render(context)`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._nodes = compile_template(text)

    def render(self, context: dict[str, Any]) -> str:
        return render(self._nodes, [context])
