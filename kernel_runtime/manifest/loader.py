"""Load an application folder, an instance file and a secrets file, as LangStream does.

Folder (ModelBuilder.buildApplicationInstance): the regular files directly inside it whose
name ends in `.yaml` (`.yml` files are read by LangStream and then skipped: we warn);
`configuration.yaml` and `gateways.yaml` are special, `archetype.yaml` is ignored,
`instance.yaml`/`secrets.yaml` must not be there, every other file is a pipeline. Folders
(python/, java/) are code, not read here. LangStream parses files in hash order; we use
name order, so ids and error reports are stable.

Instance and secrets files get the CLI's treatment first (env expansion, `<file:...>`),
see `file_refs.py`. Without a secrets file, `${secrets...}` are not checked; without an
instance file, `${globals...}` are not either (LangStream would fail the deploy, but a
folder is still worth validating on its own; `resolved()` reports them).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from kernel_runtime.manifest.builder import build
from kernel_runtime.manifest.file_refs import preprocess_cli_data
from kernel_runtime.manifest.graph import build_graph
from kernel_runtime.manifest.models.application import Application
from kernel_runtime.manifest.models.configuration import Configuration, ConfigurationFile
from kernel_runtime.manifest.models.gateways import Gateway, GatewaysFile
from kernel_runtime.manifest.models.instance import Instance, InstanceFile
from kernel_runtime.manifest.models.pipeline import Pipeline
from kernel_runtime.manifest.models.secrets import Secrets, SecretsFile
from kernel_runtime.manifest.problems import ApplicationError, Problem, ProblemSink
from kernel_runtime.manifest.resolved import resolve_into
from kernel_runtime.manifest.validation import check_instance, check_secrets, validate_application
from kernel_runtime.manifest.yaml_source import YamlDoc, read_yaml

PathLike = str | os.PathLike[str]


def _empty(doc: YamlDoc, sink: ProblemSink, what: str) -> bool:
    if doc.data is None:
        sink.error(doc.file, (), "the file is empty", f"remove it, or write {what} in it")
        return True
    return False


def _pipeline(doc: YamlDoc, sink: ProblemSink) -> Pipeline | None:
    if _empty(doc, sink, "a pipeline"):
        return None
    pipeline = build(Pipeline, doc.data, doc.file, (), sink, "a pipeline file")
    if pipeline is None:
        sink.unreadable.add(doc.file)
    else:
        pipeline.file = doc.file
    return pipeline


def _configuration(doc: YamlDoc, sink: ProblemSink) -> Configuration:
    if _empty(doc, sink, "a `configuration:` block"):
        return Configuration()
    parsed = build(ConfigurationFile, doc.data, doc.file, (), sink, "configuration.yaml")
    if parsed is None:
        sink.unreadable.add(doc.file)
        return Configuration()
    if parsed.configuration is None:
        sink.error(
            doc.file,
            (),
            "configuration entry is not present in configuration.yaml",
            "put resources, dependencies and defaults under a top-level `configuration:` key",
        )
        return Configuration()
    return parsed.configuration


def _gateways(doc: YamlDoc, sink: ProblemSink) -> list[Gateway]:
    if _empty(doc, sink, "a `gateways:` list"):
        return []
    parsed = build(GatewaysFile, doc.data, doc.file, (), sink, "gateways.yaml")
    return list(parsed.gateways or []) if parsed is not None else []


def _read_cli_file(path: Path, env: Mapping[str, str], sink: ProblemSink) -> YamlDoc | None:
    """Read an instance/secrets file and apply the CLI's env and file-reference expansion."""
    name = str(path)
    if not path.is_file():
        sink.error(name, (), "file not found", "check the path")
        return None
    doc = read_yaml(path, name, sink)
    sink.unreadable.discard(name)  # only application files hold back cross-file checks
    if doc is None:
        return None
    doc.data = preprocess_cli_data(doc.data, base_dir=path.parent, env=env, file=name, sink=sink)
    return doc


def _instance_from(path: Path, env: Mapping[str, str], sink: ProblemSink) -> Instance:
    doc = _read_cli_file(path, env, sink)
    if doc is None or _empty(doc, sink, "an `instance:` block"):
        return Instance()
    parsed = build(InstanceFile, doc.data, doc.file, (), sink, "an instance file")
    if parsed is None or parsed.instance is None:
        return Instance()
    return parsed.instance


