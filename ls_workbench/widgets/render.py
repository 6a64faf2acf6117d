"""HTML of the inspector and the status panel: pure functions from state to markup.

Pure so they are cheap to test and to call from the loop thread; the widgets assign the
result to an `HTML` widget's `value` (never `with output:`).
"""

from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING, Any

from ls_workbench.widgets.inspector_state import InspectedRecord, InspectorState, pretty

if TYPE_CHECKING:
    from ls_workbench.results import Status

STYLE = """<style>
.lsw-table { border-collapse: collapse; font-size: 12px; width: 100%; }
.lsw-table th, .lsw-table td { border-bottom: 1px solid #ddd; padding: 2px 6px;
  text-align: left; vertical-align: top; }
.lsw-table pre { margin: 0; white-space: pre-wrap; max-height: 12em; overflow: auto;
  font-size: 11px; }
.lsw-dead td { background: #fdecea; }
.lsw-error { color: #b71c1c; font-weight: bold; }
.lsw-stats { font-size: 12px; margin: 2px 0 4px 0; }
.lsw-badge { display: inline-block; padding: 0 6px; border-radius: 8px; color: white;
  font-size: 11px; }
</style>"""

STATE_COLOURS = {
    "running": "#2e7d32",
    "starting": "#f9a825",
    "failed": "#c62828",
    "stopped": "#757575",
    "created": "#757575",
}


def badge(state: str) -> str:
    colour = STATE_COLOURS.get(state, "#757575")
    return f"<span class='lsw-badge' style='background:{colour}'>{html.escape(state)}</span>"


def _time(millis: int | None) -> str:
    if millis is None:
        return ""
    moment = dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC)
    return moment.strftime("%H:%M:%S.%f")[:-3]


def _record_row(record: InspectedRecord) -> str:
    error = record.error
    headers = "<br>".join(
        f"{html.escape(name)}: {html.escape(value)}" for name, value in record.headers
    )
    error_line = f"<div class='lsw-error'>{html.escape(error)}</div>" if error else ""
    css = "lsw-record lsw-dead" if record.dead_letter else "lsw-record"
    return (
        f"<tr class='{css}' data-topic='{html.escape(record.topic)}'>"
        f"<td>{html.escape(record.topic)}</td><td>{record.partition}</td><td>{record.offset}</td>"
        f"<td>{_time(record.timestamp)}</td><td>{html.escape(record.key)}</td>"
        f"<td>{error_line}<pre>{html.escape(pretty(record.value))}</pre></td>"
        f"<td>{headers}</td></tr>"
    )


def records_html(records: list[InspectedRecord], paused: bool, hidden: int = 0) -> str:
    if not records:
        empty = "paused" if paused else "waiting for records…"
        return f"{STYLE}<div class='lsw-empty'>{empty}</div>"
    rows = "".join(_record_row(record) for record in records)
    more = f"<div class='lsw-stats'>{hidden} older record(s) not shown</div>" if hidden else ""
    return (
        f"{STYLE}<table class='lsw-table'><thead><tr><th>topic</th><th>partition</th>"
        "<th>offset</th><th>timestamp (UTC)</th><th>key</th><th>value</th><th>headers</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>{more}"
    )


def stats_html(state: InspectorState, topics: list[str]) -> str:
    parts = []
    for topic in topics:
        total = state.totals.get(topic, 0)
        rate = state.rate(topic)
        css = " lsw-error" if topic.endswith("-deadletter") and total else ""
        parts.append(
            f"<span class='lsw-topic-stat{css}' data-topic='{html.escape(topic)}'>"
            f"<b>{html.escape(topic)}</b>: <span class='lsw-total'>{total}</span> records, "
            f"{rate:.0f}/s</span>"
        )
    lag = ", ".join(f"{html.escape(agent)} {value}" for agent, value in sorted(state.lag.items()))
    lag_line = f"<div>consumer lag: {lag}</div>" if lag else ""
    paused = " <b>(paused)</b>" if state.paused else ""
    return f"{STYLE}<div class='lsw-stats'>{' · '.join(parts)}{paused}{lag_line}</div>"


def status_html(status: Status) -> str:
    rows = []
    for executor_id, info in status.executors.items():
        error = info.get("last_error") or ""
        rows.append(
            f"<tr data-executor='{html.escape(executor_id)}'><td>{html.escape(executor_id)}</td>"
            f"<td>{html.escape(' → '.join(info['agents']))}</td><td>{badge(info['state'])}</td>"
            f"<td>{html.escape(str(info.get('input') or '–'))}</td>"
            f"<td>{html.escape(str(info.get('output') or '–'))}</td>"
            f"<td>{info.get('received', 0)}</td><td>{info.get('emitted', 0)}</td>"
            f"<td>{info.get('failed', 0)}</td><td>{_or_dash(info.get('lag'))}</td>"
            f"<td class='lsw-error'>{html.escape(error)}</td></tr>"
        )
    table = (
        "<table class='lsw-table'><thead><tr><th>executor</th><th>agents</th><th>state</th>"
        "<th>input</th><th>output</th><th>in</th><th>out</th><th>errors</th><th>lag</th>"
        f"<th>last error</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        if rows
        else ""
    )
    gateways = "".join(
        f"<li><b>{html.escape(gateway_id)}</b>: <code>{html.escape(url)}</code></li>"
        for gateway_id, url in status.gateways.items()
    )
    gateway_list = f"<div>gateways:<ul>{gateways}</ul></div>" if gateways else ""
    return (
        f"{STYLE}<div class='lsw-status'><b>{html.escape(status.name)}</b> "
        f"{badge(status.state)}{table}{gateway_list}</div>"
    )


def _or_dash(value: Any) -> str:
    return "–" if value is None else str(value)
