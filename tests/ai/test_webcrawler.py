"""webcrawler-source on a small loopback site: links, depth, robots.txt, state and restarts."""

from __future__ import annotations

from pathlib import Path

import pytest
from tornado.web import RequestHandler

from kernel_runtime.agents.errors import AgentConfigError

from .helpers import Context, configure, start
from .servers import serve

PAGES = {
    "/": '<a href="/a">a</a> <a href="/b#top">b</a> <a href="/private/x">p</a> <a href="http://elsewhere.invalid/">out</a> <a href="/doc.pdf">pdf</a>',
    "/a": '<a href="/c">c</a>',
    "/b": '<a href="/">home</a>',
    "/c": "deep",
    "/private/x": "secret",
}


class Site(RequestHandler):
    def initialize(self, service) -> None:
        self.service = service

    def get(self) -> None:
        path = self.request.path
        self.service.requests.append((path, {}))
        if path == "/robots.txt":
            self.set_header("Content-Type", "text/plain")
            self.write("User-agent: *\nDisallow: /private\n")
        elif path == "/doc.pdf":
            self.set_header("Content-Type", "application/pdf")
            self.write(b"%PDF-1.4 not really")
        elif path in PAGES:
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.write(f"<html><body>{PAGES[path]}</body></html>")
        else:
            self.set_status(404)


async def crawl(agent, limit: int = 30, commit: bool = True) -> list:
    records = []
    for _ in range(limit):
        if not agent.state.pending:
            break
        batch = await agent.read()
        records += batch
        if commit:
            for record in batch:
                await agent.commit(record)
    return records


def config(url: str, **extra) -> dict:
    return {
        "seed-urls": [url + "/"],
        "allowed-domains": [url],
        "min-time-between-requests": 0,
        "max-depth": 1,
        "state-storage": "disk",
        **extra,
    }


async def test_crawl_follows_links_within_depth_domains_and_robots(tmp_path: Path) -> None:
    async with serve([(r"/.*", Site)]) as site:
        agent = await start(
            "webcrawler-source", config(site.url), context=Context(state_directory=tmp_path)
        )
        records = await crawl(agent)
        await agent.close()
        fetched = [path for path, _ in site.requests]
    urls = sorted(r.key().removeprefix(site.url) for r in records)
    assert urls == [
        "/",
        "/a",
        "/b",
    ]  # /c is 2 links deep; /private is disallowed; the pdf is not html
    assert "/private/x" not in fetched and "/c" not in fetched and fetched.count("/robots.txt") == 1
    page = next(r for r in records if r.key() == site.url + "/a")
    assert page.value() == b'<html><body><a href="/c">c</a></body></html>'
    assert dict(page.headers()) == {
        "url": site.url + "/a",
        "content_type": "text/html; charset=utf-8",
    }


async def test_non_html_contents_and_max_urls(tmp_path: Path) -> None:
    async with serve([(r"/.*", Site)]) as site:
        agent = await start(
            "webcrawler-source",
            config(site.url, **{"allow-non-html-contents": True}),
            context=Context(),
        )
        urls = {r.key().removeprefix(site.url) for r in await crawl(agent)}
        await agent.close()
        assert "/doc.pdf" in urls
        small = await start(
            "webcrawler-source", config(site.url, **{"max-urls": 2}), context=Context()
        )
        assert len(await crawl(small)) == 2
        await small.close()


async def test_state_survives_restarts_and_uncommitted_pages_come_back(tmp_path: Path) -> None:
    async with serve([(r"/.*", Site)]) as site:
        context = Context(state_directory=tmp_path)
        first = await start("webcrawler-source", config(site.url), context=context)
        [home] = await first.read()
        await first.commit(home)
        [uncommitted] = await first.read()
        await first.close()  # crashed before the commit of the second page
        assert (tmp_path / "step-1.webcrawler.status.json").exists()
        second = await start("webcrawler-source", config(site.url), context=context)
        records = await crawl(second)
        await second.close()
        again = await start("webcrawler-source", config(site.url), context=context)
        assert await crawl(again) == [] and not again.state.pending
        await again.close()
    keys = [r.key() for r in records]
    assert keys[0] == uncommitted.key()  # handed out again first
    assert home.key() not in keys


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"seed-urls": []}, "seed-urls"),
        ({"seed-urls": ["docs.example"]}, "http"),
        ({"state-storage": "cloud"}, "s3, disk"),
        ({"max-depth": -1}, "at least 0"),
    ],
)
def test_bad_configuration(extra: dict, message: str) -> None:
    with pytest.raises(AgentConfigError, match=message):
        configure("webcrawler-source", {**config("http://127.0.0.1:1"), **extra})
