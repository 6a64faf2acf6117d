"""The secrets file: named bags of values that `${secrets.<id>.<key>}` placeholders read.

Mirrors LangStream's `Secret` and `Secrets` records.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from kernel_runtime.manifest.models.base import LsModel


class Secret(LsModel):
    id: str | None = None
    name: str | None = None
    data: dict[str, Any] | None = None


class Secrets(LsModel):
    """`secrets:` of a secrets file."""

    secrets: list[Secret] = Field(default_factory=list)

    def by_id(self) -> dict[str, Secret]:
        """Secrets by id (the last wins on duplicates; validation reports them)."""
        return {s.id: s for s in self.secrets if s.id is not None}

    def context(self) -> dict[str, Any]:
        """The `secrets` root of placeholder resolution: id -> data."""
        return {s.id: dict(s.data or {}) for s in self.secrets if s.id is not None}


class SecretsFile(LsModel):
    """The whole secrets file, as ModelBuilder.SecretsFileModel."""

    secrets: list[Secret] | None = None
