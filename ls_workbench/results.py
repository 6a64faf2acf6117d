"""What Workbench calls return, displayed well in a notebook and stable in saved outputs.

Each result has a plain-text form (what `repr` and notebook regression tests see: no
timestamps, ports or random ids) and an HTML form for JupyterLab.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kernel_runtime.records import StreamRecord


def show_value(value: Any, limit: int = 200) -> str:
    """A record value or key as one line of text: JSON for structures, text for the rest."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            return f"<{len(value)} bytes>"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Change:
    """The outcome of a definition cell: what was defined and what happened to the pipeline."""

    what: str
    outcome: str
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.what}: {self.outcome}"] + [f"  {note}" for note in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


class RecordList(list):
    """The records `collect` returned (`langstream.Record`s), shown as a table."""

    def __init__(
        self, topic: str, records: Iterable[StreamRecord], expected: int | None = None
    ) -> None:
        super().__init__(records)
        self.topic = topic
        self.expected = expected

    def values(self) -> list[Any]:
        return [record.value() for record in self]

    def keys(self) -> list[Any]:
        return [record.key() for record in self]

    def _summary(self) -> str:
        text = f"{len(self)} record(s) from {self.topic!r}"
        if self.expected is not None and len(self) < self.expected:
            text += f" ({self.expected} expected; the rest did not arrive before the timeout)"
        return text

    def __repr__(self) -> str:
        lines = [self._summary()]
        for record in self:
            key = "" if record.key() is None else f" key={show_value(record.key(), 60)}"
            headers = "".join(
                f" {name}={show_value(value, 60)}" for name, value in record.headers() or []
            )
            lines.append(f"  {show_value(record.value())}{key}{headers}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr>"
            f"<td>{record.partition}</td><td>{record.offset}</td>"
            f"<td>{html.escape(show_value(record.key(), 80)) if record.key() is not None else ''}</td>"
            f"<td><code>{html.escape(show_value(record.value()))}</code></td>"
            f"<td>{html.escape(', '.join(f'{k}={show_value(v, 60)}' for k, v in record.headers() or []))}</td>"
            "</tr>"
            for record in self
        )
        return (
            f"<div class='lsw-records'><b>{html.escape(self._summary())}</b>"
            "<table><thead><tr><th>partition</th><th>offset</th><th>key</th><th>value</th>"
            f"<th>headers</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )


class Status:
    """A snapshot of the pipeline: state per executor, counters, errors, gateway URLs."""

    def __init__(self, name: str, snapshot: dict[str, Any], gateways: dict[str, str]) -> None:
        self.name = name
        self.snapshot = snapshot
        self.gateways = gateways

    @property
    def state(self) -> str:
        return str(self.snapshot["state"])

    @property
    def executors(self) -> dict[str, Any]:
        return self.snapshot["executors"]

    @property
    def topics(self) -> dict[str, int]:
        return self.snapshot["topics"]

    def errors(self) -> dict[str, list[str]]:
        return {k: v["errors"] for k, v in self.executors.items() if v.get("errors")}

    def __getitem__(self, key: str) -> Any:
        return self.snapshot[key]

    def __repr__(self) -> str:
        lines = [f"{self.name}: {self.state}"]
        for executor_id, info in self.executors.items():
            agents = " -> ".join(info["agents"])
            lines.append(
                f"  {executor_id} [{info['state']}] {agents}: {info.get('input') or '-'} -> "
                f"{info.get('output') or '-'}"
            )
            if info.get("last_error"):
                lines.append(f"    last error: {info['last_error']}")
        for gateway_id, url in self.gateways.items():
            lines.append(f"  gateway {gateway_id}: {url}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from ls_workbench.widgets.render import status_html

        return status_html(self)
