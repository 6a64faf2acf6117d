"""Reading a built-in agent's configuration with errors that name the field and the fix.

Unknown keys are rejected as LangStream's planner rejects them (with the closest known key);
`resources` and `globals` (added by the runtime for every agent) and `composable` are allowed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from kernel_runtime.agents.errors import AgentConfigError
from kernel_runtime.expressions import Expression, ExpressionError, compile_expression

RUNTIME_KEYS = frozenset({"resources", "globals", "composable"})


class ConfigReader:
    """Typed access to one mapping of the configuration (`path` prefixes nested fields)."""

    def __init__(
        self,
        agent_type: str,
        config: Mapping[str, Any] | None,
        known: Iterable[str],
        *,
        context: Any = None,
        path: str = "",
        agent_id: str | None = None,
    ) -> None:
        self.agent_type = agent_type
        self.agent_id = agent_id or getattr(context, "agent_id", None)
        self.path = path
        self.config = dict(config or {})
        self.known = tuple(known)
        self._check_unknown()

    def where(self) -> str:
        agent = (
            f"agent {self.agent_id!r} ({self.agent_type})"
            if self.agent_id
            else f"{self.agent_type} agent"
        )
        return agent

    def error(self, field: str, message: str) -> AgentConfigError:
        return AgentConfigError(f"{self.where()}: configuration {self.path + field!r} {message}")

    def _check_unknown(self) -> None:
        for key in self.config:
            if key in self.known or (not self.path and key in RUNTIME_KEYS):
                continue
            close = difflib.get_close_matches(str(key), self.known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            valid = ", ".join(self.known) or "none"
            raise self.error(str(key), f"is unknown; {hint}valid keys are: {valid}")

    def nested(self, field: str, index: int, item: Any, known: Iterable[str]) -> ConfigReader:
        if not isinstance(item, Mapping):
            raise self.error(f"{field}[{index}]", f"must be a map, got {type(item).__name__}")
        return ConfigReader(
            self.agent_type,
            item,
            known,
            path=f"{self.path}{field}[{index}].",
            agent_id=self.agent_id,
        )

    def string(
        self, field: str, default: str | None = None, *, required: bool = False
    ) -> str | None:
        value = self.config.get(field)
        if value is None:
            if required:
                raise self.error(field, "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.error(field, f"must be a string, got {type(value).__name__} {value!r}")
        return str(value)

    def boolean(self, field: str, default: bool) -> bool:
        value = self.config.get(field)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise self.error(field, f"must be true or false, got {value!r}")

    def integer(self, field: str, default: int, *, minimum: int | None = None) -> int:
        value = self.config.get(field, default)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(field, f"must be an integer, got {value!r}")
        if minimum is not None and value < minimum:
            raise self.error(field, f"must be at least {minimum}, got {value}")
        return value

    def choice(self, field: str, choices: Iterable[str], default: str | None = None) -> str | None:
        value = self.string(field, default)
        options = tuple(choices)
        if value is not None and value not in options:
            raise self.error(field, f"must be one of {', '.join(options)}; got {value!r}")
        return value

    def items(self, field: str, *, required: bool = False) -> list[Any]:
        value = self.config.get(field)
        if value is None:
            if required:
                raise self.error(field, "is required (a list)")
            return []
        if not isinstance(value, list):
            raise self.error(field, f"must be a list, got {type(value).__name__}")
        return value

    def strings(self, field: str, *, required: bool = False) -> list[str]:
        values = self.items(field, required=required)
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise self.error(f"{field}[{index}]", f"must be a string, got {value!r}")
        return values

    def expression(
        self, field: str, *, required: bool = False, default: str | None = None
    ) -> Expression | None:
        if isinstance(self.config.get(field), bool):  # YAML `when: true`, as LangStream's getString
            self.config[field] = "true" if self.config[field] else "false"
        source = self.string(field, default, required=required)
        if source is None:
            return None
        if not source.strip():
            raise self.error(field, "is empty; write an expression such as value.field == 'x'")
        try:
            return compile_expression(source)
        except ExpressionError as error:
            raise self.error(field, f"is not a valid expression:\n{error}") from error
