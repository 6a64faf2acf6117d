"""Write an application back as LangStream YAML (placeholders kept, unset fields left out).

Only YAML is written: pipeline files under their original names, configuration.yaml and
gateways.yaml when they have content. Instance and secrets files are written only on
request, and never inside the application folder (LangStream rejects them there).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from kernel_runtime.manifest.models.application import Application
from kernel_runtime.manifest.models.instance import Instance
from kernel_runtime.manifest.models.pipeline import Pipeline
from kernel_runtime.manifest.models.secrets import Secrets

PathLike = str | os.PathLike[str]
PIPELINE_KEY_ORDER = ("module", "id", "name", "topics", "assets", "resources", "errors", "pipeline")


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as `|` blocks, lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def to_yaml(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def pipeline_data(pipeline: Pipeline) -> dict[str, Any]:
    """A pipeline file's data, with the agents last as LangStream examples write them."""
    data = pipeline.to_yaml_data()
    return {key: data[key] for key in PIPELINE_KEY_ORDER if key in data}


def _write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_yaml(data), encoding="utf-8")
    return path


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def dump_instance(instance: Instance, path: PathLike) -> Path:
    """Write an instance file (`instance:` block)."""
    return _write(Path(path), {"instance": instance.to_yaml_data()})


def dump_secrets(secrets: Secrets, path: PathLike) -> Path:
    """Write a secrets file (`secrets:` list)."""
    return _write(Path(path), {"secrets": [s.to_yaml_data() for s in secrets.secrets]})


def dump_application(
    app: Application,
    out_dir: PathLike,
    *,
    instance_path: PathLike | None = None,
    secrets_path: PathLike | None = None,
) -> list[Path]:
    """Write the application's YAML files into `out_dir`; returns the paths written."""
    folder = Path(out_dir)
    for extra in (instance_path, secrets_path):
        if extra is not None and _inside(Path(extra), folder):
            raise ValueError(
                f"{extra} is inside the application folder {folder}; LangStream rejects "
                "instance and secrets files there, write them beside it"
            )
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for pipeline in app.pipelines:
        name = pipeline.file or f"{pipeline.pipeline_id}.yaml"
        written.append(_write(folder / name, pipeline_data(pipeline)))
    configuration = app.configuration.to_yaml_data()
    if configuration:
        written.append(_write(folder / "configuration.yaml", {"configuration": configuration}))
    if app.gateways:
        gateways = [g.to_yaml_data() for g in app.gateways]
        written.append(_write(folder / "gateways.yaml", {"gateways": gateways}))
    if instance_path is not None:
        written.append(dump_instance(app.instance, instance_path))
    if secrets_path is not None:
        written.append(dump_secrets(app.secrets, secrets_path))
    return written
