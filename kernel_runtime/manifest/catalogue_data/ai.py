"""GenAI toolkit agents, re-rank and flare-controller.

GenAI toolkit (GenAIToolKitFunctionAgentProvider, models in
langstream-core/.../impl/agents/ai/steps/*Configuration.java): all PROCESSOR; composability
is decided per agent by its ``composable`` key (default true) in the Kubernetes runtime;
unknown keys are rejected. re-rank and flare-controller come from their own providers
(always composable, unknown keys rejected).
"""

from __future__ import annotations

from ._model import AgentType, ConfigField, agent, f


def _genai_base() -> list[ConfigField]:
    # BaseGenAIStepConfiguration: inherited by every toolkit step model
    return [
        f(
            "composable",
            "boolean",
            "Whether this step may be fused with its neighbours.",
            default=True,
        ),
        f("when", "string", "EL condition; the step runs only when it is true."),
    ]


_PART = "For KeyValue records: apply to 'key' or 'value' (both when empty)."
_AI_SERVICE = "Id of the AI service resource to use when several are configured."
_PASSED = "Completion request parameter, passed to the AI service as is."


def _completion_fields() -> list[ConfigField]:
    # fields shared by AIChatCompletionsConfiguration and AITextCompletionsConfiguration
    return [
        f("stream-to-topic", "string", "Topic to stream partial results to, in small chunks."),
        f(
            "stream-response-completion-field",
            "string",
            "Field for the completion in records sent to stream-to-topic.",
        ),
        f(
            "min-chunks-per-message",
            "integer",
            "Minimum chunks per message sent to stream-to-topic (doubles up to this).",
            default=20,
        ),
        f("completion-field", "string", "Field for the completion in the output record."),
        f("stream", "boolean", "Enable streaming; use with stream-to-topic.", default=True),
        f("log-field", "string", "Field to store a debug log of the completion request."),
        f("max-tokens", "integer", _PASSED),
        f("temperature", "number", _PASSED),
        f("top-p", "number", _PASSED),
        f("logit-bias", "object", _PASSED),
    ]


def _completion_tail() -> list[ConfigField]:
    return [
        f("user", "string", _PASSED),
        f("stop", "array", _PASSED),
        f("presence-penalty", "number", _PASSED),
        f("frequency-penalty", "number", _PASSED),
        f("ai-service", "string", _AI_SERVICE),
        f("options", "object", "Extra model options; structure depends on the AI provider."),
    ]


def query_fields() -> list[ConfigField]:
    # QueryConfiguration (also the model of query-vector-db)
    return [
        *_genai_base(),
        f("query", "string", "Query to run against the datasource.", required=True),
        f("loop-over", "string", "EL expression of a list of maps to run the query for each item."),
        f("fields", "array", "EL expressions of record fields used as query parameters."),
        f("output-field", "string", "Field to store the query result in.", required=True),
        f("only-first", "boolean", "Store only the first result row.", default=False),
        f("datasource", "string", "Id of a datasource resource of the application.", required=True),
        f(
            "mode",
            "string",
            "'query' returns rows, 'execute' returns affected rows.",
            default="query",
        ),
        f("generated-keys", "array", "Fields to return as generated keys (database dependent)."),
    ]


