"""The export-and-deploy panel in a real JupyterLab, in Chromium: validate, export, deploy.

The notebook builds a small application with the magics and shows `Workbench.deploy_panel()`;
the test clicks its buttons. Deploying goes to the Kubernetes API stand-in of the deploy tests
(tests/deploy/kube_stand_in.py), served on loopback from this process; the kernel reaches it
through a kubeconfig passed to the panel.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from kernel_runtime.manifest import load_application
from tests.browser.conftest import ARTIFACTS, CHROMIUM_ARGS, Lab
from tests.browser.test_getting_started import LOAD_TIMEOUT, accept_kernel_dialog
from tests.deploy.conftest import write_kubeconfig
from tests.deploy.kube_stand_in import KubeStandIn

playwright = pytest.importorskip("playwright.sync_api")

STEP_TIMEOUT = 60_000  # ms: a cell, a click and its answer on a loaded 2-core machine
DEPLOY_TIMEOUT = 120_000
APP = "deploy-demo"
NAMESPACE = "browser-ns"
NOTEBOOK = "deploy-panel.ipynb"
SCREENSHOT = ARTIFACTS / "deploy-panel.png"
PROBLEMS_SCREENSHOT = ARTIFACTS / "deploy-panel-problems.png"

AGENT_CELL = """\
%%langstream_agent shout --type python-processor --input questions --output answers
from langstream import Processor, SimpleRecord


class Shout(Processor):
    def process(self, record):
        return [SimpleRecord(str(record.value()).upper())]
