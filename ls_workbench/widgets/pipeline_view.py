"""The pipeline view: an SVG picture of topics, agents and gateways with live counts and state.

Refreshed by the Workbench's monitor on the loop; re-rendered at most `max_fps` times a second
and only when the picture changed, by assigning the SVG to an `HTML` widget.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ls_workbench.errors import WorkbenchError
from ls_workbench.widgets.graph import Graph, pipeline_graph, pipeline_svg

if TYPE_CHECKING:
    from ls_workbench.workbench import Workbench


class PipelineView(widgets.HTML):
    """Topics (pills), agents (boxes coloured by state, with in/out/error counts), gateways."""

    def __init__(self, workbench: Workbench, *, max_fps: float = 2.0) -> None:
        super().__init__()
        self.workbench = workbench
        self.min_interval = 1.0 / max_fps
        self.graph: Graph = Graph()
        self.renders = 0
        self._last_render = 0.0
        self._definitions_seen: object = None
        self.add_class("lsw-pipeline-view")
        self._update_graph()
        self.value = pipeline_svg(self.graph)

    def __repr__(self) -> str:
        return f"PipelineView({self.workbench.name!r})"

    def _update_graph(self) -> None:
        """Rebuild the graph when the definitions changed and form a valid application."""
        definitions = self.workbench.definitions
        if definitions is self._definitions_seen:
            return
        try:
            app = self.workbench.application()
        except WorkbenchError:
            return  # keep showing the last valid picture
        self.graph = pipeline_graph(app, definitions.gateways)
        self._definitions_seen = definitions

    async def refresh(self, snapshot: dict[str, Any]) -> None:
        now = time.monotonic()
        if now - self._last_render < self.min_interval:
            return
        self._update_graph()
        svg = pipeline_svg(self.graph, snapshot)
        if svg != self.value:
            self.value = svg
            self.renders += 1
        self._last_render = now
