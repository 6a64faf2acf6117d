"""`webcrawler-source` (LangStream's WebCrawlerSource): crawl a site, emit its pages.

From `seed-urls`, follows `<a href>` links of HTML pages (`scan-html-documents`) that stay in
`allowed-domains` (a domain, or a URL prefix) outside `forbidden-paths`, up to `max-depth`
links deep and `max-urls` URLs in all, honouring each site's `robots.txt`
(`handle-robots-file`) and waiting `min-time-between-requests` ms between requests.
Each HTML page (and other content with `allow-non-html-contents`) becomes a record: value the
raw bytes, key the URL, headers `url` and `content_type`. A page is marked done when its
record is committed; the crawl state lives in the agent's state directory
(`resources.disk.enabled: true`), else in memory. `state-storage: s3` is LangStream's default:
in the kernel the state is kept on disk all the same. A URL failing `max-error-count` times is
given up. When everything is done, pages older than `reindex-interval-seconds` are crawled again.
"""

from __future__ import annotations

import asyncio
import time
import urllib.robotparser
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlparse

from langstream import Record, Source

from kernel_runtime.agents.ai.step import ConfiguredAgent
from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.agents.io.crawl_state import CrawlState
from kernel_runtime.records import StreamRecord, now_millis

USER_AGENT = "Mozilla/5.0 (compatible; LangStream.ai/0.1; +https://langstream.ai)"
IDLE_SECONDS = 1.0


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value]


