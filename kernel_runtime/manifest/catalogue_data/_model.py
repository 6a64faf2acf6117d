"""Data classes of the agent catalogue and the small constructors the data modules use.

The public names (``ConfigField``, ``AgentType``, ...) are re-exported by
``kernel_runtime.manifest.catalogue``; import them from there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

ComponentType = Literal["source", "processor", "sink", "service"]
FieldType = Literal["string", "integer", "number", "boolean", "array", "object", "any"]


@dataclass(frozen=True)
class ConfigField:
    """One key of an agent's ``configuration:`` block."""

    name: str  # YAML key, LangStream spelling
    type: FieldType = "any"
    required: bool = False
    default: object = None  # LangStream's defaultValue, parsed to a Python value
    description: str = ""


@dataclass(frozen=True)
class AgentType:
    """One agent ``type:`` a LangStream pipeline may use."""

    name: str
    component: ComponentType
    composable: bool
    allow_unknown_fields: bool
    fields: dict[str, ConfigField] = field(default_factory=dict)  # keyed by YAML name
    description: str = ""

    @property
    def required(self) -> tuple[str, ...]:
        """YAML names of the required fields, in declaration order."""
        return tuple(name for name, f in self.fields.items() if f.required)


def f(
    name: str,
    type: FieldType = "any",
    desc: str = "",
    *,
    required: bool = False,
    default: object = None,
) -> ConfigField:
    """Compact ConfigField constructor used by the data modules."""
    return ConfigField(name=name, type=type, required=required, default=default, description=desc)


def agent(
    name: str,
    component: ComponentType,
    desc: str = "",
    *,
    composable: bool,
    fields: Iterable[ConfigField] | None = None,
    allow_unknown: bool = False,
) -> AgentType:
    """Compact AgentType constructor.

    ``fields=None`` means LangStream declares no configuration model for the type, so
    nothing is validated and any key is accepted (``allow_unknown_fields=True``).
    An empty list means a model without properties: no key is accepted.
    """
    if fields is None:
        return AgentType(name, component, composable, True, {}, desc)
    by_name: dict[str, ConfigField] = {}
    for cf in fields:
        if cf.name in by_name:
            raise ValueError(f"duplicate field {cf.name!r} in agent type {name!r}")
        by_name[cf.name] = cf
    return AgentType(name, component, composable, allow_unknown, by_name, desc)
