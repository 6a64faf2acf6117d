"""The record inspector: a live tail of topics with filters, pause, rates, lag and dead letters.

The Workbench's monitor calls `refresh` on the loop a few times a second. Each refresh reads a
bounded number of the newest records (see `tail.py`) into `InspectorState` and, at most
`max_fps` times a second and only when something changed, assigns new HTML to the widgets.
Control callbacks (filters, pause) run in the kernel thread and only change the state.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ls_workbench.widgets.inspector_state import DEAD_LETTER_SUFFIX, InspectorState
from ls_workbench.widgets.render import records_html, stats_html
from ls_workbench.widgets.tail import TopicTail

if TYPE_CHECKING:
    from ls_workbench.workbench import Workbench


class RecordInspector(widgets.VBox):
    """Live tail of topics: partition, offset, timestamp, key, value (pretty JSON), headers."""

    def __init__(
        self,
        workbench: Workbench,
        topics: list[str] | None = None,
        *,
        max_records: int = 500,
        rows: int = 25,
        keep_per_refresh: int | None = None,
        max_fps: float = 4.0,
    ) -> None:
        self.workbench = workbench
        self.fixed_topics = list(topics) if topics else None
        self.state = InspectorState(topics, max_records=max_records)
        self.rows = rows
        # newer records than the rows shown would never be seen: read no more per refresh
        self.keep = keep_per_refresh or rows
        self.min_interval = 1.0 / max_fps
        self.renders = 0
        self._tails: dict[str, TopicTail] = {}
        self._rendered_version = -1
        self._last_render = 0.0
        self.stats = widgets.HTML()
        self.table = widgets.HTML()
        self.pause_button = widgets.ToggleButton(description="Pause", icon="pause")
        self.key_filter = widgets.Text(placeholder="key contains", description="key")
        self.value_filter = widgets.Text(placeholder="value contains", description="value")
        self.header_filter = widgets.Text(placeholder="name or name=value", description="header")
        for control in (self.key_filter, self.value_filter, self.header_filter):
            control.layout = widgets.Layout(width="230px")
            control.observe(self._filters_changed, names="value")
        self.pause_button.observe(self._pause_changed, names="value")
        controls = widgets.HBox(
            [self.pause_button, self.key_filter, self.value_filter, self.header_filter]
        )
        super().__init__([self.stats, controls, self.table])
        self.add_class("lsw-inspector")
        workbench.engine.closers.append(self.aclose)
        self._render()

    def __repr__(self) -> str:
        topics = self.fixed_topics if self.fixed_topics is not None else "all topics"
        return f"RecordInspector({topics})"

    # -- controls (kernel thread) ------------------------------------------------------------

    def _filters_changed(self, _change: Any = None) -> None:
        self.state.set_filters(
            key=self.key_filter.value,
            value=self.value_filter.value,
            header=self.header_filter.value,
        )
        self.workbench.monitor.poke()

    def _pause_changed(self, change: Any) -> None:
        paused = bool(change["new"])
        self.state.set_paused(paused)
        self.pause_button.description = "Resume" if paused else "Pause"
        self.pause_button.icon = "play" if paused else "pause"
        self.workbench.monitor.poke()

    def pause(self) -> None:
        self.pause_button.value = True

    def resume(self) -> None:
        self.pause_button.value = False

    def filter(self, key: str = "", value: str = "", header: str = "") -> None:
        """Show only records whose key / value text / a header contains the given text."""
        self.key_filter.value, self.value_filter.value, self.header_filter.value = (
            key,
            value,
            header,
        )

    # -- refresh (loop thread) ---------------------------------------------------------------

    def topics(self, snapshot: dict[str, Any]) -> list[str]:
        if self.fixed_topics is not None:
            return self.fixed_topics
        return sorted(snapshot.get("topics", {}), key=lambda t: (t.endswith(DEAD_LETTER_SUFFIX), t))

    async def refresh(self, snapshot: dict[str, Any]) -> None:
        broker = self.workbench.engine.broker
        topics = self.topics(snapshot)
        self.state.topics = topics
        if broker is not None and not getattr(broker, "closed", False):
            totals: dict[str, int] = {}
            for topic in topics:
                tail = self._tails.get(topic)
                if tail is None or tail.broker is not broker:
                    tail = self._tails[topic] = TopicTail(broker, topic, self.keep)
                try:
                    totals[topic] = sum((await tail.end_offsets()).values())
                    if self.state.paused:
                        tail.skip_to_end()
                    else:
                        self.state.add(await tail.read_new())
                except Exception:  # noqa: BLE001 - topic not created yet, or deleted
                    continue
            self.state.update_totals(totals)
        self.state.update_lag(
            {
                executor_id: info["lag"]
                for executor_id, info in snapshot.get("executors", {}).items()
                if info.get("lag") is not None
            }
        )
        now = time.monotonic()
        if (
            self.state.version != self._rendered_version
            and now - self._last_render >= self.min_interval
        ):
            self._render()

    def _render(self) -> None:
        version = self.state.version
        visible = self.state.visible()
        self.stats.value = stats_html(self.state, self.state.topics)
        self.table.value = records_html(
            visible[: self.rows], self.state.paused, max(0, len(visible) - self.rows)
        )
        self._rendered_version = version
        self._last_render = time.monotonic()
        self.renders += 1

    async def aclose(self) -> None:
        for tail in self._tails.values():
            await tail.close()
        self._tails.clear()

    def close(self) -> None:
        tails, self._tails = list(self._tails.values()), {}
        loop = self.workbench._loop
        for tail in tails:
            if loop.running:
                loop.submit(tail.close())
        if self.aclose in self.workbench.engine.closers:
            self.workbench.engine.closers.remove(self.aclose)
        super().close()
