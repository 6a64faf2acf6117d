"""What `init(config, context)` receives: configuration, resources and globals, as LangStream."""

from __future__ import annotations

import pytest

from tests.kafka.fixtures import TYPED_VALUES


@pytest.mark.memory_only(reason=TYPED_VALUES)
async def test_init_gets_configuration_resources_and_globals(start_app, tmp_path):
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(
        "secrets:\n  - id: open-ai\n    data:\n      url: https://example.invalid/\n"
        "      access-key: sk-test\n"
    )
    instance = tmp_path / "instance.yaml"
    instance.write_text("instance:\n  globals:\n    greeting: hi\n")
    runtime = await start_app("config-echo", instance=instance, secrets=secrets)
    await runtime.send("in", "go")

    (out,) = await runtime.collect("out", count=1)

    config = out.value()["config"]
    assert config["className"] == "echo.EchoConfig"
    assert config["model"] == "hi-model"  # instance globals override configuration defaults
    assert config["globals"] == {"greeting": "hi", "audience": "world"}
    assert config["resources"]["openai"] == {
        "url": "https://example.invalid/",
        "access-key": "sk-test",
        "provider": "azure",
    }
    assert out.value()["state"] is None  # no disk: no state directory, as LangStream
