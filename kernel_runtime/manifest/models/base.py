"""The base of every model: LangStream key spelling via aliases, equality on fields only."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationInfo, field_validator

from kernel_runtime.manifest.problems import NodePath

_TEXT_FIELDS: dict[type, frozenset[str]] = {}


class LsModel(BaseModel):
    """A LangStream YAML object.

    Fields carry LangStream's spelling as alias (`creation-mode`); Python code may use the
    field names. Numbers given for text fields become text, as Jackson coerces them.
    `_origin` remembers the file and node path it was read from (not part of equality).
    """

    model_config = ConfigDict(
        populate_by_name=True,
        extra="forbid",
        coerce_numbers_to_str=True,
        arbitrary_types_allowed=True,
    )

    # fields set by the loader (declared with exclude=True), never read from YAML
    internal_fields: ClassVar[frozenset[str]] = frozenset()

    _origin: tuple[str, NodePath] | None = PrivateAttr(default=None)

    @field_validator("*", mode="before")
    @classmethod
    def _booleans_as_text(cls, value: Any, info: ValidationInfo) -> Any:
        """Jackson reads `value: true` into a String field as "true"; so do we."""
        if isinstance(value, bool) and info.field_name in _TEXT_FIELDS.get(cls, ()):
            return "true" if value else "false"
        return value

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in type(self).model_fields)

    __hash__ = None  # type: ignore[assignment]

    @property
    def origin(self) -> tuple[str, NodePath] | None:
        """(file, node path) this object was loaded from, if it was loaded from a file."""
        return self._origin

    def with_origin(self, file: str, path: NodePath) -> LsModel:
        self._origin = (file, tuple(path))
        return self

    def to_yaml_data(self) -> dict[str, Any]:
        """Plain data in LangStream spelling, without unset (None/default) fields."""
        return self.model_dump(
            by_alias=True,
            exclude_none=True,
            exclude_defaults=True,
        )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        _TEXT_FIELDS[cls] = frozenset(
            name for name, info in cls.model_fields.items() if info.annotation in (str, str | None)
        )
