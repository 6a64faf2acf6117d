"""Turn parsed YAML into models, reporting every unknown key and bad value with its path.

LangStream parses with a default Jackson ObjectMapper, so unknown keys are errors
(FAIL_ON_UNKNOWN_PROPERTIES) and only the spellings of `@JsonProperty`/`@JsonAlias` are
accepted. We check keys ourselves (to say "did you mean"), drop what is wrong and keep
building, so one run reports everything: a bad nested block is dropped, not its parent.
"""

from __future__ import annotations

import types
from functools import cache
from inspect import isclass
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import AliasChoices, ValidationError

from kernel_runtime.manifest.models.base import LsModel
from kernel_runtime.manifest.problems import NodePath, ProblemSink, suggestion

M = TypeVar("M", bound=LsModel)


def _nested(annotation: Any) -> tuple[str, type[LsModel]] | None:
    """('model', cls) or ('list', cls) when a field holds models."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            found = _nested(arg)
            if found:
                return found
        return None
    if origin is list:
        (item,) = get_args(annotation) or (Any,)
        if isclass(item) and issubclass(item, LsModel):
            return ("list", item)
        return None
    if isclass(annotation) and issubclass(annotation, LsModel):
        return ("model", annotation)
    return None


@cache
def accepted_keys(cls: type[LsModel]) -> dict[str, str]:
    """YAML key -> field name, for the spellings LangStream accepts."""
    keys: dict[str, str] = {}
    for name, info in cls.model_fields.items():
        if name in cls.internal_fields:
            continue
        if isinstance(info.validation_alias, AliasChoices):
            for choice in info.validation_alias.choices:
                if isinstance(choice, str):
                    keys[choice] = name
        elif isinstance(info.validation_alias, str):
            keys[info.validation_alias] = name
        else:
            keys[info.alias or name] = name
    return keys


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def build(
    cls: type[M], data: Any, file: str, path: NodePath, sink: ProblemSink, what: str = ""
) -> M | None:
    """A `cls` from YAML `data` at `path` of `file`, or None when nothing usable is there."""
    if not isinstance(data, dict):
        sink.error(
            file,
            path,
            f"expected a mapping{' for ' + what if what else ''}, found {_type_name(data)}",
            "write `key: value` lines indented under it",
        )
        return None
    keys = accepted_keys(cls)
    clean: dict[str, Any] = {}
    used: dict[str, str] = {}  # field name -> YAML key used
    for raw_key, value in data.items():
        key = raw_key if isinstance(raw_key, str) else str(raw_key).lower()
        if key not in keys:
            sink.error(
                file,
                (*path, key),
                f"unknown key '{key}'{' in ' + what if what else ''}",
                suggestion(key, keys, what="a key"),
            )
            continue
        name = keys[key]
        if name in used:
            sink.warning(
                file,
                (*path, key),
                f"'{key}' and '{used[name]}' are the same setting",
                f"keep only one of them ('{key}' wins)",
            )
            clean.pop(used[name], None)
        used[name] = key
        info = cls.model_fields[name]
        if value is None and (info.default_factory is not None or info.default is not None):
            continue  # Jackson leaves an empty `key:` unset; keep our default ([] / {} / 0)
        nested = _nested(info.annotation)
        if nested is None or value is None:
            clean[key] = value
            continue
        kind, sub = nested
        if kind == "model":
            built = build(sub, value, file, (*path, key), sink, key)
            if built is not None:
                clean[key] = built
            continue
        if not isinstance(value, list):
            sink.error(
                file,
                (*path, key),
                f"'{key}' must be a list, found {_type_name(value)}",
                f"write each item of '{key}' on its own line starting with '- '",
            )
            continue
        items = [build(sub, item, file, (*path, key, i), sink, key) for i, item in enumerate(value)]
        clean[key] = [item for item in items if item is not None]
    return _validate(cls, clean, file, path, sink)


def _validate(
    cls: type[M], clean: dict[str, Any], file: str, path: NodePath, sink: ProblemSink
) -> M | None:
    """Validate scalars; a bad value is reported and dropped, then we try again once."""
    for attempt in range(2):
        try:
            model = cls.model_validate(clean)
        except ValidationError as error:
            bad: set[str] = set()
            for item in error.errors():
                loc = item.get("loc") or ()
                if attempt == 0:
                    where = (*path, *loc)
                    value = item.get("input")
                    message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
                    shown = repr(value) if not isinstance(value, dict | list) else _type_name(value)
                    sink.error(file, where, f"invalid value {shown}: {message}")
                if loc and isinstance(loc[0], str):
                    bad.add(loc[0])
            if not bad:
                return None
            clean = {k: v for k, v in clean.items() if k not in bad}
            continue
        model.with_origin(file, path)
        return model
    return None
