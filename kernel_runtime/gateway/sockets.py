"""The WebSocket endpoints: produce, consume and chat sessions.

consume: pushes the topic's records (from `option:position`) that pass
`consume-options.filters.headers`; messages from the client are ignored, as in LangStream.

chat: one socket, two topics. Messages from the client are produced to `questions-topic` with
`chat-options.headers` set (and acknowledged); records of `answers-topic` whose headers match
those same mappings are pushed back, so each user/session sees only its own answers.
"""

from __future__ import annotations

from collections.abc import Awaitable

from kernel_runtime.gateway.consume import TopicReader
from kernel_runtime.gateway.headers import common_headers, header_filter
from kernel_runtime.gateway.produce import GatewayProducer, ProduceSession
from kernel_runtime.gateway.websocket import GatewaySocket


class ConsumeSocket(GatewaySocket):
    """/v1/consume/{tenant}/{application}/{gateway}"""

    kind = "consume"
    reader: TopicReader | None = None

    async def setup(self) -> None:
        request = self.gateway_request
        options = request.gateway.consume_options
        mappings = options.filters.headers if options and options.filters else None
        self.reader = TopicReader(
            request.served.broker,
            request.gateway.topic or "",
            request.options.get("position", "latest"),
            header_filter(mappings, request),
        )
        await self.reader.open()

    def started(self) -> None:
        self.spawn(self.pump(self.reader))

    def on_message(self, message: str | bytes) -> None:
        self.refuse_binary(message)  # text is ignored, as in LangStream

    async def teardown(self) -> None:
        if self.reader is not None:
            await self.reader.close()


class ChatSocket(GatewaySocket):
    """/v1/chat/{tenant}/{application}/{gateway}"""

    kind = "chat"
    reader: TopicReader | None = None
    session: ProduceSession | None = None

    async def setup(self) -> None:
        request = self.gateway_request
        options = request.gateway.chat_options
        assert options is not None  # validated with the application
        self.producer = GatewayProducer(
            request.served, options.questions_topic or "", common_headers(options.headers, request)
        )
        self.reader = TopicReader(
            request.served.broker,
            options.answers_topic or "",
            request.options.get("position", "latest"),
            header_filter(options.headers, request),
        )
        await self.reader.open()

    def started(self) -> None:
        self.session = ProduceSession(self.producer, self.send)
        self.spawn(self.pump(self.reader))

    def on_message(self, message: str | bytes) -> Awaitable[None] | None:
        if self.session is not None and not self.refuse_binary(message):
            return self.session.submit(message)
        return None

    async def teardown(self) -> None:
        if self.session is not None:
            await self.session.close()
        if self.reader is not None:
            await self.reader.close()


class ProduceSocket(GatewaySocket):
    """/v1/produce/{tenant}/{application}/{gateway}"""

    kind = "produce"
    session: ProduceSession | None = None

    async def setup(self) -> None:
        request = self.gateway_request
        options = request.gateway.produce_options
        self.producer = GatewayProducer(
            request.served,
            request.gateway.topic or "",
            common_headers(options.headers if options else None, request),
        )

    def started(self) -> None:
        self.session = ProduceSession(self.producer, self.send)

    def on_message(self, message: str | bytes) -> Awaitable[None] | None:
        if self.session is not None and not self.refuse_binary(message):
            return self.session.submit(message)
        return None

    async def teardown(self) -> None:
        if self.session is not None:
            await self.session.close()