def _secrets_from(path: Path, env: Mapping[str, str], sink: ProblemSink) -> Secrets:
    doc = _read_cli_file(path, env, sink)
    if doc is None or _empty(doc, sink, "a `secrets:` list"):
        return Secrets()
    parsed = build(SecretsFile, doc.data, doc.file, (), sink, "a secrets file")
    if parsed is None:
        return Secrets()
    if parsed.secrets is None:
        sink.error(doc.file, (), "the secrets file has no `secrets:` list", "add `secrets:`")
        return Secrets()
    return Secrets(secrets=parsed.secrets)


def load_instance(path: PathLike, env: Mapping[str, str] | None = None) -> Instance:
    """An instance file, env-expanded and checked; raises ApplicationError on problems."""
    sink = ProblemSink()
    instance = _instance_from(Path(path), os.environ if env is None else env, sink)
    if not sink.errors:
        check_instance(instance, str(path), sink)
    sink.raise_if_errors()
    return instance


def load_secrets(path: PathLike, env: Mapping[str, str] | None = None) -> Secrets:
    """A secrets file, env-expanded and checked; raises ApplicationError on problems."""
    sink = ProblemSink()
    secrets = _secrets_from(Path(path), os.environ if env is None else env, sink)
    check_secrets(secrets, str(path), sink)
    sink.raise_if_errors()
    return secrets


def _read_folder(
    app_dir: Path, sink: ProblemSink
) -> tuple[list[Pipeline], Configuration, list[Gateway]]:
    pipelines: list[Pipeline] = []
    configuration = Configuration()
    gateways: list[Gateway] = []
    for path in sorted(p for p in app_dir.iterdir() if p.is_file()):
        name = path.name
        if name.endswith(".yml"):
            sink.warning(
                name,
                (),
                "ignored: LangStream only reads application files ending in .yaml",
                f"rename it to {name[:-4]}.yaml",
            )
            continue
        if not name.endswith(".yaml") or name == "archetype.yaml":
            continue
        if name in ("instance.yaml", "secrets.yaml"):
            sink.error(
                name,
                (),
                f"{name} must not be included in the application folder",
                "move it next to the folder and pass it as the instance/secrets file",
            )
            continue
        doc = read_yaml(path, name, sink)
        if doc is None:
            continue
        if name == "configuration.yaml":
            configuration = _configuration(doc, sink)
        elif name == "gateways.yaml":
            gateways = _gateways(doc, sink)
        else:
            pipeline = _pipeline(doc, sink)
            if pipeline is not None:
                pipelines.append(pipeline)
    return pipelines, configuration, gateways


def load_application(
    app_dir: PathLike,
    instance: PathLike | Instance | None = None,
    secrets: PathLike | Secrets | None = None,
    env: Mapping[str, str] | None = None,
) -> Application:
    """Load and validate an application folder.

    Raises ApplicationError listing every problem found; warnings are kept on `.warnings`.
    `env` (default os.environ) feeds `${VAR:-default}` in the instance and secrets files.
    """
    env = os.environ if env is None else env
    folder = Path(app_dir)
    if not folder.is_dir():
        raise ApplicationError(
            [Problem(str(folder), None, "", "application folder not found", "check the path")]
        )
    sink = ProblemSink()
    pipelines, configuration, gateways = _read_folder(folder, sink)

    instance_file = secrets_file = None
    if isinstance(instance, Instance):
        instance_obj, instance_file = instance, "<instance>"
    elif instance is not None:
        instance_file = str(instance)
        instance_obj = _instance_from(Path(instance), env, sink)
    else:
        instance_obj = Instance()
    if isinstance(secrets, Secrets):
        secrets_obj, secrets_file = secrets, "<secrets>"
    elif secrets is not None:
        secrets_file = str(secrets)
        secrets_obj = _secrets_from(Path(secrets), env, sink)
    else:
        secrets_obj = Secrets()

    app = Application(
        app_dir=folder,
        pipelines=pipelines,
        configuration=configuration,
        gateways=gateways,
        instance=instance_obj,
        secrets=secrets_obj,
    )
    app._lines = dict(sink.lines)
    app._instance_file = instance_file
    app._secrets_file = secrets_file

    graph = build_graph(app.pipelines, app._lines)
    validate_application(
        app, graph, sink, instance_given=instance is not None, secrets_given=secrets is not None
    )
    skip = set()
    if secrets is None:
        skip.add("secrets")
    if instance is None:
        skip.update({"globals", "cluster"})
    resolve_into(app, sink, skip_roots=skip)
    app.warnings = sink.warnings
    sink.raise_if_errors()
    return app
