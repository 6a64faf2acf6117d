"""Pydantic models of a LangStream application, in LangStream's YAML spelling."""

from kernel_runtime.manifest.models.application import Application
from kernel_runtime.manifest.models.configuration import (
    Configuration,
    ConfigurationFile,
    Defaults,
    Dependency,
    Resource,
)
from kernel_runtime.manifest.models.gateways import (
    Authentication,
    ChatOptions,
    ConsumeOptions,
    ConsumeOptionsFilters,
    Gateway,
    KeyValueComparison,
    ProduceOptions,
    ServiceOptions,
)
from kernel_runtime.manifest.models.instance import (
    ComputeCluster,
    Instance,
    InstanceFile,
    StreamingCluster,
)
from kernel_runtime.manifest.models.pipeline import (
    AgentStep,
    AssetDefinition,
    DiskSpec,
    ErrorsSpec,
    Pipeline,
    ResourcesSpec,
    SchemaDefinition,
    TopicDefinition,
)
from kernel_runtime.manifest.models.secrets import Secret, Secrets

__all__ = [
    "AgentStep",
    "Application",
    "AssetDefinition",
    "Authentication",
    "ChatOptions",
    "ComputeCluster",
    "Configuration",
    "ConfigurationFile",
    "ConsumeOptions",
    "ConsumeOptionsFilters",
    "Defaults",
    "Dependency",
    "DiskSpec",
    "ErrorsSpec",
    "Gateway",
    "Instance",
    "InstanceFile",
    "KeyValueComparison",
    "Pipeline",
    "ProduceOptions",
    "Resource",
    "ResourcesSpec",
    "SchemaDefinition",
    "Secret",
    "Secrets",
    "ServiceOptions",
    "StreamingCluster",
    "TopicDefinition",
]
