"""Checks on gateways.yaml: ModelBuilder.validateGateway plus what the API gateway needs.

From LangStream: ids and types required; each type accepts only its own options block;
chat needs chat-options questions-topic and answers-topic and no `topic`; service needs
service-options with agent-id or input-topic + output-topic (not both); header
comparisons take exactly one of value, value-from-parameters, value-from-authentication.
From the API gateway at run time: produce/consume requests may only pass the declared
`parameters` (chat adds its header parameters itself); authentication providers are
google, github, http and jwt, whose configurations are read strictly (unknown keys fail).
We add: unique ids, and topics that exist in the application.
"""

from __future__ import annotations

from kernel_runtime.manifest.graph import Graph
from kernel_runtime.manifest.models.application import Application
from kernel_runtime.manifest.models.gateways import GATEWAY_TYPES, Gateway, KeyValueComparison
from kernel_runtime.manifest.placeholders import PlaceholderResolver
from kernel_runtime.manifest.problems import NodePath, ProblemSink, did_you_mean, suggestion

FILE = "gateways.yaml"

# provider -> (accepted configuration keys, required keys as alternatives of spellings)
AUTH_PROVIDERS: dict[str, tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = {
    "google": (("clientId",), (("clientId",),)),
    "github": (("clientId",), ()),
    "http": (
        (
            "baseUrl", "base-url", "baseurl", "pathTemplate", "path-template", "pathtemplate",
            "headers", "acceptedStatuses", "accepted-statuses", "acceptedstatuses",
        ),
        (("baseUrl", "base-url", "baseurl"), ("pathTemplate", "path-template", "pathtemplate")),
    ),
    "jwt": (
        (
            "secretKey", "publicKey", "authClaim", "publicAlg", "audienceClaim", "audience",
            "adminRoles", "jwksHostsAllowlist",
        ),
        (),
    ),
}  # fmt: skip

OPTION_BLOCKS = {
    "produce": "produce_options",
    "consume": "consume_options",
    "chat": "chat_options",
    "service": "service_options",
}
OPTION_KEYS = {
    "produce_options": "produce-options",
    "consume_options": "consume-options",
    "chat_options": "chat-options",
    "service_options": "service-options",
}


class _TopicCheck:
    """Is a gateway topic one of the application's topics (as written or once resolved)?"""

    def __init__(self, app: Application, graph: Graph) -> None:
        self.names = set(graph.topics)
        resolver = PlaceholderResolver(app.placeholder_context(), lambda issue: None)
        self.resolve = resolver.as_string
        self.resolved = {self.resolve(name) for name in self.names}

    def __call__(
        self, gateway_index: int, key: NodePath, name: str | None, sink: ProblemSink
    ) -> None:
        if name is None or name in self.names or sink.unreadable:
            return
        resolved = self.resolve(name)
        if resolved is not None and resolved in self.resolved:
            return
        close = did_you_mean(name, self.names)
        sink.error(
            FILE,
            ("gateways", gateway_index, *key),
            f"topic '{name}' is not a topic of the application",
            f"did you mean '{close}'?"
            if close
            else "declare it under `topics:` in a pipeline file",
        )


def _check_comparisons(
    items: list[KeyValueComparison] | None,
    path: NodePath,
    parameters: list[str] | None,
    check_parameters: bool,
    sink: ProblemSink,
) -> None:
    for i, item in enumerate(items or []):
        where = (*path, i)
        given = [
            name
            for name, value in (
                ("value", item.value),
                ("value-from-parameters", item.value_from_parameters),
                ("value-from-authentication", item.value_from_authentication),
            )
            if value is not None
        ]
        if not given:
            sink.error(
                FILE,
                where,
                "must specify one of value, value-from-parameters, or value-from-authentication",
                "add one of them",
            )
            continue
        if len(given) > 1:
            sink.error(
                FILE, where, f"cannot specify both {given[0]} and {given[1]}", "keep only one"
            )
        for name in given:
            value = getattr(item, name.replace("-", "_"))
            if not str(value).strip():
                sink.error(FILE, (*where, name), f"'{name}' cannot be blank for filter", None)
        if (
            check_parameters
            and item.value_from_parameters is not None
            and item.value_from_parameters not in (parameters or [])
        ):
            sink.error(
                FILE,
                (*where, "value-from-parameters"),
                f"parameter '{item.value_from_parameters}' is not declared in the gateway's "
                "parameters",
                suggestion(item.value_from_parameters, parameters or [], what="a parameter")
                or f"add it under `parameters:` (- {item.value_from_parameters})",
            )


def _check_authentication(gateway: Gateway, path: NodePath, sink: ProblemSink) -> None:
    auth = gateway.authentication
    if auth is None:
        return
    if auth.provider not in AUTH_PROVIDERS:
        sink.error(
            FILE,
            (*path, "authentication", "provider"),
            f"unknown authentication provider '{auth.provider}'",
            suggestion(auth.provider or "", AUTH_PROVIDERS, what="a provider"),
        )
        return
    accepted, required = AUTH_PROVIDERS[auth.provider]
    config = auth.configuration or {}
    for key in config:
        if key not in accepted:
            sink.error(
                FILE,
                (*path, "authentication", "configuration", key),
                f"unknown configuration key '{key}' for {auth.provider} authentication",
                suggestion(key, accepted, what="a key"),
            )
    for spellings in required:
        if not any(config.get(s) is not None for s in spellings):
            sink.error(
                FILE,
                (*path, "authentication", "configuration"),
                f"{auth.provider} authentication needs configuration '{spellings[0]}'",
                f"add `{spellings[0]}:` under authentication.configuration",
            )


def _check_type_rules(
    app: Application, graph: Graph, gateway: Gateway, i: int, topic: _TopicCheck, sink: ProblemSink
) -> None:
    path: NodePath = ("gateways", i)
    kind = gateway.type
    own = OPTION_BLOCKS[kind]  # type: ignore[index]
    for block, key in OPTION_KEYS.items():
        if block != own and getattr(gateway, block) is not None:
            sink.error(
                FILE,
                (*path, key),
                f"gateway of type '{kind}' cannot have {key}",
                f"remove it, or use {OPTION_KEYS[own]}",
            )
    if kind in ("produce", "consume"):
        if gateway.topic is None:
            sink.error(FILE, path, f"gateway of type '{kind}' needs a topic", "add `topic:`")
        topic(i, ("topic",), gateway.topic, sink)
        headers = (
            gateway.produce_options.headers
            if kind == "produce" and gateway.produce_options
            else gateway.consume_options.filters.headers
            if kind == "consume" and gateway.consume_options and gateway.consume_options.filters
            else None
        )
        block_path = (
            (*path, "produce-options", "headers")
            if kind == "produce"
            else (*path, "consume-options", "filters", "headers")
        )
        _check_comparisons(headers, block_path, gateway.parameters, True, sink)
    elif kind == "chat":
        if gateway.topic is not None:
            sink.error(
                FILE,
                (*path, "topic"),
                "gateway of type 'chat' cannot have topic",
                "use chat-options.questions-topic and chat-options.answers-topic instead",
            )
        options = gateway.chat_options
        if options is None:
            sink.error(FILE, path, "gateway of type 'chat' must have chat-options", None)
            return
        for key, name in (
            ("answers-topic", options.answers_topic),
            ("questions-topic", options.questions_topic),
        ):
            if name is None:
                sink.error(
                    FILE,
                    (*path, "chat-options"),
                    f"gateway of type 'chat' must have chat-options.{key}",
                    f"add `{key}:`",
                )
            topic(i, ("chat-options", key), name, sink)
        _check_comparisons(options.headers, (*path, "chat-options", "headers"), None, False, sink)
    elif kind == "service":
        _check_service(gateway, i, graph, topic, sink)


def _check_service(
    gateway: Gateway, i: int, graph: Graph, topic: _TopicCheck, sink: ProblemSink
) -> None:
    path: NodePath = ("gateways", i, "service-options")
    options = gateway.service_options
    if options is None:
        sink.error(FILE, path[:-1], "gateway of type 'service' must have service-options", None)
        return
    if options.agent_id is None:
        for key, name in (
            ("input-topic", options.input_topic),
            ("output-topic", options.output_topic),
        ):
            if name is None:
                sink.error(
                    FILE,
                    path,
                    f"gateway of type 'service' must have service-options.{key}",
                    "add it, or name a service agent with `agent-id:`",
                )
            topic(i, ("service-options", key), name, sink)
    else:
        if options.input_topic is not None or options.output_topic is not None:
            sink.error(
                FILE,
                path,
                "gateway of type 'service' with service-options.agent-id must not include "
                "service-options.input-topic and service-options.output-topic",
                "keep agent-id, or the two topics",
            )
        agents = {a.id: a for a in graph.agents}
        agent = agents.get(options.agent_id)
        services = [a.id for a in graph.agents if a.component == "service"]
        if (agent is None and not sink.unreadable) or (
            agent is not None and agent.component not in ("service", None)
        ):
            sink.error(
                FILE,
                (*path, "agent-id"),
                f"agent '{options.agent_id}' is not a service agent of the application",
                suggestion(options.agent_id, services, what="a service agent")
                or "add a python-service agent with this id",
            )
    _check_comparisons(options.headers, (*path, "headers"), gateway.parameters, False, sink)


def check_gateways(app: Application, graph: Graph, sink: ProblemSink) -> None:
    topic = _TopicCheck(app, graph)
    seen: dict[str, int] = {}
    for i, gateway in enumerate(app.gateways):
        path: NodePath = ("gateways", i)
        if not (gateway.id or "").strip():
            sink.error(FILE, path, "gateway id is required", "add `id:`")
        elif gateway.id in seen:
            sink.error(
                FILE,
                (*path, "id"),
                f"gateway id '{gateway.id}' is used twice (also gateways[{seen[gateway.id]}])",
                "give each gateway its own id",
            )
        else:
            seen[gateway.id] = i
        if gateway.type is None:
            sink.error(FILE, path, "gateway type is required", suggestion("", GATEWAY_TYPES))
        elif gateway.type not in GATEWAY_TYPES:
            sink.error(
                FILE,
                (*path, "type"),
                f"unknown gateway type '{gateway.type}'",
                suggestion(gateway.type, GATEWAY_TYPES),
            )
        else:
            _check_type_rules(app, graph, gateway, i, topic, sink)
        if gateway.events_topic is not None:
            topic(i, ("events-topic",), gateway.events_topic, sink)
        _check_authentication(gateway, path, sink)
