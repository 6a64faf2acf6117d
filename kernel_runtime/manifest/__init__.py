"""The LangStream application model: load, validate, resolve and dump application folders.

    app = load_application("my-app", instance="instances/kafka.yaml", secrets="secrets.yaml")
    for agent in app.resolved().agents(): ...

Problems are collected, never raised one by one: ApplicationError.problems lists them all.
"""

from kernel_runtime.manifest.dump import dump_application, dump_instance, dump_secrets
from kernel_runtime.manifest.graph import ResolvedAgent
from kernel_runtime.manifest.loader import load_application, load_instance, load_secrets
from kernel_runtime.manifest.models import (
    AgentStep,
    Application,
    AssetDefinition,
    Authentication,
    ChatOptions,
    ComputeCluster,
    Configuration,
    ConsumeOptions,
    Dependency,
    DiskSpec,
    ErrorsSpec,
    Gateway,
    Instance,
    KeyValueComparison,
    Pipeline,
    ProduceOptions,
    Resource,
    ResourcesSpec,
    SchemaDefinition,
    Secret,
    Secrets,
    ServiceOptions,
    StreamingCluster,
    TopicDefinition,
)
from kernel_runtime.manifest.problems import ApplicationError, Location, Problem

__all__ = [
    "AgentStep",
    "Application",
    "ApplicationError",
    "AssetDefinition",
    "Authentication",
    "ChatOptions",
    "ComputeCluster",
    "Configuration",
    "ConsumeOptions",
    "Dependency",
    "DiskSpec",
    "ErrorsSpec",
    "Gateway",
    "Instance",
    "KeyValueComparison",
    "Location",
    "Pipeline",
    "Problem",
    "ProduceOptions",
    "ResolvedAgent",
    "Resource",
    "ResourcesSpec",
    "SchemaDefinition",
    "Secret",
    "Secrets",
    "ServiceOptions",
    "StreamingCluster",
    "TopicDefinition",
    "dump_application",
    "dump_instance",
    "dump_secrets",
    "load_application",
    "load_instance",
    "load_secrets",
]
