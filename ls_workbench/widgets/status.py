"""What the cell that started the pipeline shows: status, errors, gateway URLs and the picture.

Kept live by the Workbench's monitor, so an agent failing minutes later turns red in that
cell, with its error, without anyone re-running anything.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ls_workbench.results import Status
from ls_workbench.widgets.pipeline_view import PipelineView
from ls_workbench.widgets.render import status_html

if TYPE_CHECKING:
    from ls_workbench.workbench import Workbench


class PipelinePanel(widgets.VBox):
    """A status table (state, counters, lag, last error per executor) above the pipeline view."""

    def __init__(self, workbench: Workbench, *, max_fps: float = 2.0) -> None:
        self.workbench = workbench
        self.min_interval = 1.0 / max_fps
        self._last_render = 0.0
        self.status = widgets.HTML()
        self.view = PipelineView(workbench, max_fps=max_fps)
        self.deploy_button = widgets.Button(description="Export and deploy…", icon="cloud-upload")
        self.deploy_button.add_class("lsw-open-deploy")
        self.deploy_button.on_click(lambda _: self.toggle_deploy_panel())
        self.deploy_panel: Any = None
        super().__init__([self.status, self.view, self.deploy_button])
        self.add_class("lsw-panel")

    def toggle_deploy_panel(self) -> None:
        """The button: show the export-and-deploy panel under the picture, or hide it again."""
        if self.deploy_panel is None:
            self.deploy_panel = self.workbench.deploy_panel()
        if self.deploy_panel in self.children:
            self.children = tuple(c for c in self.children if c is not self.deploy_panel)
        else:
            self.children = (*self.children, self.deploy_panel)

    def __repr__(self) -> str:
        return f"PipelinePanel({self.workbench.name!r})"

    async def refresh(self, snapshot: dict[str, Any]) -> None:
        await self.view.refresh(snapshot)
        now = time.monotonic()
        if now - self._last_render < self.min_interval:
            return
        status = Status(self.workbench.name, snapshot, snapshot.get("gateways", {}))
        markup = status_html(status)
        if markup != self.status.value:
            self.status.value = markup
        self._last_render = now