"""
GATEWAY_CELL = "%%langstream_gateway\nid: ask\ntype: produce\ntopic: questions\n"
BROKEN_CELL = "%%langstream_agent broken --type no-such-agent-type --input answers\n{}\n"
FIX_CELL = "%langstream remove broken"
FIX_INDEX = 5


def write_notebook(lab: Lab, kubeconfig: Path) -> str:
    """Application, a broken agent, the panel, then the cell that removes the broken agent.

    Deploys need a shared broker, so the application names a Kafka cluster; nothing connects
    to it, since the pipeline is never started here.
    """
    cells = [
        "%load_ext ls_workbench\n"
        f"%langstream_app {APP} --broker kafka://kafka.kafka.svc:9092 --reset",
        AGENT_CELL,
        GATEWAY_CELL,
        BROKEN_CELL,
        "from ls_workbench import current\n\n"
        f"panel = current().deploy_panel(kubeconfig={str(kubeconfig)!r})\n"
        "panel",
        FIX_CELL,
    ]
    assert cells[FIX_INDEX] == FIX_CELL
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in cells],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(notebook, lab.root / NOTEBOOK)
    return NOTEBOOK


@pytest.fixture
def kube_api() -> Iterator[KubeStandIn]:
    """The API server stand-in, on a free loopback port, in a thread of this process."""
    stand_in = KubeStandIn().start()
    try:
        yield stand_in
    finally:
        stand_in.stop()


def object_label(kind: str, namespace: str | None, name: str) -> str:
    """How the panel names an object (ObjectRef's text), the tooltip of its bar."""
    return f"{kind} {name}" + (f" in namespace {namespace}" if namespace else "")


@pytest.mark.timeout(400)
def test_deploy_panel_validates_exports_and_deploys(
    jupyterlab: Lab, chromium_path: Path, kube_api: KubeStandIn, tmp_path: Path
) -> None:
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", kube_api.url, kube_api.token or "")
    notebook = write_notebook(jupyterlab, kubeconfig)
    export_dir = jupyterlab.root / "exported" / APP
    ARTIFACTS.mkdir(exist_ok=True)
    for stale in (SCREENSHOT, PROBLEMS_SCREENSHOT):
        stale.unlink(missing_ok=True)
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(STEP_TIMEOUT)
            try:
                drive_panel(page, jupyterlab.page_url(notebook), export_dir, kube_api)
            except Exception:
                page.screenshot(path=str(ARTIFACTS / "deploy-panel-failure.png"), full_page=True)
                raise
        finally:
            browser.close()

    # the export, loaded back as LangStream would read it
    app = load_application(export_dir, instance=export_dir.parent / "instance.yaml")
    assert [agent.id for agent in app.agents()] == ["shout"]
    assert [gateway.id for gateway in app.gateways] == ["ask"]
    assert "upper()" in "".join(p.read_text() for p in (export_dir / "python").rglob("*.py"))
    check_cluster(kube_api)
    assert SCREENSHOT.stat().st_size > 10_000
    assert PROBLEMS_SCREENSHOT.stat().st_size > 5_000


def run_menu(page: Any, item: str) -> None:
    """Run > `item`, from the menu bar."""
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item", has_text=item).first.click()


def message(panel: Any, kind: str, text: str | re.Pattern[str]) -> Any:
    """The panel's message line of a kind (ok, error, info) saying `text`."""
    return panel.locator(f".lsw-deploy-message .lsw-deploy-{kind}", has_text=text)


def drive_panel(page: Any, url: str, export_dir: Path, kube: KubeStandIn) -> None:
    """Click through the panel as a user would and check what the page shows after each step;
    parts are found by their lsw-deploy-* classes, not by where they sit on the page."""
    expect = playwright.expect
    page.goto(url, timeout=LOAD_TIMEOUT)
    cells = page.locator(".jp-Notebook .jp-Cell")
    cells.first.wait_for(timeout=LOAD_TIMEOUT)
    accept_kernel_dialog(page)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=LOAD_TIMEOUT)

    # everything but the fix: the panel shows over an application with a broken agent
    cells.nth(FIX_INDEX).locator(".jp-InputPrompt").click()
    run_menu(page, "Run All Above Selected Cell")
    panel = page.locator(".lsw-deploy-panel")
    panel.wait_for(timeout=STEP_TIMEOUT)

    # 1. Validate names the cell of the broken agent
    panel.locator(".lsw-deploy-validate").click()
    expect(message(panel, "error", "1 problem(s)")).to_be_visible(timeout=STEP_TIMEOUT)
    problems = panel.locator(".lsw-deploy-problems li")
    expect(problems).to_have_count(1, timeout=STEP_TIMEOUT)
    expect(problems.first).to_contain_text(
        "%%langstream_agent broken: unknown agent type 'no-such-agent-type'",
        timeout=STEP_TIMEOUT,
    )
    panel.screenshot(path=str(PROBLEMS_SCREENSHOT))

    # the notebook removes it; the same panel now finds nothing wrong
    cells.nth(FIX_INDEX).locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    expect(cells.nth(FIX_INDEX).locator(".jp-OutputArea-output")).to_contain_text(
        "removed", timeout=STEP_TIMEOUT
    )
    panel.locator(".lsw-deploy-validate").click()
    expect(message(panel, "ok", re.compile(r"^valid$"))).to_be_visible(timeout=STEP_TIMEOUT)
    expect(problems).to_have_count(0, timeout=STEP_TIMEOUT)

    # 2. Export to a folder typed into the panel
    expect(panel.locator(".lsw-deploy-deploy")).to_be_disabled(timeout=STEP_TIMEOUT)
    panel.locator(".lsw-deploy-folder input").fill(str(export_dir))
    panel.locator(".lsw-deploy-export").click()
    expect(message(panel, "ok", f"exported {export_dir}")).to_be_visible(timeout=STEP_TIMEOUT)
    expect(panel.locator(".lsw-deploy-message")).to_contain_text(
        str(export_dir.parent / "instance.yaml"), timeout=STEP_TIMEOUT
    )
    assert (export_dir / "pipeline.yaml").is_file()

    # 3. Deploy to the cluster of the kubeconfig's current context, in a namespace of ours
    panel.locator(".lsw-deploy-target button", has_text="cluster").click()
    expect(panel.locator(".lsw-deploy-folder")).to_be_hidden(timeout=STEP_TIMEOUT)
    expect(panel.locator(".lsw-deploy-export")).to_be_disabled(timeout=STEP_TIMEOUT)
    context = panel.locator(".lsw-deploy-context select")
    expect(context).to_have_value("stand-in", timeout=STEP_TIMEOUT)
    assert context.locator("option").all_text_contents() == ["stand-in", "other"]
    panel.locator(".lsw-deploy-namespace input").fill(NAMESPACE)
    assert not kube.objects
    panel.locator(".lsw-deploy-deploy").click()
    summary = re.compile(rf"deployed {APP} in namespace {NAMESPACE}: \d+ created \(ready\)")
    expect(message(panel, "ok", summary)).to_be_visible(timeout=DEPLOY_TIMEOUT)

    # a bar per object applied, each full and green; the rollout state below them
    bars = panel.locator(".lsw-deploy-bar")
    expect(bars).to_have_count(len(kube.objects), timeout=STEP_TIMEOUT)
    for i in range(bars.count()):
        expect(bars.nth(i).locator(".progress-bar")).to_have_class(
            re.compile(r"\bprogress-bar-success\b"), timeout=STEP_TIMEOUT
        )
        expect(bars.nth(i).locator(".progress-bar")).to_have_attribute(
            "style", re.compile(r"width: 100%"), timeout=STEP_TIMEOUT
        )
    titles = {
        bars.nth(i).locator(".widget-label").get_attribute("title")
        for i in range(len(kube.objects))
    }
    assert titles == {object_label(*key) for key in kube.objects}
    expect(panel.locator(".lsw-deploy-rollout")).to_contain_text(
        re.compile(
            rf"rollout: (StatefulSet|Deployment) {APP}-\S+ in namespace {NAMESPACE} ready 1/1"
        ),
        timeout=STEP_TIMEOUT,
    )
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(SCREENSHOT))


def check_cluster(kube: KubeStandIn) -> None:
    """What the stand-in received: each object dry-run before it was applied, in our namespace,
    and the agent's code from the notebook cell in the ConfigMap."""
    kinds = {kind for kind, _, _ in kube.objects}
    assert {"Namespace", "ConfigMap", "StatefulSet", "Deployment", "Service"} <= kinds
    assert {namespace for _, namespace, _ in kube.objects} == {None, NAMESPACE}
    workload = kube.stored("StatefulSet", f"{APP}-shout", NAMESPACE)
    assert workload is not None and workload["status"]["readyReplicas"] == 1
    config_map = kube.stored("ConfigMap", f"{APP}-app", NAMESPACE)
    assert config_map is not None
    assert any("upper()" in text for text in config_map["data"].values())
    patches = [(path, query) for method, path, query in kube.requests if method == "PATCH"]
    for _, _, name in kube.objects:
        applied = [
            i for i, (p, q) in enumerate(patches) if p.endswith(f"/{name}") and "dryRun" not in q
        ]
        dry = [
            i
            for i, (p, q) in enumerate(patches)
            if p.endswith(f"/{name}") and q.get("dryRun") == "All"
        ]
        assert dry and applied and dry[0] < applied[0], name
