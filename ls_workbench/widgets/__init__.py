"""Live notebook views of a Workbench: record inspector, pipeline picture, status panel."""

from __future__ import annotations

from ls_workbench.widgets.inspector import RecordInspector
from ls_workbench.widgets.pipeline_view import PipelineView
from ls_workbench.widgets.status import PipelinePanel

__all__ = ["PipelinePanel", "PipelineView", "RecordInspector"]
