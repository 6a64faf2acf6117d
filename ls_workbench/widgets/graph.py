"""The pipeline as a graph of topics, agents and gateways, laid out in columns, drawn as SVG.

Pure functions: `pipeline_graph` reads the application model (agents with their implicit
topics, dead-letter topics, routing destinations, gateways); `pipeline_svg` draws it with the
live counters of a monitor snapshot. Columns follow the flow: a node sits one column right of
the furthest node that feeds it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from kernel_runtime.manifest import Application

COLUMN = 215
ROW = 64
NODE_W = 175
NODE_H = 44
MARGIN = 16
STATE_FILL = {
    "running": "#e8f5e9",
    "starting": "#fff8e1",
    "failed": "#ffebee",
    "stopped": "#eeeeee",
}
STATE_STROKE = {
    "running": "#2e7d32",
    "starting": "#f9a825",
    "failed": "#c62828",
    "stopped": "#757575",
}


@dataclass
class Node:
    id: str
    kind: str  # "topic", "agent" or "gateway"
    label: str
    detail: str = ""


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # (from, to, style)

    def add(self, node: Node) -> None:
        self.nodes.setdefault(node.id, node)

    def link(self, source: str, target: str, style: str = "flow") -> None:
        if (source, target, style) not in self.edges:
            self.edges.append((source, target, style))


def topic_node(name: str) -> str:
    return f"topic:{name}"


def agent_node(agent_id: str) -> str:
    return f"agent:{agent_id}"


def pipeline_graph(app: Application, gateways: dict[str, dict[str, Any]] | None = None) -> Graph:
    graph = Graph()
    for name in app.topics():
        graph.add(Node(topic_node(name), "topic", name))
    for agent in app.agents():
        node = agent_node(agent.id)
        graph.add(Node(node, "agent", agent.id, agent.type or ""))
        if agent.input:
            graph.add(Node(topic_node(agent.input), "topic", agent.input))
            graph.link(topic_node(agent.input), node)
        if agent.output:
            graph.add(Node(topic_node(agent.output), "topic", agent.output))
            graph.link(node, topic_node(agent.output))
        for route in agent.configuration.get("routes") or []:
            if isinstance(route, dict) and route.get("destination"):
                graph.add(Node(topic_node(route["destination"]), "topic", route["destination"]))
                graph.link(node, topic_node(route["destination"]))
        if agent.input and agent.errors.on_failure == "dead-letter":
            dead = f"{agent.input}-deadletter"
            graph.add(Node(topic_node(dead), "topic", dead))
            graph.link(node, topic_node(dead), "error")
    for gateway_id, spec in (gateways or {}).items():
        _gateway(graph, gateway_id, spec)
    return graph


def _gateway(graph: Graph, gateway_id: str, spec: dict[str, Any]) -> None:
    kind = str(spec.get("type"))
    node = f"gateway:{gateway_id}"
    graph.add(Node(node, "gateway", gateway_id, f"{kind} gateway"))
    into: list[str] = []
    out_of: list[str] = []
    if kind == "produce":
        into.append(spec.get("topic"))
    elif kind == "consume":
        out_of.append(spec.get("topic"))
    elif kind in ("chat", "service"):
        options = spec.get("chat-options") or spec.get("service-options") or {}
        into.append(options.get("questions-topic") or options.get("input-topic"))
        out_of.append(options.get("answers-topic") or options.get("output-topic"))
    for topic in filter(None, into):
        graph.add(Node(topic_node(topic), "topic", topic))
        graph.link(node, topic_node(topic))
    for topic in filter(None, out_of):
        graph.add(Node(topic_node(topic), "topic", topic))
        graph.link(topic_node(topic), node)


def layout(graph: Graph) -> dict[str, tuple[int, int]]:
    """Column and row of each node: column = longest path from a node nothing feeds."""
    column = {node: 0 for node in graph.nodes}
    flow = [(s, t) for s, t, style in graph.edges if s in column and t in column]
    for _ in range(len(column)):  # longest path by relaxation; cycles stop at len(column)
        changed = False
        for source, target in flow:
            if column[target] < column[source] + 1:
                column[target] = column[source] + 1
                changed = True
        if not changed:
            break
    rows: dict[int, int] = {}
    position = {}
    for node in graph.nodes:  # insertion order keeps the pipeline order within a column
        col = column[node]
        position[node] = (col, rows.get(col, 0))
        rows[col] = rows.get(col, 0) + 1
    return position


def _xy(position: tuple[int, int]) -> tuple[int, int]:
    return MARGIN + position[0] * COLUMN, MARGIN + position[1] * ROW


def pipeline_svg(graph: Graph, snapshot: dict[str, Any] | None = None) -> str:
    snapshot = snapshot or {}
    executors = snapshot.get("executors", {})
    by_agent = {agent: info for info in executors.values() for agent in info.get("agents", [])}
    totals = snapshot.get("topics", {})
    position = layout(graph)
    width = MARGIN * 2 + (max((c for c, _ in position.values()), default=0)) * COLUMN + NODE_W
    height = MARGIN * 2 + (max((r for _, r in position.values()), default=0)) * ROW + NODE_H
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' class='lsw-pipeline' width='{width}' "
        f"height='{height}' viewBox='0 0 {width} {height}' font-family='sans-serif' "
        "font-size='11'>",
        "<defs><marker id='lsw-arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='6' "
        "markerHeight='6' orient='auto-start-reverse'><path d='M 0 0 L 10 5 L 0 10 z' "
        "fill='#555'/></marker></defs>",
    ]
    for source, target, style in graph.edges:
        if source not in position or target not in position:
            continue
        x1, y1 = _xy(position[source])
        x2, y2 = _xy(position[target])
        x1, y1, y2 = x1 + NODE_W, y1 + NODE_H // 2, y2 + NODE_H // 2
        middle = (x1 + x2) // 2
        colour, dash = ("#c62828", " stroke-dasharray='4 3'") if style == "error" else ("#555", "")
        parts.append(
            f"<path d='M {x1} {y1} C {middle} {y1}, {middle} {y2}, {x2} {y2}' fill='none' "
            f"stroke='{colour}'{dash} marker-end='url(#lsw-arrow)'/>"
        )
    for node_id, node in graph.nodes.items():
        x, y = _xy(position[node_id])
        parts.append(_node_svg(node, x, y, by_agent.get(node.label), totals.get(node.label)))
    parts.append("</svg>")
    return "".join(parts)


def _node_svg(node: Node, x: int, y: int, info: dict | None, total: int | None) -> str:
    label = html.escape(node.label if len(node.label) <= 22 else node.label[:21] + "…")
    if node.kind == "agent":
        state = (info or {}).get("state", "stopped")
        fill, stroke = STATE_FILL.get(state, "#eeeeee"), STATE_STROKE.get(state, "#757575")
        counts = ""
        if info:
            counts = f"in {info.get('received', 0)} · out {info.get('emitted', 0)}"
            if info.get("failed"):
                counts += f" · ⚠ {info['failed']}"
        title = html.escape((info or {}).get("last_error") or f"{node.detail}: {state}")
        return (
            f"<g class='lsw-agent lsw-{state}' data-id='{html.escape(node.label)}'>"
            f"<title>{title}</title>"
            f"<rect x='{x}' y='{y}' width='{NODE_W}' height='{NODE_H}' rx='4' fill='{fill}' "
            f"stroke='{stroke}' stroke-width='2'/>"
            f"<text x='{x + 8}' y='{y + 15}' font-weight='bold'>{label}</text>"
            f"<text x='{x + 8}' y='{y + 28}' fill='#555'>{html.escape(node.detail)} · {state}</text>"
            f"<text x='{x + 8}' y='{y + 40}' class='lsw-counts'>{html.escape(counts)}</text></g>"
        )
    if node.kind == "gateway":
        return (
            f"<g class='lsw-gateway' data-id='{html.escape(node.label)}'>"
            f"<rect x='{x}' y='{y}' width='{NODE_W}' height='{NODE_H}' rx='4' fill='#e3f2fd' "
            f"stroke='#1565c0' stroke-dasharray='5 3'/>"
            f"<text x='{x + 8}' y='{y + 18}' font-weight='bold'>{label}</text>"
            f"<text x='{x + 8}' y='{y + 33}' fill='#555'>{html.escape(node.detail)}</text></g>"
        )
    dead = node.label.endswith("-deadletter")
    stroke = "#c62828" if dead else "#6a1b9a"
    count = "" if total is None else f"{total} records"
    return (
        f"<g class='lsw-topic' data-id='{html.escape(node.label)}'>"
        f"<rect x='{x}' y='{y}' width='{NODE_W}' height='{NODE_H}' rx='20' fill='#f3e5f5' "
        f"stroke='{stroke}'/>"
        f"<text x='{x + 14}' y='{y + 18}'>{label}</text>"
        f"<text x='{x + 14}' y='{y + 33}' fill='#555' class='lsw-total'>{count}</text></g>"
    )
