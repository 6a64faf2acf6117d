"""The whole application: pipeline files, configuration, gateways, instance and secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from kernel_runtime.manifest.graph import ResolvedAgent, build_graph
from kernel_runtime.manifest.models.configuration import Configuration, Resource
from kernel_runtime.manifest.models.gateways import Gateway
from kernel_runtime.manifest.models.instance import Instance
from kernel_runtime.manifest.models.pipeline import AssetDefinition, Pipeline, TopicDefinition
from kernel_runtime.manifest.models.secrets import Secrets
from kernel_runtime.manifest.problems import NodePath, Problem

CONTENT_FIELDS = ("pipelines", "configuration", "gateways", "instance", "secrets")


class Application(BaseModel):
    """A LangStream application folder as loaded (placeholders unresolved: see `resolved()`).

    Equality compares the content (pipelines, configuration, gateways, instance, secrets),
    not the folder or the warnings, so a dumped and reloaded application equals the original.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    app_dir: Path
    pipelines: list[Pipeline] = Field(default_factory=list)
    configuration: Configuration = Field(default_factory=Configuration)
    gateways: list[Gateway] = Field(default_factory=list)
    instance: Instance = Field(default_factory=Instance)
    secrets: Secrets = Field(default_factory=Secrets)
    warnings: list[Problem] = Field(default_factory=list)

    # line maps of the files read, and the names the instance/secrets files were given as
    _lines: dict[str, dict[NodePath, int]] = PrivateAttr(default_factory=dict)
    _instance_file: str | None = PrivateAttr(default=None)
    _secrets_file: str | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Application):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in CONTENT_FIELDS)

    __hash__ = None  # type: ignore[assignment]

    # ---- derived views -------------------------------------------------------------------

    def agents(self) -> list[ResolvedAgent]:
        """Agents in pipeline order after implicit chaining."""
        return build_graph(self.pipelines, self._lines).agents

    def agent(self, agent_id: str) -> ResolvedAgent:
        """The ResolvedAgent with this id; KeyError when there is none."""
        for agent in self.agents():
            if agent.id == agent_id:
                return agent
        raise KeyError(agent_id)

    def topics(self) -> dict[str, TopicDefinition]:
        """Every topic by name: declared, implicit (between agents) and dead-letter."""
        return build_graph(self.pipelines, self._lines).topics

    def assets(self) -> list[AssetDefinition]:
        """Declared assets in pipeline order (the same id twice is listed once)."""
        seen: dict[tuple[str, str | None], AssetDefinition] = {}
        for pipeline in self.pipelines:
            for asset in pipeline.assets:
                seen.setdefault((pipeline.module_id, asset.asset_id), asset)
        return list(seen.values())

    @property
    def globals(self) -> dict[str, Any]:
        """configuration.yaml's `defaults.globals`, overridden key by key by the instance's."""
        merged = self.configuration.default_globals
        merged.update(self.instance.globals or {})
        return merged

    def resources_by_name(self) -> dict[str, Resource]:
        """Resources by id (or name when there is no id), as agents refer to them."""
        return {r.resource_id: r for r in self.configuration.resources if r.resource_id is not None}

    def placeholder_context(self) -> dict[str, Any]:
        """The roots `${...}` placeholders read: secrets, globals, cluster."""
        cluster = self.instance.streaming_cluster
        return {
            "secrets": self.secrets.context(),
            "globals": self.globals,
            "cluster": (
                {"type": cluster.type, "configuration": dict(cluster.configuration)}
                if cluster is not None
                else None
            ),
        }

    def resolved(self) -> Application:
        """A copy with `${secrets...}`/`${globals...}` placeholders resolved.

        Raises ApplicationError listing every placeholder that does not resolve.
        """
        from kernel_runtime.manifest.resolved import resolve_application

        return resolve_application(self)

    def line_of(self, file: str, path: NodePath) -> int | None:
        """Line of a node path in one of the files read (nearest ancestor), or None."""
        table = self._lines.get(file) or {}
        probe = tuple(path)
        while True:
            if probe in table:
                return table[probe]
            if not probe:
                return None
            probe = probe[:-1]

    @property
    def instance_file(self) -> str:
        return self._instance_file or "instance.yaml"

    @property
    def secrets_file(self) -> str:
        return self._secrets_file or "secrets.yaml"
