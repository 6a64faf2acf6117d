"""The few Kubernetes REST calls deploy needs, sent through the official client's connection.

We call the REST paths ourselves instead of the typed APIs because server-side apply and
dry run are the same PATCH for every kind (`application/apply-patch+yaml`, `?dryRun=All`),
custom resources (LangStream's Application) included, and because the typed methods differ
between client versions. TLS, client certificates, tokens and proxies come from the
client's Configuration, as kubeconfig set them. Errors become KubeError with the API
server's Status message, or DeployError when the server cannot be reached.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import urllib3
from kubernetes import client

from ls_workbench.deploy.errors import DeployError

# apiVersion, kind -> (plural, namespaced)
KINDS: dict[tuple[str, str], tuple[str, bool]] = {
    ("v1", "Namespace"): ("namespaces", False),
    ("v1", "Secret"): ("secrets", True),
    ("v1", "ConfigMap"): ("configmaps", True),
    ("v1", "Service"): ("services", True),
    ("v1", "PersistentVolumeClaim"): ("persistentvolumeclaims", True),
    ("v1", "Pod"): ("pods", True),
    ("apps/v1", "StatefulSet"): ("statefulsets", True),
    ("apps/v1", "Deployment"): ("deployments", True),
    ("langstream.ai/v1alpha1", "Application"): ("applications", True),
}
REQUEST_TIMEOUT = 30.0


@dataclass(frozen=True)
class ObjectRef:
    """Which object: kind, name and namespace (None for cluster objects)."""

    api_version: str
    kind: str
    name: str
    namespace: str | None

    @classmethod
    def of(cls, manifest: dict[str, Any]) -> ObjectRef:
        meta = manifest.get("metadata") or {}
        return cls(manifest["apiVersion"], manifest["kind"], meta["name"], meta.get("namespace"))

    def __str__(self) -> str:
        where = f" in namespace {self.namespace}" if self.namespace else ""
        return f"{self.kind} {self.name}{where}"

    def collection_path(self, namespace: str | None = None) -> str:
        try:
            plural, namespaced = KINDS[(self.api_version, self.kind)]
        except KeyError:
            raise DeployError(f"{self}: kind {self.api_version}/{self.kind} is not known") from None
        base = "/api/v1" if self.api_version == "v1" else f"/apis/{self.api_version}"
        namespace = namespace if namespace is not None else self.namespace
        if namespaced:
            return f"{base}/namespaces/{quote(namespace or 'default')}/{plural}"
        return f"{base}/{plural}"

    @property
    def path(self) -> str:
        return f"{self.collection_path()}/{quote(self.name)}"


class KubeError(Exception):
    """The API server answered with an error Status."""

    def __init__(self, status: int, reason: str, message: str, details: dict | None = None):
        self.status = status
        self.reason = reason
        self.message = message
        self.details = details or {}
        super().__init__(f"{status} {reason}: {message}")

    def causes(self) -> list[str]:
        """`field: message` of each cause a 422 Invalid lists."""
        return [
            f"{cause.get('field', '?')}: {cause.get('message', '')}"
            for cause in self.details.get("causes") or []
        ]


class KubeHttp:
    """Sends JSON to the API server the ApiClient points at and decodes its answers."""

    def __init__(self, api_client: client.ApiClient, timeout: float = REQUEST_TIMEOUT) -> None:
        self.api_client = api_client
        self.configuration = api_client.configuration
        self.timeout = timeout

    @property
    def host(self) -> str:
        return self.configuration.host

    def _headers(self, content_type: str | None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        for setting in (self.configuration.auth_settings() or {}).values():
            if setting.get("in") == "header" and setting.get("value"):
                headers[setting["key"]] = setting["value"]
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        body: Any = None,
        content_type: str | None = None,
    ) -> dict[str, Any]:
        """The decoded answer; raises KubeError for an error status, DeployError when the
        server cannot be reached."""
        url = self.host.rstrip("/") + path + (f"?{urlencode(query)}" if query else "")
        if body is not None and content_type is None:
            content_type = "application/json"
        try:
            response = self.api_client.rest_client.request(
                method,
                url,
                headers=self._headers(content_type),
                body=body,
                _request_timeout=self.timeout,
            )
            status = response.status
            data = response.data if response.data is not None else response.read()
        except client.ApiException as error:  # older clients raise on error statuses
            status, data = error.status, error.body
        except urllib3.exceptions.HTTPError as error:
            raise DeployError(
                f"cannot reach the Kubernetes API server at {self.host}: {error}",
                ["check the kubeconfig context and that the cluster is running"],
            ) from error
        decoded = _decode(data)
        if status >= 400 or status == 0:
            raise KubeError(
                status,
                str(decoded.get("reason") or "Error"),
                str(decoded.get("message") or data or "no message"),
                decoded.get("details"),
            )
        return decoded


def _decode(data: bytes | str | None) -> dict[str, Any]:
    if not data:
        return {}
    try:
        decoded = json.loads(data)
    except ValueError:
        return {"message": data.decode(errors="replace") if isinstance(data, bytes) else data}
    return decoded if isinstance(decoded, dict) else {"items": decoded}
