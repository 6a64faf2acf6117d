"""`gateways.yaml`: the application's produce, consume, chat and service endpoints.

Mirrors LangStream's `ai.langstream.api.model.Gateway`. Jackson accepts both spellings where
the Java model has a `@JsonAlias`: `produceOptions`/`produce-options`,
`consumeOptions`/`consume-options`, `valueFromParameters`/`value-from-parameters`,
`valueFromAuthentication`/`value-from-authentication`; `chat-options`, `service-options`,
`events-topic` and `allow-test-mode` have one spelling only. We write the dashed ones.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field

from kernel_runtime.manifest.models.base import LsModel

GATEWAY_TYPES = ("produce", "consume", "chat", "service")


def _either(primary: str, dashed: str) -> Any:
    return Field(None, validation_alias=AliasChoices(primary, dashed), serialization_alias=dashed)


class KeyValueComparison(LsModel):
    """A header to set (produce) or to match (consume filters): one value source of three."""

    key: str | None = None
    value: str | None = None
    value_from_parameters: str | None = _either("valueFromParameters", "value-from-parameters")
    value_from_authentication: str | None = _either(
        "valueFromAuthentication", "value-from-authentication"
    )

    @property
    def effective_key(self) -> str | None:
        """LangStream defaults a missing key to the value (or parameter/auth field) name."""
        if self.key is not None:
            return self.key
        return self.value or self.value_from_parameters or self.value_from_authentication


class ProduceOptions(LsModel):
    headers: list[KeyValueComparison] | None = None


class ConsumeOptionsFilters(LsModel):
    headers: list[KeyValueComparison] | None = None


class ConsumeOptions(LsModel):
    filters: ConsumeOptionsFilters | None = None


class ChatOptions(LsModel):
    questions_topic: str | None = Field(None, alias="questions-topic")
    answers_topic: str | None = Field(None, alias="answers-topic")
    headers: list[KeyValueComparison] | None = None


class ServiceOptions(LsModel):
    agent_id: str | None = Field(None, alias="agent-id")
    input_topic: str | None = Field(None, alias="input-topic")
    output_topic: str | None = Field(None, alias="output-topic")
    headers: list[KeyValueComparison] | None = None


class Authentication(LsModel):
    provider: str | None = None
    configuration: dict[str, Any] | None = None
    allow_test_mode: bool = Field(True, alias="allow-test-mode")


class Gateway(LsModel):
    """One gateway; `type` is produce, consume, chat or service."""

    id: str | None = None
    type: str | None = None
    topic: str | None = None
    authentication: Authentication | None = None
    parameters: list[str] | None = None
    produce_options: ProduceOptions | None = _either("produceOptions", "produce-options")
    consume_options: ConsumeOptions | None = _either("consumeOptions", "consume-options")
    chat_options: ChatOptions | None = Field(None, alias="chat-options")
    service_options: ServiceOptions | None = Field(None, alias="service-options")
    events_topic: str | None = Field(None, alias="events-topic")


class GatewaysFile(LsModel):
    """The whole gateways.yaml: one `gateways:` list."""

    gateways: list[Gateway] | None = None
