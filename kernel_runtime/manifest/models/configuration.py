"""`configuration.yaml`: resources (AI services, datasources), dependencies, default globals.

Mirrors LangStream's `ModelBuilder.ConfigurationNodeModel`, `Resource` and `Dependency`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from kernel_runtime.manifest.models.base import LsModel

DEPENDENCY_TYPES = ("java-library",)


class Resource(LsModel):
    """A shared resource agents refer to by id (or name): `open-ai-configuration`, ..."""

    id: str | None = None
    name: str | None = None
    type: str | None = None
    configuration: dict[str, Any] | None = None

    @property
    def resource_id(self) -> str | None:
        """The key LangStream files the resource under: the id, else the name."""
        return self.id if self.id is not None else self.name


class Dependency(LsModel):
    """A file the CLI downloads into the application (`java/lib`) before deploying."""

    name: str | None = None
    url: str | None = None
    type: str | None = None
    sha512sum: str | None = None


class Defaults(LsModel):
    globals: dict[str, Any] | None = None


class Configuration(LsModel):
    """The `configuration:` block of configuration.yaml."""

    defaults: Defaults | None = None
    resources: list[Resource] = Field(default_factory=list)
    dependencies: list[Dependency] = Field(default_factory=list)

    @property
    def default_globals(self) -> dict[str, Any]:
        if self.defaults is None or self.defaults.globals is None:
            return {}
        return dict(self.defaults.globals)


class ConfigurationFile(LsModel):
    """The whole configuration.yaml: one `configuration:` key."""

    configuration: Configuration | None = None
