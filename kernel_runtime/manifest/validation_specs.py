"""Checks of the errors and resources specs, shared by pipelines and agents."""

from __future__ import annotations

from kernel_runtime.manifest.models.pipeline import (
    ON_FAILURE_VALUES,
    ErrorsSpec,
    ResourcesSpec,
    parse_disk_size,
)
from kernel_runtime.manifest.problems import NodePath, ProblemSink, suggestion


def check_errors_spec(
    spec: ErrorsSpec | None, file: str, path: NodePath, sink: ProblemSink
) -> None:
    """ModelBuilder.validateErrorsSpec."""
    if spec is None:
        return
    if spec.retries is not None and spec.retries < 0:
        sink.error(
            file,
            (*path, "retries"),
            f"retries must be 0 or more (bad value retries: {spec.retries})",
            "use 0 to fail on the first error, or a positive number of retries",
        )
    if spec.on_failure is not None and spec.on_failure not in ON_FAILURE_VALUES:
        sink.error(
            file,
            (*path, "on-failure"),
            f"on-failure must be one of 'fail', 'dead-letter' or 'skip' "
            f"(bad value on-failure: {spec.on_failure})",
            suggestion(spec.on_failure, ON_FAILURE_VALUES),
        )


def check_resources_spec(
    spec: ResourcesSpec | None, file: str, path: NodePath, sink: ProblemSink
) -> None:
    if spec is None:
        return
    for key in ("parallelism", "size"):
        value = getattr(spec, key)
        if value is not None and value < 1:
            sink.error(
                file,
                (*path, key),
                f"{key} must be 1 or more (bad value {key}: {value})",
                f"set {key}: 1 or more, or remove it for the default (1)",
            )
    if spec.disk is not None and spec.disk.size is not None:
        try:
            parse_disk_size(spec.disk.size)
        except ValueError:
            sink.error(
                file,
                (*path, "disk", "size"),
                f"invalid disk size '{spec.disk.size}'",
                "use a whole number with an optional K, M or G suffix, like '256M' or '1G'",
            )
