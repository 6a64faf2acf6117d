"""The commands a user types: validate, run (stopped by a signal), demo."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.conftest import APPS, PROJECT_ROOT

LS_WORKBENCH = [sys.executable, "-m", "ls_workbench.cli"]


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*LS_WORKBENCH, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT_ROOT,
        **kwargs,
    )


def test_validate_valid_application_exits_0():
    result = run("validate", str(APPS / "exclamation-processor"))
    assert result.returncode == 0, result.stderr
    assert "valid (1 pipeline file(s), 1 agent(s)" in result.stdout


def test_validate_lists_every_problem_and_exits_1(tmp_path):
    app = tmp_path / "broken"
    app.mkdir()
    (app / "pipeline.yaml").write_text(
        "topics:\n  - name: in\n    creation-mode: create-if-not-exists\n"
        "pipeline:\n"
        "  - id: one\n    type: python-procesor\n    input: in\n"
        "    configuration:\n      className: a.B\n"
        "  - id: two\n    type: identity\n    input: nowhere\n"
    )
    result = run("validate", str(app))
    assert result.returncode == 1
    assert "did you mean 'python-processor'?" in result.stderr
    assert "nowhere" in result.stderr
    assert "pipeline.yaml:6" in result.stderr


def test_run_until_sigterm_then_exit_0(tmp_path):
    target = tmp_path / "out.txt"
    instance = tmp_path / "instance.yaml"
    instance.write_text(f"instance:\n  globals:\n    output-file: {target}\n")
    process = subprocess.Popen(
        [
            *LS_WORKBENCH,
            "run",
            str(APPS / "source-to-file"),
            "-i",
            str(instance),
            "--state-dir",
            str(tmp_path / "state"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if target.exists() and len(target.read_text().splitlines()) == 5:
                break
            time.sleep(0.05)
        assert target.read_text().splitlines() == ["4", "3", "2", "1", "0"]
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
    assert process.returncode == 0, stderr
    assert "running numbers" in stdout


def test_run_refuses_bad_code_without_a_traceback():
    result = run("run", str(APPS / "bad-class"))
    assert result.returncode == 1
    assert "did you mean" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_prints_what_flowed():
    result = run("demo")
    assert result.returncode == 0, result.stderr
    assert "urgent-tickets: 3 record(s)" in result.stdout
    assert "routine-tickets: 5 record(s)" in result.stdout
    assert "ticket-stats: 5 record(s)" in result.stdout


def test_kernel_runtime_runs_only_the_named_agent(tmp_path):
    """`python -m kernel_runtime run APP --agent ID`, as a pod runs: here the source alone."""
    target = tmp_path / "out.txt"
    instance = tmp_path / "instance.yaml"
    instance.write_text(f"instance:\n  globals:\n    output-file: {target}\n")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kernel_runtime",
            "run",
            str(APPS / "source-to-file"),
            "-i",
            str(instance),
            "--agent",
            "numbers",
            "--state-dir",
            str(tmp_path / "state"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    try:
        first_line = process.stdout.readline()
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
    assert process.returncode == 0, stderr
    assert first_line.startswith("running numbers: numbers (source -> numbers)")
    assert "running write" not in stdout
    assert not target.exists()  # the sink agent was not started
