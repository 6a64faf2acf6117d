"""The runtime image, checked as far as a machine without a container engine allows.

No container engine runs here, so the Dockerfile is never built. What can be checked is checked
on the real files: the user, ports and entrypoint agree with the rendered pods, and the build
stage's steps, rehearsed on this machine (the same Debian and Python 3.11 as python:3.11-slim),
give a runtime that runs an application with nothing of the source tree but what the Dockerfile
copies.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from ls_workbench.deploy import DeployOptions, pods
from tests.conftest import APPS, PROJECT_ROOT

DOCKERFILE = PROJECT_ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    result = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def stages() -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for keyword, rest in instructions():
        if keyword == "FROM":
            found.append([])
        found[-1].append((keyword, rest))
    return found


def test_the_image_runs_as_the_user_the_pods_require() -> None:
    user = [rest for keyword, rest in stages()[-1] if keyword == "USER"]
    assert user == [f"{pods.RUN_AS_USER}:{pods.RUN_AS_USER}"]
    assert pods.pod_security().run_as_non_root


def test_the_entrypoint_is_the_command_every_pod_runs() -> None:
    [entrypoint] = [json.loads(rest) for keyword, rest in stages()[-1] if keyword == "ENTRYPOINT"]
    options = DeployOptions()
    gateway = pods.gateway_container([], options, with_deps=False)
    assert gateway.command == entrypoint == ["python", "-m", "kernel_runtime"]
    exposed = {
        int(p) for keyword, rest in stages()[-1] if keyword == "EXPOSE" for p in rest.split()
    }
    assert {options.health_port, options.gateway_port} <= exposed


def test_the_base_images_python_satisfies_the_project() -> None:
    bases = [rest.split()[0] for stage in stages() for keyword, rest in stage if keyword == "FROM"]
    assert bases and all(base.startswith("python:3.1") for base in bases)
    minor = {int(base.split(":")[1].split(".")[1].split("-")[0]) for base in bases}
    requires = (PROJECT_ROOT / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.11"' in requires and min(minor) >= 11


@pytest.mark.timeout(300)
def test_the_build_stage_gives_a_runtime_that_needs_no_source_tree(tmp_path: Path) -> None:
    build, final = stages()
    context = tmp_path / "src"
    context.mkdir()
    for keyword, rest in build:
        if keyword == "COPY":
            *sources, _ = shlex.split(rest)
            for source in sources:
                origin = PROJECT_ROOT / source
                target = context / source
                if origin.is_dir():
                    shutil.copytree(origin, target, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy2(origin, target)
    [install] = [rest for keyword, rest in build if keyword == "RUN" and "pip install" in rest]
    assert "--prefix=/install" in install and install.rstrip().endswith(" .")
    prefix = tmp_path / "install"
    installed_here = metadata.distribution("ls-workbench").read_text("direct_url.json")
    # the dependencies are this test environment's; the project itself comes from the copy
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation"]
        + ["--ignore-installed"]  # never uninstall the test environment's own ls-workbench
        + ["--no-cache-dir", f"--prefix={prefix}", str(context)],
        check=True,
        capture_output=True,
        timeout=240,
    )
    # the rehearsal must not replace the environment's own install of the project
    assert metadata.distribution("ls-workbench").read_text("direct_url.json") == installed_here
    site = prefix / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    env = {
        **os.environ,
        "PYTHONPATH": str(site / "site-packages"),
        **dict(
            pair.split("=", 1)
            for keyword, rest in final
            if keyword == "ENV"
            for pair in shlex.split(rest)
        ),
    }
    env["LS_WORKBENCH_STATE_DIR"] = str(tmp_path / "state")  # /state in the image
    app = tmp_path / "app"
    shutil.copytree(APPS / "exclamation-source", app)
    runtime = subprocess.Popen(
        [sys.executable, "-m", "kernel_runtime", "run", str(app)],
        cwd=tmp_path,  # the image's WORKDIR holds the application, not the source tree
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = runtime.stdout.readline()
        assert line.startswith("running "), runtime.stderr.read()
        where = subprocess.run(
            [sys.executable, "-c", "import kernel_runtime; print(kernel_runtime.__file__)"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert where.startswith(str(prefix)), where  # not the source tree's package
        runtime.send_signal(signal.SIGTERM)
        assert runtime.wait(timeout=60) == 0, runtime.stderr.read()
    finally:
        if runtime.poll() is None:
            runtime.kill()
            runtime.wait()
