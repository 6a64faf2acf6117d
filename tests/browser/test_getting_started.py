"""The getting-started notebook in a real JupyterLab, in Chromium: records and agents show up."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, CHROMIUM_ARGS, copy_notebook

playwright = pytest.importorskip("playwright.sync_api")

LOAD_TIMEOUT = 90_000  # ms: a loaded CI machine builds the lab page slowly
RUN_TIMEOUT = 120_000


def accept_kernel_dialog(page) -> None:
    """JupyterLab may ask which kernel to start; the notebook's own (Python 3) is right."""
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    try:
        accept.wait_for(timeout=10_000)
    except playwright.TimeoutError:
        return
    accept.click()


def run_all_cells(page) -> None:
    """Run > Run All Cells, from the menu bar."""
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()


@pytest.mark.timeout(400)
def test_getting_started_shows_records_and_agents(jupyterlab, chromium_path):
    notebook = copy_notebook(jupyterlab, "getting-started.ipynb")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            try:
                check_notebook(page, jupyterlab.page_url(notebook))
            except Exception:
                page.screenshot(path=str(ARTIFACTS / "getting-started-failure.png"), full_page=True)
                raise
        finally:
            browser.close()
    assert (ARTIFACTS / "getting-started-inspector.png").stat().st_size > 10_000


def check_notebook(page, url: str) -> None:
    page.goto(url, timeout=LOAD_TIMEOUT)
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=LOAD_TIMEOUT)
    accept_kernel_dialog(page)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=LOAD_TIMEOUT)
    run_all_cells(page)

    records = page.locator(".lsw-inspector tr.lsw-record")
    records.nth(2).wait_for(timeout=RUN_TIMEOUT)
    inspector = page.locator(".lsw-inspector").first
    # answers the agent produced, whichever are newest when we look
    answers = inspector.locator("tr.lsw-record[data-topic='answers']")
    answers.first.wait_for(timeout=RUN_TIMEOUT)
    assert (answers.first.locator("pre").text_content() or "").isupper()
    agent = page.locator(".lsw-pipeline-view svg g.lsw-agent[data-id='shout']").first
    agent.wait_for(timeout=RUN_TIMEOUT)
    topics = page.locator(".lsw-pipeline-view svg g.lsw-topic")

    assert records.count() >= 3
    assert {topics.nth(i).get_attribute("data-id") for i in range(topics.count())} >= {
        "questions",
        "answers",
    }
    page.locator(".lsw-panel").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "getting-started-panel.png"))
    inspector.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "getting-started-inspector.png"))
