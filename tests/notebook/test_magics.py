"""The magics, run through IPython's InteractiveShell as a notebook would run them."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell

import ls_workbench
from kernel_runtime.manifest import load_application
from ls_workbench.errors import NotAvailable
from ls_workbench.integrations import _function
from ls_workbench.magics.langstream import LangStreamMagics
from tests.notebook.conftest import UPPER


@pytest.fixture
def shell(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "ls_workbench")
    yield ip
    try:
        ls_workbench.current().close()
    except Exception:  # noqa: BLE001 - the test closed it, or never opened one
        pass


def run(shell: InteractiveShell, source: str):
    result = shell.run_cell(source, store_history=False)
    return result


def test_a_pipeline_built_and_run_with_magics(shell, capsys):
    opened = shell.run_line_magic("langstream_app", "greeter --reset")
    assert "application 'greeter'" in repr(opened) and ".ls-workbench/apps/greeter" in repr(opened)
    shell.run_cell_magic(
        "langstream_topic", "", "- name: questions\n  creation-mode: create-if-not-exists\n"
    )
    change = shell.run_cell_magic(
        "langstream_agent",
        "upper --type python-processor --input questions --output answers",
        UPPER,
    )
    assert "agent 'upper': defined" in repr(change)

    shell.run_line_magic("langstream", "start")
    shell.run_line_magic("langstream", 'send questions "hi there" --key k1 --header lang=en')
    shell.run_line_magic("langstream", "send questions '{\"n\": 1}' --text")
    records = shell.run_line_magic("langstream", "collect answers -n 2 --timeout 10")

    assert records.values() == ["HI THERE", '{"N": 1}']
    assert records[0].key() == "k1" and records[0].headers() == [("lang", "en")]
    status = shell.run_line_magic("langstream", "status")
    assert "upper [running] upper: questions -> answers" in repr(status)
    assert "PipelinePanel('greeter')" in capsys.readouterr().out  # start displayed the panel
    app = ls_workbench.current().application()
    assert [a.id for a in app.agents()] == ["upper"]
    assert shell.run_line_magic("langstream", "stop").state == "stopped"


def test_send_parses_json_values(shell):
    shell.run_line_magic("langstream_app", "json-values")
    shell.run_cell_magic(
        "langstream_agent", "pass --type identity --input in --output out", "# no configuration\n"
    )
    shell.run_line_magic("langstream", "send in '{\"n\": 1}' --key 7")
    [record] = shell.run_line_magic("langstream", "collect in")
    assert (record.value(), record.key()) == ({"n": 1}, 7)


def test_errors_show_as_a_message_not_a_traceback(shell, capsys):
    shell.run_line_magic("langstream_app", "broken")
    shell.run_cell_magic(
        "langstream_agent", "upper --type python-processor --input a --output b", UPPER
    )
    shell.run_line_magic("langstream", "start")
    capsys.readouterr()

    result = run(
        shell, "%%langstream_agent upper --type python-processor --input a --output b\ndef (:\n"
    )

    out = capsys.readouterr().out
    assert result.error_in_exec is not None
    assert "syntax error at line 1 of the cell" in out
    assert "Traceback" not in out and "File " not in out
    ls_workbench.current().send("a", "still running")
    assert ls_workbench.current().collect("b", count=1).values() == ["STILL RUNNING"]


def test_unknown_commands_and_missing_app_are_explained(shell, capsys):
    run(shell, "%langstream fly")
    assert "unknown command 'fly'" in capsys.readouterr().out
    shell.run_line_magic("langstream_app", "closed")
    ls_workbench.current().close()  # closing the current application leaves none current
    run(shell, "%langstream status")
    assert "run `%langstream_app NAME`" in capsys.readouterr().out


def test_magic_help_comes_from_the_arguments():
    doc = LangStreamMagics.langstream_agent.__doc__
    assert "--type TYPE" in doc and "--on-failure" in doc and "python-* types" in doc
    assert "collect TOPIC" in LangStreamMagics.langstream.__doc__


def test_gateways_and_options_reach_the_folder(shell):
    shell.run_line_magic("langstream_app", "gw")
    shell.run_cell_magic(
        "langstream_agent",
        "upper --type python-processor --input q --output a --parallelism 2 --retries 3 "
        "--on-failure skip --configuration '{greeting: hello}'",
        UPPER,
    )
    shell.run_cell_magic("langstream_gateway", "", "- id: ask\n  type: produce\n  topic: q\n")
    app = load_application(ls_workbench.current().app_dir)
    [agent] = app.agents()
    assert agent.resources.parallelism == 2
    assert (agent.errors.retries, agent.errors.on_failure) == (3, "skip")
    assert agent.configuration["greeting"] == "hello"
    assert [(g.id, g.type, g.topic) for g in app.gateways] == [("ask", "produce", "q")]


def test_resources_reach_configuration_yaml_and_a_redefinition_replaces(shell, capsys):
    shell.run_line_magic("langstream_app", "resources")
    body = (
        "- type: open-ai-configuration\n  name: OpenAI\n  configuration:\n"
        '    url: "${secrets.open-ai.url}"\n    access-key: "${secrets.open-ai.key}"\n'
        "- type: datasource\n  name: Store\n  configuration: {service: jdbc, url: 'jdbc:x'}\n"
    )
    shell.run_cell_magic("langstream_resources", "", body)
    shell.run_cell_magic(
        "langstream_resources", "", "type: datasource\nname: Store\nconfiguration: {service: jdbc}"
    )
    app = load_application(ls_workbench.current().app_dir)
    resources = {r.name: r for r in app.configuration.resources}
    assert set(resources) == {"OpenAI", "Store"}
    assert resources["OpenAI"].configuration["url"] == "${secrets.open-ai.url}"
    assert resources["Store"].configuration == {"service": "jdbc"}

    result = run(shell, "%%langstream_resources\nname: no-type\n")
    assert result.error_in_exec is not None
    assert "needs `type`" in capsys.readouterr().out


def test_requirements_are_checked_named_when_missing_and_exported(shell, capsys, tmp_path):
    shell.run_line_magic("langstream_app", "needs")
    change = shell.run_cell_magic(
        "langstream_requirements", "", "# parsing\nPyYAML>=6\nno-such-package-xyz==1.0  # later\n"
    )
    assert "requirement(s) PyYAML, no-such-package-xyz: declared" in repr(change)
    assert "not satisfied in this kernel: no-such-package-xyz==1.0" in repr(change)
    assert "%pip install 'no-such-package-xyz==1.0'" in repr(change)
    assert "PyYAML" not in change.notes[0]  # installed, and the version fits
    old = shell.run_cell_magic("langstream_requirements", "", "pyyaml>=999")
    assert "pyyaml>=999 (this kernel has" in repr(old)
    assert ls_workbench.current().requirements == ["pyyaml>=999", "no-such-package-xyz==1.0"]

    for bad, why in [
        ("requests >= = 2", "not a requirement pip understands"),
        ("-e .", "pip option"),
    ]:
        result = run(shell, f"%%langstream_requirements\n{bad}\n")
        assert result.error_in_exec is not None
        assert why in capsys.readouterr().out

    shell.run_cell_magic(
        "langstream_agent", "upper --type python-processor --input q --output a", UPPER
    )
    shell.run_line_magic("langstream", f"export {tmp_path / 'out' / 'needs'}")
    lines = (tmp_path / "out" / "needs" / "python" / "requirements.txt").read_text().splitlines()
    assert lines == ["pyyaml>=999", "no-such-package-xyz==1.0"]


def test_export_writes_a_folder_that_loads_back(shell, tmp_path):
    pytest.importorskip("ls_workbench.export")
    shell.run_line_magic("langstream_app", "exported")
    shell.run_cell_magic(
        "langstream_agent", "upper --type python-processor --input q --output a", UPPER
    )
    shell.run_line_magic("langstream", f"export {tmp_path / 'out' / 'exported'}")
    app = load_application(tmp_path / "out" / "exported")
    assert app.agents()[0].configuration["className"] == "upper.Upper"
    assert (tmp_path / "out" / "exported" / "python" / "upper.py").read_text() == UPPER


def test_deploy_panel_from_the_magic(shell, tmp_path):
    from ls_workbench.widgets.deploy_panel import DeployPanel

    shell.run_line_magic("langstream_app", "paneled")
    panel = shell.run_line_magic("langstream", f"deploy --panel kubeconfig={tmp_path / 'none'}")
    assert isinstance(panel, DeployPanel) and panel.workbench is ls_workbench.current()
    assert str(panel.kubeconfig) == str(tmp_path / "none") and panel.context.options == ()
    assert panel.target.value == "folder"


def test_missing_integrations_say_so():
    with pytest.raises(NotAvailable, match="not available yet"):
        _function("ls_workbench.not_written_yet", ("go",), "flying")