GENAI_AGENTS: list[AgentType] = [
    agent(
        "drop-fields",
        "processor",
        "Drops fields from the record.",
        composable=True,
        fields=[
            *_genai_base(),
            f("fields", "array", "Fields to drop from the input record.", required=True),
            f("part", "string", "Part to drop from: 'value' or 'key'."),
        ],
    ),
    agent(
        "merge-key-value",
        "processor",
        "Merges the key fields into the value of a KeyValue record (AVRO/JSON).",
        composable=True,
        fields=_genai_base(),
    ),
    agent(
        "unwrap-key-value",
        "processor",
        "Makes the key or the value of a KeyValue record the record value.",
        composable=True,
        fields=[
            *_genai_base(),
            f("unwrapKey", "boolean", "Unwrap the key instead of the value.", default=False),
        ],
    ),
    agent(
        "cast",
        "processor",
        "Converts the record to a compatible target schema type.",
        composable=True,
        fields=[
            *_genai_base(),
            f("schema-type", "string", "Target schema type.", required=True),
            f("part", "string", _PART),
        ],
    ),
    agent(
        "flatten",
        "processor",
        "Flattens nested structured data into a single level.",
        composable=True,
        fields=[
            *_genai_base(),
            f("delimiter", "string", "Separator used to join nested field names.", default="_"),
            f("part", "string", _PART),
        ],
    ),
    agent(
        "drop",
        "processor",
        "Drops the record (use with 'when' to drop selectively).",
        composable=True,
        fields=_genai_base(),
    ),
    agent(
        "compute",
        "processor",
        "Computes fields, values or properties from EL expressions.",
        composable=True,
        fields=[
            *_genai_base(),
            f(
                "fields",
                "array",
                "List of {name, expression, type?, optional?} describing the computed fields.",
                required=True,
            ),
        ],
    ),
    agent(
        "compute-ai-embeddings",
        "processor",
        "Computes embeddings of a text and stores them in a field.",
        composable=True,
        fields=[
            *_genai_base(),
            f(
                "model",
                "string",
                "Embedding model, available in the AI service.",
                default="text-embedding-ada-002",
            ),
            f("text", "string", "Text to embed (Mustache template).", required=True),
            f("embeddings-field", "string", "Field to store the embeddings in.", required=True),
            f("loop-over", "string", "Run over a list of documents."),
            f("batch-size", "integer", "Batch size of embedding requests.", default=10),
            f(
                "concurrency",
                "integer",
                "Maximum concurrent requests to the AI service.",
                default=4,
            ),
            f(
                "flush-interval",
                "integer",
                "Batch flush interval (0 disables flushing).",
                default=0,
            ),
            f("ai-service", "string", _AI_SERVICE),
            f("options", "object", "Extra options for the AI service (HuggingFace only)."),
            f("arguments", "object", "Extra arguments for the AI service (HuggingFace only)."),
            f("model-url", "string", "URL of the model (HuggingFace only)."),
        ],
    ),
    agent(
        "query",
        "processor",
        "Runs a query (or vector search) against a datasource.",
        composable=True,
        fields=query_fields(),
    ),
    agent(
        "ai-chat-completions",
        "processor",
        "Sends chat messages to the AI service and stores the completion.",
        composable=True,
        fields=[
            *_genai_base(),
            f("model", "string", "Chat model, available in the AI service.", required=True),
            f(
                "messages",
                "array",
                "List of {role?, content} messages (content is a Mustache template).",
                required=True,
            ),
            *_completion_fields(),
            *_completion_tail(),
        ],
    ),
    agent(
        "ai-text-completions",
        "processor",
        "Sends a prompt to the AI service and stores the text completion.",
        composable=True,
        fields=[
            *_genai_base(),
            f("model", "string", "Text model, available in the AI service.", required=True),
            f("prompt", "array", "Prompt lines (Mustache templates).", required=True),
            *_completion_fields(),
            f("logprobs-field", "string", "Field to store the log probabilities in."),
            f("logprobs", "string", "Logprobs request parameter (OpenAI only)."),
            *_completion_tail(),
        ],
    ),
]

OTHER_AI_AGENTS: list[AgentType] = [
    agent(
        "re-rank",
        "processor",
        "Re-ranks a list of documents against a query.",
        composable=True,
        fields=[
            f("field", "string", "Field holding the documents to sort.", required=True),
            f("output-field", "string", "Field for the result (may equal 'field').", required=True),
            f("algorithm", "string", "Re-ranking algorithm: 'none' or 'MMR'.", default="none"),
            f("query-embeddings", "string", "Field holding the embeddings of the query."),
            f("query-text", "string", "Field holding the text of the query."),
            f("embeddings-field", "string", "Field of each document holding its embeddings."),
            f("text-field", "string", "Field of each document holding its text."),
            f("max", "integer", "Maximum number of documents to keep.", default=100),
            f("lambda", "number", "MMR parameter.", default=0.5),
            f("k1", "number", "BM25 parameter.", default=1.5),
            f("b", "number", "BM25 parameter.", default=0.75),
        ],
    ),
    agent(
        "flare-controller",
        "processor",
        "FLARE pattern: asks for more documents when the completion is uncertain.",
        composable=True,
        fields=[
            f(
                "tokens-field",
                "string",
                "Field with the tokens of a text completion.",
                required=True,
            ),
            f(
                "logprobs-field",
                "string",
                "Field with the token logprobs of a text completion.",
                required=True,
            ),
            f(
                "loop-topic",
                "string",
                "Topic to send the record to for more documents.",
                required=True,
            ),
            f(
                "retrieve-documents-field",
                "string",
                "Field set to request the retrieval of more documents.",
                required=True,
            ),
        ],
    ),
]
