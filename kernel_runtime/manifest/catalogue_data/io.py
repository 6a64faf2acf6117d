"""Sources, sinks and HTTP agents.

s3-source, azure-blob-storage-source, webcrawler-source, camel-source, http-request and
langserve-invoke are always composable and reject unknown keys. The Kafka Connect
agents ``sink`` / ``source`` (KafkaConnectAgentsProvider) are not composable and accept
any key: everything is handed to the connector.
"""

from __future__ import annotations

from ._model import AgentType, agent, f

_POLL = "Seconds to sleep after polling for new files."
_EXTENSIONS = "Comma separated file extensions to read."
_EXT_DEFAULT = "pdf,docx,html,htm,md,txt"
_STATE = "Crawler state storage on S3:"

IO_AGENTS: list[AgentType] = [
    agent(
        "s3-source",
        "source",
        "Reads objects from an S3 (or MinIO) bucket.",
        composable=True,
        fields=[
            f("bucketName", "string", "Bucket to read from.", default="langstream-source"),
            f(
                "endpoint",
                "string",
                "S3 endpoint URL.",
                default="http://minio-endpoint.-not-set:9090",
            ),
            f("access-key", "string", "S3 access key.", default="minioadmin"),
            f("secret-key", "string", "S3 secret key.", default="minioadmin"),
            f("region", "string", "S3 region."),
            f("idle-time", "integer", _POLL, default=5),
            f("file-extensions", "string", _EXTENSIONS, default=_EXT_DEFAULT),
        ],
    ),
    agent(
        "azure-blob-storage-source",
        "source",
        "Reads blobs from an Azure Blob Storage container.",
        composable=True,
        fields=[
            f("container", "string", "Container to read from.", default="langstream-azure-source"),
            f(
                "endpoint",
                "string",
                "Endpoint, usually https://<account>.blob.core.windows.net.",
                required=True,
            ),
            f("sas-token", "string", "SAS token (else account name and key are needed)."),
            f("storage-account-name", "string", "Storage account name."),
            f("storage-account-key", "string", "Storage account key."),
            f("storage-account-connection-string", "string", "Storage account connection string."),
            f("idle-time", "integer", _POLL, default=5),
            f("file-extensions", "string", _EXTENSIONS, default=_EXT_DEFAULT),
        ],
    ),
    agent(
        "webcrawler-source",
        "source",
        "Crawls a web site and emits the content of its pages.",
        composable=True,
        fields=[
            f(
                "state-storage",
                "string",
                "Where to keep the crawler state: 's3' or 'disk'.",
                default="s3",
            ),
            f("bucketName", "string", f"{_STATE} bucket.", default="langstream-source"),
            f(
                "endpoint",
                "string",
                f"{_STATE} endpoint.",
                default="http://minio-endpoint.-not-set:9090",
            ),
            f("access-key", "string", f"{_STATE} access key.", default="minioadmin"),
            f("secret-key", "string", f"{_STATE} secret key.", default="minioadmin"),
            f("region", "string", f"{_STATE} region."),
            f("allowed-domains", "array", "Domains the crawler may visit."),
            f("forbidden-paths", "array", "Paths the crawler must not visit."),
            f("max-urls", "integer", "Maximum number of URLs to crawl.", default=1000),
            f("max-depth", "integer", "Maximum crawl depth.", default=50),
            f("handle-robots-file", "boolean", "Honour robots.txt.", default=True),
            f("scan-html-documents", "boolean", "Follow links found in HTML pages.", default=True),
            f(
                "allow-non-html-contents",
                "boolean",
                "Also emit non-HTML documents (e.g. PDF).",
                default=False,
            ),
            f("seed-urls", "array", "Start URLs of the crawl."),
            f(
                "reindex-interval-seconds",
                "integer",
                "Seconds between re-crawls of a page.",
                default=86400,
            ),
            f(
                "max-unflushed-pages",
                "integer",
                "Pages crawled before the state is persisted.",
                default=100,
            ),
            f(
                "min-time-between-requests",
                "integer",
                "Minimum milliseconds between two requests to one domain.",
                default=500,
            ),
            f(
                "user-agent",
                "string",
                "User-Agent header of the requests.",
                default="Mozilla/5.0 (compatible; LangStream.ai/0.1; +https://langstream.ai)",
            ),
            f("max-error-count", "integer", "Errors tolerated before stopping.", default=5),
            f("http-timeout", "integer", "HTTP request timeout in milliseconds.", default=10000),
            f("handle-cookies", "boolean", "Handle cookies.", default=True),
        ],
    ),
    agent(
        "camel-source",
        "source",
        "Uses an Apache Camel component as a source.",
        composable=True,
        fields=[
            f("component-uri", "string", "Camel URI of the source component.", required=True),
            f("component-options", "object", "Extra component parameters (URL-encoded for you)."),
            f("max-buffered-records", "integer", "Maximum records to buffer.", default=100),
            f("key-header", "string", "Camel header to use as the record key."),
        ],
    ),
    agent(
        "sink",
        "sink",
        "Runs a Kafka Connect sink connector.",
        composable=False,
        allow_unknown=True,
        fields=[
            f("connector.class", "string", "Java class of the Kafka Connect sink.", required=True),
        ],
    ),
    agent(
        "source",
        "source",
        "Runs a Kafka Connect source connector.",
        composable=False,
        allow_unknown=True,
        fields=[
            f(
                "connector.class",
                "string",
                "Java class of the Kafka Connect source.",
                required=True,
            ),
        ],
    ),
    agent(
        "http-request",
        "processor",
        "Enriches the record with the result of an HTTP request.",
        composable=True,
        fields=[
            f("url", "string", "Request URL (query parameters go in query-string).", required=True),
            f("output-field", "string", "Field to store the response in.", required=True),
            f("method", "string", "HTTP method.", default="GET"),
            f("headers", "object", "Request headers (Mustache templates)."),
            f("query-string", "object", "Query parameters (Mustache templates, escaped)."),
            f("body", "string", "Request body (Mustache template)."),
            f("allow-redirects", "boolean", "Follow redirects.", default=True),
            f("handle-cookies", "boolean", "Handle cookies during redirects.", default=True),
        ],
    ),
    agent(
        "langserve-invoke",
        "processor",
        "Invokes a LangServe application (URL ending in /invoke or /stream).",
        composable=True,
        fields=[
            f("url", "string", "LangServe URL, ending in /invoke or /stream.", required=True),
            f(
                "output-field",
                "string",
                "Field to store the result in.",
                required=True,
                default="value",
            ),
            f("content-field", "string", "Response field used as the content.", default="content"),
            f("stream-to-topic", "string", "Topic to stream partial results to."),
            f("stream-response-field", "string", "Field for the result in streamed records."),
            f(
                "min-chunks-per-message",
                "integer",
                "Minimum chunks per message sent to stream-to-topic.",
                default=20,
            ),
            f("debug", "boolean", "Enable debug output."),
            f("method", "string", "HTTP method.", default="POST"),
            f("headers", "object", "Request headers (Mustache templates)."),
            f("allow-redirects", "boolean", "Follow redirects.", default=True),
            f("handle-cookies", "boolean", "Handle cookies during redirects.", default=True),
            f("fields", "array", "List of {name, expression} building the request input."),
        ],
    ),
]
