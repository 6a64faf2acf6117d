"""dump_application writes LangStream YAML that loads back to an equal model."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kernel_runtime.manifest import dump_application, load_application
from kernel_runtime.manifest.dump import dump_instance, dump_secrets


def test_round_trip_keeps_placeholders_and_spelling(
    apps: Path, instance_file: Path, secrets_file: Path, tmp_path: Path
) -> None:
    app = load_application(apps / "chain", instance=instance_file, secrets=secrets_file, env={})
    out = tmp_path / "app"
    written = dump_application(
        app, out, instance_path=tmp_path / "instance.yaml", secrets_path=tmp_path / "secrets.yaml"
    )
    assert sorted(p.name for p in written) == [
        "configuration.yaml", "gateways.yaml", "instance.yaml", "pipeline.yaml",
        "secrets.yaml", "service.yaml", "side.yaml",
    ]  # fmt: skip
    pipeline = yaml.safe_load((out / "pipeline.yaml").read_text())
    assert list(pipeline) == ["name", "topics", "resources", "errors", "pipeline"]
    assert pipeline["topics"][0] == {"name": "input-topic", "creation-mode": "create-if-not-exists"}
    assert pipeline["pipeline"][0]["configuration"]["greeting"] == "${globals.greeting}"
    assert "id" not in pipeline["pipeline"][0]  # auto ids are not written
    gateways = yaml.safe_load((out / "gateways.yaml").read_text())["gateways"]
    assert gateways[0]["produce-options"]["headers"][0]["value-from-parameters"] == "sessionId"
    again = load_application(
        out, instance=tmp_path / "instance.yaml", secrets=tmp_path / "secrets.yaml", env={}
    )
    assert again == app
    assert again.resolved() == app.resolved()


def test_instance_and_secrets_are_never_written_inside(apps: Path, tmp_path: Path) -> None:
    app = load_application(apps / "chain", env={})
    with pytest.raises(ValueError, match="inside the application folder"):
        dump_application(app, tmp_path / "app", secrets_path=tmp_path / "app" / "secrets.yaml")


def test_dump_instance_and_secrets(
    apps: Path, instance_file: Path, secrets_file: Path, tmp_path: Path
) -> None:
    app = load_application(apps / "chain", instance=instance_file, secrets=secrets_file, env={})
    data = yaml.safe_load(dump_instance(app.instance, tmp_path / "i.yaml").read_text())
    assert data["instance"]["streamingCluster"]["type"] == "kafka"
    data = yaml.safe_load(dump_secrets(app.secrets, tmp_path / "s.yaml").read_text())
    assert data["secrets"][0]["id"] == "open-ai"
