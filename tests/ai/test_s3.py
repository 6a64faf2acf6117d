"""s3-source against moto's S3-compatible server, run on loopback in this process (a stand-in
for MinIO / AWS S3, which cannot run here; moto serves the same S3 HTTP protocol)."""

from __future__ import annotations

import pytest

from kernel_runtime.agents.errors import AgentConfigError

moto_server = pytest.importorskip(
    "moto.server", reason="the S3 server for these tests: moto[server]"
)
boto3 = pytest.importorskip("boto3", reason="moto's client, to fill the bucket")

from .helpers import configure, start  # noqa: E402


@pytest.fixture
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="k",
        aws_secret_access_key="s",
        region_name="us-east-1",
    )


async def test_reads_objects_with_allowed_extensions_and_deletes_them_on_commit(
    s3_endpoint: str,
) -> None:
    config = {
        "bucketName": "docs",
        "endpoint": s3_endpoint,
        "access-key": "k",
        "secret-key": "s",
        "idle-time": 0,
        "file-extensions": "txt,md",
    }
    agent = await start("s3-source", config)  # creates the bucket
    s3 = client(s3_endpoint)
    s3.put_object(Bucket="docs", Key="a.txt", Body=b"alpha")
    s3.put_object(Bucket="docs", Key="notes/b.md", Body=b"beta")
    s3.put_object(Bucket="docs", Key="c.pdf", Body=b"%PDF")
    first = await agent.read()
    second = await agent.read()
    assert await agent.read() == []  # the pdf is filtered out; in-flight objects are not re-read
    records = first + second
    assert [(r.key(), r.value(), dict(r.headers())) for r in records] == [
        ("a.txt", b"alpha", {"name": "a.txt"}),
        ("notes/b.md", b"beta", {"name": "notes/b.md"}),
    ]
    agent.commit(records[0])
    names = [o["Key"] for o in s3.list_objects_v2(Bucket="docs").get("Contents", [])]
    assert names == ["c.pdf", "notes/b.md"]


def test_bad_configuration() -> None:
    with pytest.raises(AgentConfigError, match="http"):
        configure("s3-source", {"endpoint": "minio:9000"})
    with pytest.raises(AgentConfigError, match="idle-time"):
        configure("s3-source", {"idle-time": "often"})
