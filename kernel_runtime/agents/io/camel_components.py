"""The Camel components `camel-source` can run in Python: timer, file, http(s) polling, kafka.

Each is a small poller with async `open()`, `poll() -> list[Message]`, `done(message)` and
`close()`; `done` runs when the record is committed downstream. Options are the Camel URI's
query parameters, with Camel's names and defaults where they apply.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernel_runtime.agents.errors import AgentConfigError


@dataclass
class Message:
    """A Camel message: body, headers, and what `done` needs to acknowledge it."""

    body: Any
    headers: dict[str, Any] = field(default_factory=dict)
    token: Any = None


def _bool(options: dict[str, str], name: str, default: bool) -> bool:
    return str(options.get(name, str(default))).lower() == "true"


def _int(options: dict[str, str], name: str, default: int) -> int:
    value = options.get(name, default)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise AgentConfigError(f"Camel option {name}={value!r} must be an integer") from None


class TimerComponent:
    """`timer:name?period=1000&delay=1000&repeatCount=0` (0: forever); the body is null."""

    def __init__(self, path: str, options: dict[str, str]) -> None:
        self.name = path
        self.period = _int(options, "period", 1000) / 1000
        self.delay = _int(options, "delay", 1000) / 1000
        self.repeat = _int(options, "repeatCount", 0)
        self.count = 0
        self.next_at = 0.0

    async def open(self) -> None:
        self.next_at = time.monotonic() + self.delay

    async def poll(self) -> list[Message]:
        if self.repeat and self.count >= self.repeat:
            await asyncio.sleep(0.2)
            return []
        await asyncio.sleep(max(0.0, self.next_at - time.monotonic()))
        self.count += 1
        self.next_at += self.period
        headers = {
            "CamelTimerName": self.name,
            "CamelTimerCounter": self.count,
            "CamelTimerFiredTime": int(time.time() * 1000),
        }
        return [Message(None, headers)]

    async def done(self, message: Message) -> None:
        """Nothing to acknowledge."""

    async def close(self) -> None:
        """Nothing to release."""


class FileComponent:
    """`file:DIR?include=REGEX&recursive=false&noop=false&delete=false&delay=500`.

    As Camel: a consumed file moves to `DIR/.camel/` (or is deleted with `delete=true`, or left
    with `noop=true`, then read once per run), once its record is committed. Body: the bytes.
    """

    def __init__(self, path: str, options: dict[str, str]) -> None:
        self.directory = Path(path.lstrip("/") if path.startswith("//") else path)
        if path.startswith("//"):
            self.directory = Path("/" + path.lstrip("/"))
        self.include = re.compile(options["include"]) if "include" in options else None
        self.recursive = _bool(options, "recursive", False)
        self.noop = _bool(options, "noop", False)
        self.delete = _bool(options, "delete", False)
        self.delay = _int(options, "delay", 500) / 1000
        self.taken: set[Path] = set()

    async def open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)

    def _files(self) -> list[Path]:
        pattern = "**/*" if self.recursive else "*"
        return sorted(
            p
            for p in self.directory.glob(pattern)
            if p.is_file()
            and ".camel" not in p.relative_to(self.directory).parts
            and not p.name.startswith(".")
            and (self.include is None or self.include.fullmatch(p.name))
            and p not in self.taken
        )

    async def poll(self) -> list[Message]:
        files = await asyncio.to_thread(self._files)
        if not files:
            await asyncio.sleep(self.delay)
            return []
        path = files[0]
        self.taken.add(path)
        stat = path.stat()
        headers = {
            "CamelFileName": str(path.relative_to(self.directory)),
            "CamelFileNameOnly": path.name,
            "CamelFileAbsolutePath": str(path.resolve()),
            "CamelFileLength": stat.st_size,
            "CamelFileLastModified": int(stat.st_mtime * 1000),
        }
        return [Message(path.read_bytes(), headers, path)]

    async def done(self, message: Message) -> None:
        path: Path = message.token
        if self.noop:
            return
        if self.delete:
            path.unlink(missing_ok=True)
        else:
            target = self.directory / ".camel" / path.relative_to(self.directory)
            target.parent.mkdir(parents=True, exist_ok=True)
            path.replace(target)
        self.taken.discard(path)

    async def close(self) -> None:
        """Nothing to release."""


class HttpPollingComponent:
    """`http(s)://host/path?delay=1000`: GET the URL every `delay` ms; the body is the response."""

    def __init__(self, uri: str, options: dict[str, str]) -> None:
        self.url = uri
        self.delay = _int(options, "delay", 1000) / 1000
        self.client: Any = None
        self.next_at = 0.0

    async def open(self) -> None:
        import httpx

        self.client = httpx.AsyncClient(timeout=30.0, follow_redirects=True)

    async def poll(self) -> list[Message]:
        await asyncio.sleep(max(0.0, self.next_at - time.monotonic()))
        self.next_at = time.monotonic() + self.delay
        response = await self.client.get(self.url)
        headers = {
            "CamelHttpResponseCode": response.status_code,
            "Content-Type": response.headers.get("content-type"),
        }
        if response.status_code >= 400:
            raise RuntimeError(f"camel-source: GET {self.url} answered HTTP {response.status_code}")
        return [Message(response.text, headers)]

    async def done(self, message: Message) -> None:
        """Nothing to acknowledge."""

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()


class KafkaComponent:
    """`kafka:TOPIC?brokers=host:9092&groupId=G&autoOffsetReset=latest` (also
    `sessionTimeoutMs`, `heartbeatIntervalMs`), read with aiokafka; offsets are committed when
    the records are."""

    def __init__(self, path: str, options: dict[str, str]) -> None:
        if not options.get("brokers"):
            raise AgentConfigError(
                "camel-source kafka: set the brokers option (kafka:TOPIC?brokers=HOST:PORT)"
            )
        self.topic = path
        self.brokers = options["brokers"]
        self.group = options.get("groupId") or f"camel-{path}"
        self.reset = options.get("autoOffsetReset", "latest")
        self.session_timeout = _int(options, "sessionTimeoutMs", 45000)
        self.heartbeat = _int(options, "heartbeatIntervalMs", 3000)
        self.consumer: Any = None

    async def open(self) -> None:
        from aiokafka import AIOKafkaConsumer

        self.consumer = AIOKafkaConsumer(
            self.topic,
            bootstrap_servers=self.brokers,
            group_id=self.group,
            auto_offset_reset=self.reset,
            enable_auto_commit=False,
            session_timeout_ms=self.session_timeout,
            heartbeat_interval_ms=self.heartbeat,
        )
        await self.consumer.start()

    async def poll(self) -> list[Message]:
        batches = await self.consumer.getmany(timeout_ms=500, max_records=100)
        out = []
        for records in batches.values():
            for r in records:
                headers = {
                    "kafka.TOPIC": r.topic,
                    "kafka.PARTITION": r.partition,
                    "kafka.OFFSET": r.offset,
                    "kafka.KEY": r.key.decode() if r.key else None,
                }
                headers.update({k: v.decode("utf-8", "replace") for k, v in r.headers or []})
                out.append(Message(r.value, headers, r))
        return out

    async def done(self, message: Message) -> None:
        from aiokafka import TopicPartition

        record = message.token
        await self.consumer.commit(
            {TopicPartition(record.topic, record.partition): record.offset + 1}
        )

    async def close(self) -> None:
        if self.consumer is not None:
            await self.consumer.stop()
