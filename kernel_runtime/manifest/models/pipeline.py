"""A pipeline file: agents (`pipeline:`), `topics:`, `assets:`, and default resources/errors.

Mirrors LangStream's `ModelBuilder.PipelineFileModel`, `AgentModel`, `TopicDefinitionModel`,
`AssetDefinitionModel` and the api model's `ResourcesSpec`, `DiskSpec`, `ErrorsSpec`,
`SchemaDefinition`, `TopicDefinition`. Every field is optional here, as in the Java POJOs;
the checks LangStream makes live in `validation.py` so they can all be reported at once.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field, model_validator

from kernel_runtime.manifest.models.base import LsModel

DEFAULT_MODULE = "default"
ON_FAILURE_VALUES = ("fail", "skip", "dead-letter")
CREATION_MODES = ("none", "create-if-not-exists")
DELETION_MODES = ("none", "delete")


def parse_disk_size(size: str | None) -> int:
    """Bytes in a disk size like `256M`, `1G`, `512K`, `1024` (DiskSpec.parseSize).

    Raises ValueError for anything LangStream would reject.
    """
    if size is None or size == "":
        return 0
    text = re.sub(r"\s+", "", str(size).upper().strip())
    multiplier = 1
    for suffix, factor in (("G", 1024**3), ("M", 1024**2), ("K", 1024)):
        if text.endswith(suffix):
            multiplier, text = factor, text[:-1]
            break
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(f"invalid disk size string {text}")
    return int(text) * multiplier


class DiskSpec(LsModel):
    """A persistent disk for an agent; when enabled, type and size default as in LangStream."""

    enabled: bool | None = None
    type: str | None = None
    size: str | None = None

    TYPE_DEFAULT: ClassVar[str] = "default"
    SIZE_DEFAULT: ClassVar[str] = "256M"

    @model_validator(mode="after")
    def _langstream_defaults(self) -> DiskSpec:
        if self.enabled:
            if self.type is None or not self.type.strip():
                self.type = self.TYPE_DEFAULT
            if self.size is None:
                self.size = self.SIZE_DEFAULT
        return self

    def with_defaults_from(self, higher: DiskSpec | None) -> DiskSpec:
        if higher is None:
            return self
        return DiskSpec(
            enabled=self.enabled if self.enabled is not None else higher.enabled,
            type=self.type if self.type is not None else higher.type,
            size=self.size if self.size is not None else higher.size,
        )


class ResourcesSpec(LsModel):
    """Parallelism (replicas), size (CPU/memory units) and disk of an agent."""

    parallelism: int | None = None
    size: int | None = None
    disk: DiskSpec | None = None

    def with_defaults_from(self, higher: ResourcesSpec | None) -> ResourcesSpec:
        if higher is None:
            return self
        return ResourcesSpec(
            parallelism=self.parallelism if self.parallelism is not None else higher.parallelism,
            size=self.size if self.size is not None else higher.size,
            disk=higher.disk if self.disk is None else self.disk.with_defaults_from(higher.disk),
        )


class ErrorsSpec(LsModel):
    """What to do when an agent fails on a record: retries, then fail, skip or dead-letter."""

    on_failure: str | None = Field(None, alias="on-failure")
    retries: int | None = None

    def with_defaults_from(self, higher: ErrorsSpec | None) -> ErrorsSpec:
        if higher is None:
            return self
        return ErrorsSpec(
            on_failure=self.on_failure if self.on_failure is not None else higher.on_failure,
            retries=self.retries if self.retries is not None else higher.retries,
        )


RESOURCES_DEFAULT = ResourcesSpec(parallelism=1, size=1)
ERRORS_DEFAULT = ErrorsSpec(on_failure="fail", retries=0)


class SchemaDefinition(LsModel):
    """A topic key or value schema: `type` (string, avro, json...), `schema` text, `name`."""

    type: str | None = None
    definition: str | None = Field(None, alias="schema")
    name: str | None = None


class TopicDefinition(LsModel):
    """A topic, declared under `topics:` or created implicitly by the planner."""

    internal_fields: ClassVar[frozenset[str]] = frozenset({"implicit"})

    name: str | None = None
    creation_mode: str | None = Field(None, alias="creation-mode")
    deletion_mode: str | None = Field(None, alias="deletion-mode")
    partitions: int = 0
    key_schema: SchemaDefinition | None = Field(None, alias="keySchema")
    value_schema: SchemaDefinition | None = Field(None, alias="schema")
    options: dict[str, Any] | None = None
    config: dict[str, Any] | None = None
    implicit: bool = Field(False, exclude=True)


class AssetDefinition(LsModel):
    """An asset (table, index, collection) the application creates before agents start."""

    id: str | None = None
    name: str | None = None
    creation_mode: str | None = Field(None, alias="creation-mode")
    deletion_mode: str | None = Field(None, alias="deletion-mode")
    asset_type: str | None = Field(None, alias="asset-type")
    config: dict[str, Any] | None = None

    @property
    def asset_id(self) -> str | None:
        """LangStream uses the id, or the name when there is no id."""
        return self.id if self.id is not None else self.name


class AgentStep(LsModel):
    """One item of `pipeline:` as written (no auto id, no implicit topics: see ResolvedAgent)."""

    id: str | None = None
    name: str | None = None
    type: str | None = None
    input: str | None = None
    output: str | None = None
    configuration: dict[str, Any] = Field(default_factory=dict)
    resources: ResourcesSpec | None = None
    errors: ErrorsSpec | None = None


class Pipeline(LsModel):
    """One pipeline YAML file of the application folder."""

    internal_fields: ClassVar[frozenset[str]] = frozenset({"file"})

    file: str = Field("", exclude=True)
    module: str | None = None
    id: str | None = None
    name: str | None = None
    steps: list[AgentStep] = Field(default_factory=list, alias="pipeline")
    topics: list[TopicDefinition] = Field(default_factory=list)
    assets: list[AssetDefinition] = Field(default_factory=list)
    resources: ResourcesSpec | None = None
    errors: ErrorsSpec | None = None

    @property
    def pipeline_id(self) -> str:
        """The `id:`, else the file name without `.yaml`/`.yml` (ModelBuilder)."""
        if self.id is not None:
            return self.id
        return self.file.replace(".yaml", "").replace(".yml", "")

    @property
    def module_id(self) -> str:
        return self.module if self.module is not None else DEFAULT_MODULE

    @property
    def effective_resources(self) -> ResourcesSpec:
        if self.resources is None:
            return RESOURCES_DEFAULT
        return self.resources.with_defaults_from(RESOURCES_DEFAULT)

    @property
    def effective_errors(self) -> ErrorsSpec:
        if self.errors is None:
            return ERRORS_DEFAULT
        return self.errors.with_defaults_from(ERRORS_DEFAULT)
