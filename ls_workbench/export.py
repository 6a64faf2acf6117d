"""Write an application as a folder LangStream accepts, validated by loading it back.

    report = export_application("my-app", "out/my-app", instance="dev.yaml", secrets="s.yaml")

The folder gets the pipeline YAML files, configuration.yaml, gateways.yaml and the code
folders (python/, java/ ...); `instance.yaml` and `secrets.yaml` go beside it, never inside
(LangStream rejects them there). A secret value typed literally into a pipeline,
configuration or gateway becomes a `${secrets.<id>.<key>}` reference, so the folder can be
shared or committed without the secrets file. The export is written to a temporary sibling
folder, loaded back and compared with the source before it replaces `out_dir`, so a failed
export never leaves a half-written folder behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernel_runtime.manifest import (
    Application,
    ApplicationError,
    Instance,
    Secrets,
    dump_application,
    dump_instance,
    dump_secrets,
    load_application,
)

PathLike = str | os.PathLike[str]

# a secret value this long is replaced wherever it is a whole value ...
MIN_EXACT_SECRET = 6
# ... and this long also inside longer text ("Bearer <token>")
MIN_INLINE_SECRET = 12
# never copied from the source folder: runtime state, caches, files LangStream rejects there
SKIPPED_NAMES = frozenset(
    {"__pycache__", ".ls-workbench", ".ipynb_checkpoints", ".git", "instance.yaml", "secrets.yaml"}
)


class ExportError(ValueError):
    """The export could not be written or does not load back as the same application."""

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.problems = list(problems)
        detail = "".join(f"\n  - {problem}" for problem in self.problems)
        super().__init__(message + detail)


@dataclass(frozen=True)
class Replacement:
    """A literal secret value replaced by a reference: where, and by which reference."""

    file: str
    field: str
    reference: str


@dataclass
class ExportReport:
    """What `export_application` wrote, and what the user should know about it."""

    out_dir: Path
    files: list[Path] = field(default_factory=list)
    instance_path: Path | None = None
    secrets_path: Path | None = None
    replaced_secrets: list[Replacement] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    application: Application | None = None

    def summary(self) -> str:
        """A few lines for a terminal or a notebook cell."""
        lines = [f"exported {self.out_dir} ({len(self.files)} file(s))"]
        if self.instance_path:
            lines.append(f"  instance: {self.instance_path}")
        if self.secrets_path:
            lines.append(f"  secrets:  {self.secrets_path}")
        for item in self.replaced_secrets:
            lines.append(f"  {item.file} {item.field}: secret value replaced by {item.reference}")
        lines += [f"  warning: {warning}" for warning in self.warnings]
        return "\n".join(lines)


# ---- secret scrubbing ----------------------------------------------------------------------


def _secret_references(secrets: Secrets) -> list[tuple[str, str]]:
    """(value, reference) for every text secret value, longest first so that
    a value containing another one is replaced whole."""
    pairs = [
        (value, f"${{secrets.{secret_id}.{key}}}")
        for secret_id, data in secrets.context().items()
        for key, value in data.items()
        if isinstance(value, str) and len(value) >= MIN_EXACT_SECRET
    ]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


class _Scrubber:
    """Replaces literal secret values in nested data, remembering each replacement."""

    def __init__(self, secrets: Secrets) -> None:
        self.references = _secret_references(secrets)
        self.replaced: list[Replacement] = []

    def text(self, value: str, file: str, where: str) -> str:
        for secret, reference in self.references:
            if value == secret:
                self.replaced.append(Replacement(file, where, reference))
                return reference
        new = value
        for secret, reference in self.references:
            if len(secret) >= MIN_INLINE_SECRET and secret in new:
                new = new.replace(secret, reference)
                self.replaced.append(Replacement(file, where, reference))
        return new

    def data(self, value: Any, file: str, where: str) -> Any:
        if isinstance(value, str):
            return self.text(value, file, where)
        if isinstance(value, Mapping):
            return {k: self.data(v, file, f"{where}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [self.data(v, file, f"{where}[{i}]") for i, v in enumerate(value)]
        return value

    def application(self, app: Application) -> Application:
        """A copy of `app` whose pipeline, configuration and gateway values hold no secret."""
        if not self.references:
            return app
        new = app.model_copy(deep=True)
        for pipeline in new.pipelines:
            for i, step in enumerate(pipeline.steps):
                step.configuration = self.data(
                    step.configuration, pipeline.file, f"pipeline[{i}].configuration"
                )
            for i, asset in enumerate(pipeline.assets):
                if asset.config is not None:
                    asset.config = self.data(asset.config, pipeline.file, f"assets[{i}].config")
        for i, resource in enumerate(new.configuration.resources):
            if resource.configuration is not None:
                resource.configuration = self.data(
                    resource.configuration, "configuration.yaml", f"resources[{i}].configuration"
                )
        for i, gateway in enumerate(new.gateways):
            auth = gateway.authentication
            if auth is not None and auth.configuration is not None:
                auth.configuration = self.data(
                    auth.configuration, "gateways.yaml", f"gateways[{i}].authentication"
                )
        new._lines = dict(app._lines)
        return new


def find_secret_leaks(app: Application, secrets: Secrets) -> list[str]:
    """Values of `app` that still hold a secret in clear: `file field: reference`."""
    scrubber = _Scrubber(secrets)
    scrubber.application(app)
    return sorted({f"{r.file} {r.field}: the value of {r.reference}" for r in scrubber.replaced})


def _globals_holding_secrets(app: Application) -> list[str]:
    """Globals are not resolved by LangStream, so a secret there stays in clear: say so."""
    scrubber = _Scrubber(app.secrets)
    scrubber.data(app.configuration.default_globals, "configuration.yaml", "defaults.globals")
    return [
        f"{r.file} {r.field} holds the value of {r.reference} in clear; LangStream does not "
        "resolve placeholders inside globals, so move the value to the agent configuration "
        "as a ${secrets...} reference, or to the instance file's globals"
        for r in scrubber.replaced
    ]


# ---- code, requirements, validation --------------------------------------------------------


def _copy_code(source: Path, target: Path) -> list[Path]:
    """Every folder and non-YAML file of the source application (python/, java/, ...)."""
    copied: list[Path] = []
    for entry in sorted(source.iterdir()):
        if entry.name in SKIPPED_NAMES:
            continue
        if entry.is_file() and entry.suffix in (".yaml", ".yml"):
            continue  # application files are written from the model
        destination = target / entry.name
        if entry.is_dir():
            shutil.copytree(
                entry, destination, ignore=shutil.ignore_patterns(*SKIPPED_NAMES, "*.pyc")
            )
            copied += sorted(p for p in destination.rglob("*") if p.is_file())
        else:
            shutil.copy2(entry, destination)
            copied.append(destination)
    return copied


def _write_requirements(folder: Path, requirements: Iterable[str]) -> Path | None:
    """python/requirements.txt: the existing lines, then the declared packages not yet there."""
    wanted = [line.strip() for line in requirements if line.strip()]
    if not wanted:
        return None
    path = folder / "python" / "requirements.txt"
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    present = {line.strip() for line in lines}
    lines += [line for line in wanted if line not in present]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _missing_python_classes(app: Application, folder: Path) -> list[str]:
    """Python agents whose `className` module is not in python/ or python/lib/."""
    warnings = []
    for agent in app.agents():
        class_name = agent.configuration.get("className")
        if not (agent.type or "").startswith("python-") or not isinstance(class_name, str):
            continue
        module = class_name.rpartition(".")[0]
        if not module or "${" in class_name:
            continue
        relative = Path(*module.split("."))
        roots = (folder / "python", folder / "python" / "lib")
        if not any(
            (root / relative).with_suffix(".py").is_file()
            or (root / relative / "__init__.py").is_file()
            for root in roots
        ):
            warnings.append(
                f"agent {agent.id!r} ({agent.location}): className {class_name} names module "
                f"{module!r}, which is neither in python/ nor python/lib/; LangStream will "
                "not find it unless python/requirements.txt installs it"
            )
    return warnings


def _differences(expected: Application, actual: Application) -> list[str]:
    names = ("pipelines", "configuration", "gateways", "instance", "secrets")
    return [
        f"{name} differ after loading the export back"
        for name in names
        if getattr(expected, name) != getattr(actual, name)
    ]


def _check_round_trip(
    source: Application,
    written: Application,
    folder: Path,
    instance: Path | None,
    secrets: Path | None,
) -> Application:
    """Load the export back; it must equal what was written and resolve like the source."""
    try:
        loaded = load_application(folder, instance=instance, secrets=secrets, env={})
    except ApplicationError as error:
        raise ExportError(
            f"the export in {folder} does not load back", [str(p) for p in error.problems]
        ) from error
    problems = _differences(written, loaded)
    if source.secrets.secrets:
        if _differences(source.resolved(), loaded.resolved()):
            problems.append("placeholders resolve to other values than in the source")
        problems += [
            f"{leak} is written in clear; use a ${{secrets...}} reference"
            for leak in find_secret_leaks(loaded, source.secrets)
        ]
    if problems:
        raise ExportError(f"the export in {folder} is not the same application", problems)
    return loaded


# ---- the export ----------------------------------------------------------------------------


def _as_path(value: PathLike | None) -> Path | None:
    return None if value is None else Path(value)


def _prepare_target(out_dir: Path, source: Path, overwrite: bool) -> None:
    resolved_out, resolved_source = out_dir.resolve(), source.resolve()
    if resolved_out == resolved_source or resolved_source in resolved_out.parents:
        raise ExportError(
            f"cannot export {source} into {out_dir}: the target is the application folder "
            "or inside it; choose a folder outside it"
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} exists and is not a folder; choose another path")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        raise ExportError(
            f"{out_dir} exists and is not empty; pass overwrite=True (--force) to replace it"
        )


def export_application(
    app_dir: PathLike,
    out_dir: PathLike,
    *,
    instance: PathLike | Instance | None = None,
    secrets: PathLike | Secrets | None = None,
    requirements: Iterable[str] | None = None,
    instance_path: PathLike | None = None,
    secrets_path: PathLike | None = None,
    overwrite: bool = True,
) -> ExportReport:
    """Export `app_dir` to `out_dir` as a validated LangStream application folder.

    `instance`/`secrets` (files or models) are written beside `out_dir`, by default as
    `<parent>/instance.yaml` and `<parent>/secrets.yaml`. `requirements` are pip
    requirement lines for python/requirements.txt. Raises ApplicationError when the source
    does not validate, ExportError when the export cannot be written or does not load back
    as the same application.
    """
    source_dir, target = Path(app_dir), Path(out_dir)
    source = load_application(source_dir, instance=instance, secrets=secrets)
    _prepare_target(target, source_dir, overwrite)
    scrubber = _Scrubber(source.secrets)
    written = scrubber.application(source)

    instance_file = secrets_file = None
    if instance is not None:
        instance_file = _as_path(instance_path) or target.parent / "instance.yaml"
    if secrets is not None:
        secrets_file = _as_path(secrets_path) or target.parent / "secrets.yaml"
    for extra in (instance_file, secrets_file):
        if extra is not None and target.resolve() in extra.resolve().parents:
            raise ExportError(
                f"{extra} is inside the exported folder {target}; LangStream rejects instance "
                "and secrets files there, write them beside it"
            )

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        files = dump_application(written, staging)
        files += _copy_code(source_dir, staging)
        requirements_file = _write_requirements(staging, requirements or ())
        if requirements_file is not None and requirements_file not in files:
            files.append(requirements_file)
        if instance_file is not None:
            dump_instance(source.instance, instance_file)
        if secrets_file is not None:
            dump_secrets(source.secrets, secrets_file)
        loaded = _check_round_trip(source, written, staging, instance_file, secrets_file)
        warnings = _missing_python_classes(loaded, staging) + _globals_holding_secrets(source)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    loaded.app_dir = target
    return ExportReport(
        out_dir=target,
        files=[target / path.relative_to(staging) for path in files],
        instance_path=instance_file,
        secrets_path=secrets_file,
        replaced_secrets=scrubber.replaced,
        warnings=[str(w) for w in source.warnings] + warnings,
        application=loaded,
    )
