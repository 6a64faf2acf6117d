"""What a web crawl remembers: URLs to visit (with depth), URLs done (with when), errors.

Saved as JSON in the agent's state directory (`<agent id>.webcrawler.status.json`, the file
name LangStream uses), so a restarted crawler resumes: URLs handed out but not committed go
back to the front of the queue, done URLs are not fetched again before `reindex-interval`.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class CrawlState:
    pending: deque[tuple[str, int]] = field(default_factory=deque)
    in_flight: dict[str, int] = field(default_factory=dict)
    done: dict[str, float] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    path: Path | None = None

    def known(self, url: str) -> bool:
        return url in self.done or url in self.in_flight or any(u == url for u, _ in self.pending)

    @property
    def size(self) -> int:
        return len(self.done) + len(self.in_flight) + len(self.pending)

    def add(self, url: str, depth: int) -> None:
        if not self.known(url):
            self.pending.append((url, depth))

    def take(self) -> tuple[str, int] | None:
        if not self.pending:
            return None
        url, depth = self.pending.popleft()
        self.in_flight[url] = depth
        return url, depth

    def finish(self, url: str) -> None:
        self.in_flight.pop(url, None)
        self.done[url] = time.time()

    def fail(self, url: str) -> int:
        self.in_flight.pop(url, None)
        self.errors[url] = self.errors.get(url, 0) + 1
        return self.errors[url]

    def requeue(self, url: str, depth: int) -> None:
        self.in_flight.pop(url, None)
        self.pending.appendleft((url, depth))

    def stale(self, interval: float) -> list[str]:
        """Done URLs older than `interval` seconds: queued again for a re-crawl."""
        limit = time.time() - interval
        return [url for url, when in self.done.items() if when < limit]

    def save(self) -> None:
        if self.path is None:
            return
        data = {
            "pending": [[u, d] for u, d in self.in_flight.items()]
            + [[u, d] for u, d in self.pending],
            "done": self.done,
            "errors": self.errors,
        }
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data))
        os.replace(temporary, self.path)

    @classmethod
    def load(cls, path: Path | None) -> CrawlState:
        state = cls(path=path)
        if path is not None and path.exists():
            data = json.loads(path.read_text())
            state.pending.extend((str(u), int(d)) for u, d in data.get("pending", []))
            state.done.update({str(u): float(t) for u, t in data.get("done", {}).items()})
            state.errors.update({str(u): int(n) for u, n in data.get("errors", {}).items()})
        return state
