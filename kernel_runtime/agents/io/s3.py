"""`s3-source` (LangStream's S3Source): read the objects of a bucket, delete each once done.

Reads one object per `read` from `bucketName` (created if missing) on `endpoint` (any
S3-compatible server: MinIO, AWS, ...) with `access-key` / `secret-key` (and `region`), among
the names ending in one of `file-extensions` (`*` for all). The record: value the bytes, key
and header `name` the object name. When the record is committed (written downstream), the
object is removed from the bucket, as LangStream does. With nothing to read, waits `idle-time`
seconds. Uses the `minio` SDK, as LangStream uses MinIO's Java client (and not boto3, whose
botocore pins python-dateutil below the version the kubernetes client needs).
"""

from __future__ import annotations

import asyncio
from typing import Any

from langstream import Record, Source

from kernel_runtime.agents.ai.step import ConfiguredAgent
from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.records import StreamRecord, now_millis

DEFAULT_EXTENSIONS = "pdf,docx,html,htm,md,txt"


def extension_allowed(name: str, extensions: set[str]) -> bool:
    if "*" in extensions:
        return True
    dot = name.rfind(".")
    extension = "" if dot < 0 or dot == len(name) - 1 else name[dot + 1 :]
    return extension in extensions


class S3Source(ConfiguredAgent, Source):
    agent_type = "s3-source"
    KEYS = (
        "bucketName",
        "endpoint",
        "access-key",
        "secret-key",
        "region",
        "idle-time",
        "file-extensions",
    )

    def configure(self, reader: ConfigReader) -> None:
        self.bucket = reader.string("bucketName", "langstream-source") or "langstream-source"
        self.endpoint = reader.string("endpoint", "http://minio-endpoint.-not-set:9090") or ""
        if not self.endpoint.startswith(("http://", "https://")):
            raise reader.error("endpoint", f"{self.endpoint!r} must be an http(s):// URL")
        self.access_key = reader.string("access-key", "minioadmin")
        self.secret_key = reader.string("secret-key", "minioadmin")
        self.region = reader.string("region") or None
        self.idle_time = reader.integer("idle-time", 5, minimum=0)
        extensions = reader.string("file-extensions", DEFAULT_EXTENSIONS) or DEFAULT_EXTENSIONS
        self.extensions = {e.strip() for e in extensions.split(",")}
        self.client: Any = None
        self.in_flight: set[str] = set()

    def _connect(self) -> Any:
        from urllib.parse import urlsplit

        from minio import Minio

        endpoint = urlsplit(self.endpoint)
        client = Minio(
            endpoint.netloc,
            access_key=self.access_key,
            secret_key=self.secret_key,
            secure=endpoint.scheme == "https",
            region=self.region,
        )
        if not client.bucket_exists(self.bucket):
            client.make_bucket(self.bucket)
        return client

    async def start(self) -> None:
        self.client = await asyncio.to_thread(self._connect)

    def _next(self) -> StreamRecord | None:
        for item in self.client.list_objects(self.bucket, recursive=True):
            name = item.object_name
            if item.is_dir or name in self.in_flight:
                continue
            if not extension_allowed(name, self.extensions):
                continue
            response = self.client.get_object(self.bucket, name)
            try:
                body = response.read()
            finally:
                response.close()
                response.release_conn()
            self.in_flight.add(name)
            return StreamRecord(body, name, [("name", name)], None, now_millis())
        return None

    async def read(self) -> list[StreamRecord]:
        record = await asyncio.to_thread(self._next)
        if record is None:
            await asyncio.sleep(self.idle_time)
            return []
        return [record]

    def commit(self, record: Record) -> None:
        name = str(record.key())
        self.client.remove_object(self.bucket, name)
        self.in_flight.discard(name)
