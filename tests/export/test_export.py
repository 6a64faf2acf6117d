"""Export: a folder LangStream accepts, instance and secrets beside it, no secret in clear,
validated by loading it back; the exported folder runs with the same results."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from kernel_runtime.manifest import ApplicationError, load_application
from ls_workbench.export import ExportError, export_application

APPS = Path(__file__).parent.parent / "apps"
EXAMPLES = Path(
    os.environ.get("LS_EXAMPLES_DIR")
    or Path(__file__).parents[3] / "shared" / "langstream-examples"
)
EXAMPLE_FOLDERS = sorted({p.parent for p in (EXAMPLES / "applications").rglob("*.yaml")})
SECRET = "sk-live-0123456789abcdef"


def _secrets(tmp_path: Path) -> Path:
    path = tmp_path / "source-secrets.yaml"
    path.write_text(f"secrets:\n  - id: open-ai\n    data:\n      access-key: {SECRET}\n")
    return path


def _app_with_literal_secret(tmp_path: Path) -> Path:
    app = tmp_path / "src" / "chat"
    shutil.copytree(APPS / "exclamation-processor", app)
    pipeline = yaml.safe_load((app / "pipeline.yaml").read_text())
    pipeline["pipeline"][0]["configuration"].update(
        {"apiKey": SECRET, "header": f"Bearer {SECRET}", "nested": {"keys": [SECRET]}}
    )
    (app / "pipeline.yaml").write_text(yaml.safe_dump(pipeline))
    return app


def _application_text(folder: Path) -> str:
    return "".join(p.read_text() for p in folder.glob("*.yaml"))


def test_literal_secrets_become_references_and_resolve_to_the_same_values(tmp_path) -> None:
    source = _app_with_literal_secret(tmp_path)
    out = tmp_path / "export" / "chat"
    report = export_application(source, out, secrets=_secrets(tmp_path))

    assert SECRET not in _application_text(out)
    config = yaml.safe_load((out / "pipeline.yaml").read_text())["pipeline"][0]["configuration"]
    assert config["apiKey"] == "${secrets.open-ai.access-key}"
    assert config["header"] == "Bearer ${secrets.open-ai.access-key}"
    assert config["nested"] == {"keys": ["${secrets.open-ai.access-key}"]}
    assert {r.field for r in report.replaced_secrets} == {
        "pipeline[0].configuration.apiKey",
        "pipeline[0].configuration.header",
        "pipeline[0].configuration.nested.keys[0]",
    }
    # secrets.yaml beside the folder, never inside; it holds the value
    assert report.secrets_path == out.parent / "secrets.yaml"
    assert not (out / "secrets.yaml").exists() and not (out / "instance.yaml").exists()
    assert SECRET in report.secrets_path.read_text()
    exported = load_application(out, secrets=report.secrets_path).resolved()
    original = load_application(source, secrets=_secrets(tmp_path)).resolved()
    assert exported.agents()[0].configuration == original.agents()[0].configuration


def test_the_folder_has_pipelines_gateways_code_and_loads_back_equal(
    tmp_path, kafka_instance
) -> None:
    out = tmp_path / "out" / "exclamation"
    report = export_application(APPS / "exclamation-processor", out, instance=kafka_instance)
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert names == ["gateways.yaml", "pipeline.yaml", "python/example.py"]
    assert report.instance_path == out.parent / "instance.yaml"
    assert load_application(out, instance=report.instance_path) == load_application(
        APPS / "exclamation-processor", instance=kafka_instance
    )
    assert report.application == load_application(out, instance=report.instance_path)


def test_requirements_are_written_and_merged(tmp_path) -> None:
    source = tmp_path / "src"
    shutil.copytree(APPS / "exclamation-processor", source)
    (source / "python" / "requirements.txt").write_text("requests>=2\n")
    out = tmp_path / "out"
    export_application(source, out, requirements=["numpy>=1.26", "requests>=2", " "])
    assert (out / "python" / "requirements.txt").read_text() == "requests>=2\nnumpy>=1.26\n"


def test_no_caches_or_state_are_exported(tmp_path) -> None:
    source = tmp_path / "src"
    shutil.copytree(APPS / "exclamation-processor", source)
    (source / "python" / "__pycache__").mkdir()
    (source / "python" / "__pycache__" / "example.cpython-311.pyc").write_bytes(b"\0")
    (source / ".ls-workbench" / "state").mkdir(parents=True)
    out = tmp_path / "out"
    export_application(source, out)
    assert not list(out.rglob("__pycache__")) and not (out / ".ls-workbench").exists()


def test_refuses_targets_that_would_lose_or_break_work(tmp_path) -> None:
    source = tmp_path / "src"
    shutil.copytree(APPS / "exclamation-processor", source)
    with pytest.raises(ExportError, match="inside it"):
        export_application(source, source / "export")
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="not empty"):
        export_application(source, taken, overwrite=False)
    assert (taken / "notes.txt").read_text() == "mine"
    with pytest.raises(ExportError, match="inside the exported folder"):
        export_application(
            source,
            tmp_path / "out",
            secrets=_secrets(tmp_path),
            secrets_path=tmp_path / "out" / "secrets.yaml",
        )
    assert not (tmp_path / "out").exists(), "a failed export leaves nothing behind"


def test_an_invalid_source_is_reported_with_its_problems(tmp_path) -> None:
    with pytest.raises(ApplicationError):
        export_application(APPS / "bad-class" / "no-such-folder", tmp_path / "out")


def test_reexport_replaces_the_previous_export(tmp_path) -> None:
    out = tmp_path / "out"
    export_application(APPS / "multi-pipeline", out)
    export_application(APPS / "exclamation-processor", out)
    assert sorted(p.name for p in out.glob("*.yaml")) == ["gateways.yaml", "pipeline.yaml"]
    assert not list(tmp_path.glob(".out-*")), "no staging folder is left behind"


async def test_the_exported_folder_runs_with_the_same_results(tmp_path, start_app) -> None:
    out = tmp_path / "export" / "exclamation"
    export_application(APPS / "exclamation-processor", out)
    results = []
    for folder in (APPS / "exclamation-processor", out):
        runtime = await start_app(folder)
        await runtime.send("input-topic", "hello", key="k")
        records = await runtime.collect("output-topic", count=1, timeout=10)
        results.append([(r.key(), r.value()) for r in records])
    assert results[0] == results[1] == [("k", "hello!!")]


@pytest.fixture
def kafka_instance(tmp_path: Path) -> Path:
    path = tmp_path / "kafka.yaml"
    path.write_text("instance:\n  streamingCluster:\n    type: kafka\n    configuration: {}\n")
    return path


@pytest.mark.skipif(not EXAMPLE_FOLDERS, reason=f"LangStream examples not found at {EXAMPLES}")
@pytest.mark.parametrize("folder", EXAMPLE_FOLDERS, ids=[f.name for f in EXAMPLE_FOLDERS] or None)
def test_every_langstream_example_exports_and_loads_back(folder: Path, tmp_path: Path) -> None:
    instance = EXAMPLES / "instances" / "kafka-docker.yaml"
    secrets = EXAMPLES / "secrets" / "secrets.yaml"
    out = tmp_path / folder.name
    report = export_application(folder, out, instance=instance, secrets=secrets)
    loaded = load_application(out, instance=report.instance_path, secrets=report.secrets_path)
    assert len(loaded.pipelines) == len(load_application(folder).pipelines)
    # no secret value long enough to be a credential is written in clear
    secret_values = [
        v
        for s in loaded.secrets.secrets
        for v in (s.data or {}).values()
        if isinstance(v, str) and len(v) >= 12
    ]
    text = _application_text(out)
    assert not [v for v in secret_values if v in text]
