"""Mustache templates as LangStream renders them with JMustache, on the `pystache` library.

Used by `log-event` messages and by the AI agents (`messages`, `prompt`, `text`, `headers`, ...).
JMustache behaviours kept: `{{name}}` is HTML-escaped with JMustache's escaper, `{{{name}}}` and
`{{& name}}` are raw, dotted names, sections over lists and maps, inverted sections, comments.
Values print as Java prints them (maps as `{a=1}`, `1.0` for floats). A missing name renders
as "" (JMustache would throw; a record without the field should still be logged or prompted).
LangStream 0.0.x's legacy `{{% name}}` spelling is accepted as `{{ name}}`.
Partials and delimiter changes are refused: templates come from pipeline files, not from disk.
"""

from __future__ import annotations

import re
from typing import Any

import pystache
from pystache.parser import ParsingError

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
_UNSUPPORTED = re.compile(r"\{\{\s*[>=]")
_TAG = re.compile(r"\{\{(\{?)(.*?)\}?\}\}", re.DOTALL)


class TemplateError(ValueError):
    """The template is malformed (unclosed tag or section, or an unsupported tag)."""


def html_escape(text: str) -> str:
    """JMustache's HTML escaper."""
    return "".join(_ESCAPES.get(char, char) for char in text)


class _JavaRenderer(pystache.Renderer):
    """A pystache renderer that prints values as Java does and treats missing names as ""."""

    def __init__(self, escape: bool) -> None:
        super().__init__(
            escape=html_escape if escape else (lambda text: text),
            missing_tags="ignore",
            partials={},
        )

    def str_coerce(self, val: Any) -> str:
        return "" if val is None else java_str(val)


_RENDERERS = {True: _JavaRenderer(escape=True), False: _JavaRenderer(escape=False)}


def _check_balanced(source: str) -> None:
    """pystache renders unclosed tags and sections as text; JMustache rejects them: so do we."""
    stack: list[str] = []
    position = 0
    for match in _TAG.finditer(source):
        if "{{" in source[position : match.start()]:
            break
        position = match.end()
        tag = match.group(2).strip()
        if match.group(1) or not tag:
            continue
        if tag[0] in "#^":
            stack.append(tag[1:].strip())
        elif tag[0] == "/" and stack and stack[-1] == tag[1:].strip():
            stack.pop()
    if "{{" in source[position:]:
        start = source.index("{{", position)
        raise TemplateError(f"unclosed tag at position {start}")
    if stack:
        raise TemplateError(f"section {stack[-1]!r} is not closed")


def handle_legacy_template(template: str) -> str:
    """LangStream 0.0.x wrote `{{% name}}`; since 0.1 it is plain Mustache `{{ name}}`."""
    return template.replace("{{%", "{{") if "{{%" in template else template


class Template:
    """A compiled template: `Template(text).render(context)`; `escape=False` for raw output."""

    def __init__(self, text: str, *, escape: bool = True) -> None:
        self.text = text
        source = handle_legacy_template(text)
        if _UNSUPPORTED.search(source):
            raise TemplateError(
                f"partials ({{{{> name}}}}) and delimiter changes ({{{{= =}}}}) are not "
                f"supported in {text!r}"
            )
        try:
            _check_balanced(source)
            self._parsed = pystache.parse(source)
        except TemplateError as error:
            raise TemplateError(f"{error} in {text!r}") from error
        except ParsingError as error:
            raise TemplateError(f"{error} in {text!r}") from error
        except Exception as error:  # noqa: BLE001 - pystache raises plain errors for bad tags
            raise TemplateError(f"cannot parse {text!r}: {error}") from error
        self._renderer = _RENDERERS[escape]

    def render(self, context: dict[str, Any]) -> str:
        return self._renderer.render(self._parsed, context)
