"""The instance file: which streaming cluster (Kafka, Pulsar...) and compute cluster to use.

Mirrors LangStream's `Instance`, `StreamingCluster` and `ComputeCluster` records.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from kernel_runtime.manifest.models.base import LsModel

STREAMING_CLUSTER_TYPES = ("kafka", "pulsar", "pravega", "noop")
COMPUTE_CLUSTER_TYPES = ("kubernetes", "none")


class StreamingCluster(LsModel):
    type: str | None = None
    configuration: dict[str, Any] = Field(default_factory=dict)


class ComputeCluster(LsModel):
    type: str | None = None
    configuration: dict[str, Any] = Field(default_factory=dict)


class Instance(LsModel):
    """`instance:` of an instance file; `globals` override configuration.yaml's defaults."""

    streaming_cluster: StreamingCluster | None = Field(None, alias="streamingCluster")
    compute_cluster: ComputeCluster | None = Field(None, alias="computeCluster")
    globals: dict[str, Any] | None = None


class InstanceFile(LsModel):
    instance: Instance | None = None