def links_of(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        url, _ = urldefrag(urljoin(base, href.strip()))
        if url.startswith(("http://", "https://")):
            out.append(url)
    return out


class WebCrawlerSource(ConfiguredAgent, Source):
    agent_type = "webcrawler-source"
    KEYS = (
        "state-storage", "bucketName", "endpoint", "access-key", "secret-key", "region",
        "allowed-domains", "forbidden-paths", "max-urls", "max-depth", "handle-robots-file",
        "scan-html-documents", "allow-non-html-contents", "seed-urls", "reindex-interval-seconds",
        "max-unflushed-pages", "min-time-between-requests", "user-agent", "max-error-count",
        "http-timeout", "handle-cookies",
    )  # fmt: skip

    def configure(self, reader: ConfigReader) -> None:
        reader.choice("state-storage", ("s3", "disk"), "s3")
        self.seeds = reader.strings("seed-urls")
        if not self.seeds:
            raise reader.error("seed-urls", "is empty; give the URLs the crawl starts from")
        for index, url in enumerate(self.seeds):
            if not url.startswith(("http://", "https://")):
                raise reader.error(f"seed-urls[{index}]", f"{url!r} must start with http(s)://")
        self.allowed = reader.strings("allowed-domains")
        self.forbidden = reader.strings("forbidden-paths")
        self.max_urls = reader.integer("max-urls", 1000, minimum=1)
        self.max_depth = reader.integer("max-depth", 50, minimum=0)
        self.robots = reader.boolean("handle-robots-file", True)
        self.scan_html = reader.boolean("scan-html-documents", True)
        self.non_html = reader.boolean("allow-non-html-contents", False)
        self.reindex = reader.integer("reindex-interval-seconds", 86400, minimum=0)
        self.max_unflushed = reader.integer("max-unflushed-pages", 100, minimum=1)
        self.min_interval = reader.integer("min-time-between-requests", 500, minimum=0) / 1000
        self.user_agent = reader.string("user-agent", USER_AGENT) or USER_AGENT
        self.max_errors = reader.integer("max-error-count", 5, minimum=0)
        self.timeout = reader.integer("http-timeout", 10000, minimum=1) / 1000
        self.cookies = reader.boolean("handle-cookies", True)
        for key in ("bucketName", "endpoint", "access-key", "secret-key", "region"):
            reader.string(key)
        self.client: Any = None
        self.state = CrawlState()
        self.rules: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self.last_request: dict[str, float] = {}
        self.unflushed = 0

    def allowed_url(self, url: str) -> bool:
        """LangStream's `isAllowedUrl`: an allowed domain or URL prefix, no forbidden path."""
        parsed = urlparse(url)
        host, path = parsed.hostname or "", parsed.path or "/"
        domain_ok = any(url.startswith(d) or d.lower() == host.lower() for d in self.allowed)
        return domain_ok and not any(path.startswith(p) for p in self.forbidden)

    async def start(self) -> None:
        import httpx

        directory = self.context.get_persistent_state_directory() if self.context else None
        path = (
            Path(directory) / f"{self.agent_id or 'webcrawler'}.webcrawler.status.json"
            if directory
            else None
        )
        self.state = CrawlState.load(path)
        if not self.state.size:
            for url in self.seeds:
                if self.allowed_url(url):
                    self.state.add(url, 0)
                else:
                    self.log.warning(
                        "%s: seed %s is not in allowed-domains, skipped", self.where(), url
                    )
        self.client = httpx.AsyncClient(
            timeout=self.timeout,
            follow_redirects=True,
            headers={"User-Agent": self.user_agent},
        )

    async def close(self) -> None:
        self.state.save()
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    async def _robots(self, url: str) -> urllib.robotparser.RobotFileParser | None:
        parsed = urlparse(url)
        origin = f"{parsed.scheme}://{parsed.netloc}"
        if origin not in self.rules:
            rules: urllib.robotparser.RobotFileParser | None = None
            try:
                response = await self.client.get(origin + "/robots.txt")
                if response.status_code < 400:
                    rules = urllib.robotparser.RobotFileParser()
                    rules.parse(response.text.splitlines())
            except Exception as error:  # noqa: BLE001 - no robots.txt: everything is allowed
                self.log.info("%s: no robots.txt at %s (%s)", self.where(), origin, error)
            self.rules[origin] = rules
        return self.rules[origin]

    async def _polite_wait(self, url: str) -> None:
        host = urlparse(url).netloc
        wait = self.last_request.get(host, 0.0) + self.min_interval - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self.last_request[host] = time.monotonic()

    async def read(self) -> list[StreamRecord]:
        taken = self.state.take()
        if taken is None:
            stale = self.state.stale(self.reindex) if self.reindex else []
            for url in stale:
                self.state.done.pop(url, None)
                self.state.add(url, 0)
            if not stale:
                await asyncio.sleep(IDLE_SECONDS)
            return []
        url, depth = taken
        if self.robots:
            rules = await self._robots(url)
            if rules is not None and not rules.can_fetch(self.user_agent, url):
                self.log.info("%s: %s is disallowed by robots.txt", self.where(), url)
                self.state.finish(url)
                return []
        await self._polite_wait(url)
        try:
            response = await self.client.get(url)
            if not self.cookies:
                self.client.cookies.clear()
            if response.status_code >= 400:
                raise RuntimeError(f"HTTP {response.status_code}")
        except Exception as error:  # noqa: BLE001 - a failing page must not stop the crawl
            failures = self.state.fail(url)
            if failures < self.max_errors:
                self.state.add(url, depth)
            self.log.warning(
                "%s: %s failed (%d/%d): %s", self.where(), url, failures, self.max_errors, error
            )
            return []
        content_type = response.headers.get("content-type", "text/plain")
        is_html = "html" in content_type.lower()
        final_url = str(response.url)
        if final_url != url and not self.allowed_url(final_url):
            self.state.finish(url)
            return []
        if is_html and self.scan_html and depth < self.max_depth:
            for link in links_of(response.text, final_url):
                if self.state.size >= self.max_urls:
                    break
                if self.allowed_url(link):
                    self.state.add(link, depth + 1)
        if not is_html and not self.non_html:
            self.state.finish(url)
            return []
        headers = [("url", url), ("content_type", content_type)]
        return [StreamRecord(response.content, url, headers, None, now_millis())]

    async def commit(self, record: Record) -> None:  # on the loop, like read: no locking needed
        url = record.key()
        self.state.finish(str(url))
        self.unflushed += 1
        if self.unflushed >= self.max_unflushed:
            self.unflushed = 0
            self.state.save()
