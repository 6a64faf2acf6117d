"""http-request and langserve-invoke against small loopback HTTP servers."""

from __future__ import annotations

import json

import pytest
from tornado.web import RequestHandler

from kernel_runtime.agents.errors import AgentConfigError
from kernel_runtime.records import StreamRecord

from .helpers import Context, configure, start
from .servers import serve


class Echo(RequestHandler):
    """Answers with what it received, as JSON; `?fail=1` answers 500, `?plain=1` plain text."""

    def initialize(self, service) -> None:
        self.service = service

    def _answer(self) -> None:
        if self.get_argument("fail", None):
            self.set_status(500)
            self.write("broken")
            return
        if self.get_argument("plain", None):
            self.write("plain text")
            return
        self.write(
            {
                "method": self.request.method,
                "query": {k: self.get_argument(k) for k in self.request.arguments},
                "header": self.request.headers.get("X-Ask"),
                "body": self.request.body.decode(),
                "cookie": self.request.headers.get("Cookie"),
            }
        )

    def get(self) -> None:
        self._answer()

    def post(self) -> None:
        self._answer()


class SetCookie(RequestHandler):
    def initialize(self, service) -> None:
        pass

    def get(self) -> None:
        self.set_cookie("session", "abc")
        self.redirect("/echo")


class Invoke(RequestHandler):
    def initialize(self, service) -> None:
        self.service = service

    def post(self) -> None:
        body = json.loads(self.request.body)
        self.service.requests.append((self.request.path, body))
        self.write({"output": {"content": "Hello " + body["input"]["name"]}, "metadata": {}})


class Stream(RequestHandler):
    def initialize(self, service) -> None:
        self.service = service

    async def post(self) -> None:
        body = json.loads(self.request.body)
        self.set_header("Content-Type", "text/event-stream")
        self.write('event: metadata\ndata: {"run_id": "1"}\n\n')
        for word in ["Hello", " there", " ", body["input"]["name"], "!"]:
            self.write(f"event: data\ndata: {json.dumps({'content': word})}\n\n")
            await self.flush()
        self.write("event: end\n\n")


ROUTES = [
    ("/echo", Echo),
    ("/cookie", SetCookie),
    ("/chain/invoke", Invoke),
    ("/chain/stream", Stream),
]


async def test_http_request_templates_query_headers_and_body() -> None:
    async with serve(ROUTES) as server:
        config = {
            "url": server.url + "/echo",
            "method": "POST",
            "query-string": {"q": "{{ value.q }}", "n": "1"},
            "headers": {"X-Ask": "{{ value.who }}"},
            "body": '{"text": "{{ value.q }}"}',
            "output-field": "value.response",
        }
        agent = await start("http-request", config)
        [out] = await agent.process(StreamRecord(json.dumps({"q": "a&b <c>", "who": "me"})))
        await agent.close()
    response = json.loads(out.value())["response"]
    assert response["method"] == "POST"
    assert response["query"] == {"q": "a&b <c>", "n": "1"}  # raw values, URL-encoded on the wire
    assert response["header"] == "me"
    assert json.loads(response["body"]) == {"text": "a&b <c>"}


async def test_http_request_plain_text_errors_cookies_and_redirects() -> None:
    async with serve(ROUTES) as server:
        plain = await start(
            "http-request", {"url": server.url + "/echo?plain=1", "output-field": "value"}
        )
        [out] = await plain.process(StreamRecord("x"))
        assert out.value() == "plain text"
        failing = await start(
            "http-request", {"url": server.url + "/echo?fail=1", "output-field": "value"}
        )
        with pytest.raises(RuntimeError, match="HTTP 500"):
            await failing.process(StreamRecord("x"))
        cookies = await start(
            "http-request", {"url": server.url + "/cookie", "output-field": "value.r"}
        )
        [out] = await cookies.process(StreamRecord("{}"))
        assert json.loads(out.value())["r"]["cookie"] == "session=abc"  # followed, with the cookie
        no_cookies = await start(
            "http-request",
            {"url": server.url + "/cookie", "output-field": "value.r", "handle-cookies": False},
        )
        [out] = await no_cookies.process(StreamRecord("{}"))
        assert json.loads(out.value())["r"]["cookie"] is None
        no_redirect = await start(
            "http-request",
            {"url": server.url + "/cookie", "output-field": "value.r", "allow-redirects": False},
        )
        [out] = await no_redirect.process(StreamRecord("{}"))
        assert json.loads(out.value())["r"] == ""  # the 302's empty body
        for agent in (plain, failing, cookies, no_cookies, no_redirect):
            await agent.close()


async def test_langserve_invoke_and_stream() -> None:
    context = Context()
    async with serve(ROUTES) as server:
        fields = [{"name": "name", "expression": "value.name"}]
        invoke = await start(
            "langserve-invoke",
            {"url": server.url + "/chain/invoke", "output-field": "value.answer", "fields": fields},
        )
        [out] = await invoke.process(StreamRecord(json.dumps({"name": "Ada"})))
        assert json.loads(out.value())["answer"] == "Hello Ada"
        assert server.requests[-1][1] == {"input": {"name": "Ada"}}
        stream = await start(
            "langserve-invoke",
            {
                "url": server.url + "/chain/stream",
                "output-field": "value.answer",
                "stream-to-topic": "answers",
                "stream-response-field": "value",
                "min-chunks-per-message": 2,
                "fields": fields,
            },
            context=context,
        )
        [out] = await stream.process(StreamRecord(json.dumps({"name": "Bob"})))
        await invoke.close()
        await stream.close()
    assert json.loads(out.value())["answer"] == "Hello there Bob!"
    chunks = [record for _, record in context.producer.written]
    assert [c.value() for c in chunks] == ["Hello", " there ", "Bob!", ""]
    assert [dict(c.headers())["stream-last-message"] for c in chunks] == [
        "false",
        "false",
        "false",
        "true",
    ]


@pytest.mark.parametrize(
    ("agent_type", "config", "message"),
    [
        ("http-request", {"url": "ftp://x", "output-field": "value"}, "http://"),
        (
            "http-request",
            {"url": "http://x", "output-field": "value", "method": "FETCH"},
            "GET, POST",
        ),
        ("http-request", {"url": "http://x", "output-field": "value", "headers": ["a"]}, "map"),
        (
            "http-request",
            {"url": "http://x", "output-field": "value", "body": "{{#a}}"},
            "Mustache",
        ),
        (
            "langserve-invoke",
            {"url": "http://x/run", "output-field": "value"},
            "/invoke or /stream",
        ),
        (
            "langserve-invoke",
            {"url": "http://x/invoke", "output-field": "value", "fields": [{"name": "a"}]},
            "expression",
        ),
    ],
)
def test_bad_configuration(agent_type: str, config: dict, message: str) -> None:
    with pytest.raises(AgentConfigError, match=message):
        configure(agent_type, config)
