"""`${secrets.x.y}` / `${globals.x}` placeholders, resolved as LangStream's
`ApplicationPlaceholderResolver` (langstream-core) resolves them at deploy time.

Rules mirrored:

* the context has three roots: `secrets` (id -> data), `globals` (instance globals over
  configuration defaults) and `cluster` (the instance's streamingCluster: type, configuration);
* a string that is exactly one placeholder (`"${ secrets.s3.port }"`, spaces allowed) becomes
  the referenced value with its type (number, bool, map, list);
* otherwise every `${...}` inside the string is replaced by the value as text (non-strings as
  compact JSON with sorted keys, null as the empty string);
* a string without `${` but with `{{ ... }}` is the 0.x syntax: `{{ secrets.x }}`,
  `{{{ globals.x }}}` are resolved, and at the first Mustache tag that reads anything else
  (`{{ value.question }}`) the whole string is kept unchanged, as LangStream does;
* `${` without a closing `}` is an error, as is a reference whose parent does not exist.

Missing references are reported as warnings and resolve to null (the empty string inside
text), as LangStream does for a missing last key (`${secrets.open-ai.no-such-key}`).
LangStream fails the deploy when a parent is missing (`${secrets.no-such-secret.key}`);
we warn there too, because LangStream's own examples rely on secrets that their shared
secrets.yaml lacks (chatbot-rag-memory reads `secrets.s3-credentials`). Unknown roots
(`${value.x}`) and an unclosed `${` are errors, as in LangStream.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kernel_runtime.manifest.problems import NodePath

ROOTS = ("secrets", "globals", "cluster")
MUSTACHE_ROOTS = ("secrets", "globals")


@dataclass(frozen=True)
class PlaceholderIssue:
    """A placeholder that cannot be resolved, at `path` below the value being resolved."""

    path: NodePath
    reference: str
    root: str
    message: str
    hint: str
    severity: str = "error"


Report = Callable[[PlaceholderIssue], None]


class _Unresolved(Exception):
    def __init__(self, root: str, message: str, hint: str, severity: str = "warning") -> None:
        super().__init__(message)
        self.root = root
        self.message = message
        self.hint = hint
        self.severity = severity


def _describe_missing(parts: list[str], depth: int) -> tuple[str, str]:
    """Message and hint for a missing `parts[depth]` below `parts[:depth]`."""
    root = parts[0]
    missing = parts[depth]
    if depth == 0 and root == "cluster":
        return (
            "'cluster' is not available: there is no instance streamingCluster",
            "pass an instance file",
        )
    if root == "secrets":
        if depth == 1:
            return (
                f"secret '{missing}' is not defined",
                f"add a secret with id '{missing}' to the secrets file",
            )
        owner = ".".join(parts[1:depth])
        return (
            f"secret '{owner}' has no key '{missing}'",
            f"add '{missing}' under the data of secret '{parts[1]}' in the secrets file",
        )
    if root == "globals":
        name = ".".join(parts[1 : depth + 1])
        return (
            f"global '{name}' is not defined",
            "add it under configuration.defaults.globals in configuration.yaml or under "
            "instance.globals in the instance file",
        )
    if root == "cluster":
        return (
            f"'{'.'.join(parts[: depth + 1])}' is not set in the instance's streamingCluster",
            "check the instance file",
        )
    return (
        f"unknown placeholder root '{root}'",
        "placeholders read secrets.*, globals.* or cluster.*; record fields are Mustache "
        "templates like {{ value.question }} and are resolved per record",
    )


def resolve_reference(reference: str, context: Mapping[str, Any]) -> Any:
    """The value of `secrets.a.b` in `context`; raises _Unresolved with a message and hint."""
    parts = [p.strip() for p in reference.strip().split(".")]
    root = parts[0]
    current: Any = context
    for depth, part in enumerate(parts):
        if not isinstance(current, Mapping):
            owner = ".".join(parts[:depth])
            raise _Unresolved(
                root,
                f"'{owner}' is not a mapping, so '{part}' cannot be read from it",
                "check the placeholder path",
                "error",
            )
        if part not in current or (depth == 0 and current.get(part) is None):
            message, hint = _describe_missing(parts, depth)
            known = depth > 0 or root in ROOTS
            raise _Unresolved(root, message, hint, "warning" if known else "error")
        current = current[part]
    return current


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class PlaceholderResolver:
    """Resolves values against a context, reporting each unresolved placeholder once."""

    def __init__(self, context: Mapping[str, Any], report: Report) -> None:
        self.context = context
        self.report = report

    def _lookup(self, reference: str, path: NodePath, original: str) -> Any:
        try:
            return copy.deepcopy(resolve_reference(reference, self.context))
        except _Unresolved as error:
            self.report(
                PlaceholderIssue(
                    path=path,
                    reference=original,
                    root=error.root,
                    message=f"{error.message} (referenced as {original})",
                    hint=error.hint,
                    severity=error.severity,
                )
            )
            return None

    def _interpolate(
        self, template: str, path: NodePath, prefix: str, suffix: str, mustache: bool
    ) -> str:
        out: list[str] = []
        position = 0
        start = template.find(prefix)
        if start < 0:
            return template
        while start >= 0:
            out.append(template[position:start])
            end = template.find(suffix, start)
            if end < 0:
                self.report(
                    PlaceholderIssue(
                        path=path,
                        reference=template[start:],
                        root="",
                        message=f"placeholder '{template[start : start + 40]}' has no closing "
                        f"'{suffix}'",
                        hint=f"close it with '{suffix}', or write $ and {{ apart if it is "
                        "not a placeholder",
                    )
                )
                return template
            reference = template[start + len(prefix) : end].strip()
            if mustache and not reference.startswith(MUSTACHE_ROOTS):
                return template
            original = template[start : end + len(suffix)]
            out.append(_as_text(self._lookup(reference, path, original)))
            position = end + len(suffix)
            start = template.find(prefix, position)
        out.append(template[position:])
        return "".join(out)

    def string(self, template: str | None, path: NodePath = ()) -> Any:
        """Resolve one string (LangStream's resolveSingleValue)."""
        if template is None:
            return None
        reference = template.strip()
        if (
            reference.startswith("${")
            and reference.endswith("}")
            and reference.find("{") == reference.rfind("{")
        ):
            return self._lookup(reference[2:-1], path, reference)
        if "${" not in template and "{{" in template and "}}" in template:
            if "{{{" in template:
                return self._interpolate(template, path, "{{{", "}}}", True)
            return self._interpolate(template, path, "{{", "}}", True)
        return self._interpolate(template, path, "${", "}", False)

    def as_string(self, template: str | None, path: NodePath = ()) -> str | None:
        """Resolve a name (topic, connection): the value as text."""
        value = self.string(template, path)
        if value is None or isinstance(value, str):
            return value
        return _as_text(value)

    def value(self, value: Any, path: NodePath = ()) -> Any:
        """Resolve every string inside maps and lists."""
        if isinstance(value, Mapping):
            return {k: self.value(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v, (*path, i)) for i, v in enumerate(value)]
        if isinstance(value, str):
            return self.string(value, path)
        return value

    def mapping(self, value: Mapping[str, Any] | None, path: NodePath = ()) -> dict[str, Any]:
        """LangStream turns a null map into an empty one when resolving."""
        if value is None:
            return {}
        return self.value(value, path)
