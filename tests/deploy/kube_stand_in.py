"""A Kubernetes API server stand-in on loopback, for the deploy tests.

No real API server can be installed on this machine (none ships in the package registries
it reaches), so this Tornado app serves the part of the Kubernetes REST protocol deploy
uses, with the API server's rules for it:

* `PATCH <object path>` with `Content-Type: application/apply-patch+yaml` is server-side
  apply: it creates the object or replaces the fields the manager applies; `?dryRun=All`
  answers the same without storing; an apply that changes nothing keeps the
  resourceVersion; `metadata.generation` moves when `spec` changes;
* objects in a namespace that does not exist are refused with 404, as the API server does;
* bodies are checked against the Kubernetes OpenAPI schema (kubernetes-validate) and
  refused with 422 Invalid and its causes;
* `GET` of an object or a collection (with `labelSelector`), `DELETE` (a namespace takes
  its objects with it); errors are `Status` objects;
* a bearer token, when set, is required (401 otherwise);
* `fail(method, kind, name, status)` makes one call fail (403, 409 ...);
* workloads become ready after `ready_after` reads, as if a kubelet ran their pods
  (`ready_after=None`: never).

It is not kmock: kmock 0.8 (checked) stores PATCH as a plain merge, creates nothing on apply
and ignores dryRun, so it cannot tell a dry run from an apply.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
from dataclasses import dataclass, field
from typing import Any

import kubernetes_validate
import tornado.httpserver
import tornado.netutil
import tornado.web
import yaml

SCHEMA_VERSION = "1.30.0"
CORE = {
    "namespaces": "Namespace",
    "secrets": "Secret",
    "configmaps": "ConfigMap",
    "services": "Service",
    "persistentvolumeclaims": "PersistentVolumeClaim",
    "pods": "Pod",
}
APPS = {"statefulsets": "StatefulSet", "deployments": "Deployment"}
CUSTOM = {"applications": "Application"}


def status(code: int, reason: str, message: str, details: dict | None = None) -> dict:
    body = {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "code": code,
        "reason": reason,
        "message": message,
    }
    if details:
        body["details"] = details
    return body


@dataclass
class KubeStandIn:
    token: str | None = "test-token"
    ready_after: int | None = 1
    objects: dict[tuple[str, str | None, str], dict] = field(default_factory=dict)
    failures: dict[tuple[str, str, str], tuple[int, str, str, bool]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict]] = field(default_factory=list)
    reads: dict[tuple[str, str | None, str], int] = field(default_factory=dict)
    version: int = 0
    url: str = ""

    def fail(
        self,
        method: str,
        kind: str,
        name: str,
        code: int,
        reason: str,
        message: str,
        *,
        in_dry_run: bool = True,
    ) -> None:
        """Make `method` on `kind/name` answer `code`; `in_dry_run=False`: only real writes."""
        self.failures[(method, kind, name)] = (code, reason, message, in_dry_run)

    def stored(self, kind: str, name: str, namespace: str | None = None) -> dict | None:
        return self.objects.get((kind, namespace, name))

    def writes(self) -> list[tuple[str, str, dict]]:
        """Requests that would change something (dry runs are not writes)."""
        return [
            r
            for r in self.requests
            if r[0] in ("PATCH", "DELETE", "POST") and r[2].get("dryRun") != "All"
        ]

    # ---- the rules -------------------------------------------------------------------

    def apply(self, kind: str, namespace: str | None, name: str, body: dict, dry_run: bool):
        if namespace is not None and ("Namespace", None, namespace) not in self.objects:
            return 404, status(404, "NotFound", f'namespaces "{namespace}" not found')
        meta = body.get("metadata") or {}
        if body.get("kind") != kind or meta.get("name") != name:
            return 400, status(400, "BadRequest", "the body's kind/name do not match the URL")
        if kind in ("Namespace", "Secret", "ConfigMap", "Service", "StatefulSet", "Deployment"):
            try:
                kubernetes_validate.validate(body, SCHEMA_VERSION, strict=True)
            except kubernetes_validate.ValidationError as error:
                path = ".".join(str(p) for p in error.path) or "body"
                causes = [{"reason": "FieldValueInvalid", "field": path, "message": error.message}]
                return 422, status(
                    422,
                    "Invalid",
                    f'{kind} "{name}" is invalid: {path}',
                    {"name": name, "kind": kind, "causes": causes},
                )
        key = (kind, namespace, name)
        old = self.objects.get(key)
        new = copy.deepcopy(body)
        new["metadata"].setdefault("namespace", namespace) if namespace else None
        if old is None:
            new["metadata"].update(uid=f"uid-{name}", generation=1, creationTimestamp="now")
            code = 201
        else:
            old_meta = old["metadata"]
            for k in ("uid", "creationTimestamp", "generation", "resourceVersion"):
                new["metadata"][k] = old_meta[k]
            if "status" in old:
                new["status"] = old["status"]
            if old.get("spec") != new.get("spec"):
                new["metadata"]["generation"] = old_meta["generation"] + 1
            code = 200
            if _content(old) == _content(new):
                return 200, old
        if not dry_run:
            self.version += 1
            new["metadata"]["resourceVersion"] = str(self.version)
            if kind in ("StatefulSet", "Deployment"):
                new["status"] = {"observedGeneration": 0}
                self.reads[key] = 0
            self.objects[key] = new
        else:
            new["metadata"]["resourceVersion"] = (
                (old or {}).get("metadata", {}).get("resourceVersion", "0")
            )
        return code, new

    def read(self, kind: str, namespace: str | None, name: str):
        key = (kind, namespace, name)
        obj = self.objects.get(key)
        if obj is None:
            return 404, status(404, "NotFound", f'{kind.lower()}s "{name}" not found')
        if kind in ("StatefulSet", "Deployment") and self.ready_after is not None:
            self.reads[key] = self.reads.get(key, 0) + 1
            if self.reads[key] > self.ready_after:
                replicas = obj["spec"].get("replicas", 1)
                obj["status"] = {
                    "observedGeneration": obj["metadata"]["generation"],
                    "replicas": replicas,
                    "readyReplicas": replicas,
                    "updatedReplicas": replicas,
                    "availableReplicas": replicas,
                    "currentRevision": "r1",
                    "updateRevision": "r1",
                }
        return 200, obj

    def delete(self, kind: str, namespace: str | None, name: str):
        key = (kind, namespace, name)
        obj = self.objects.pop(key, None)
        if obj is None:
            return 404, status(404, "NotFound", f'{kind.lower()}s "{name}" not found')
        if kind == "Namespace":
            for other in [k for k in self.objects if k[1] == name]:
                del self.objects[other]
        return 200, obj

    def listing(self, kind: str, namespace: str | None, selector: str | None):
        wanted = dict(part.split("=", 1) for part in selector.split(",")) if selector else {}
        items = [
            obj
            for (k, ns, _), obj in sorted(self.objects.items(), key=lambda kv: str(kv[0]))
            if k == kind
            and (namespace is None or ns == namespace)
            and all((obj["metadata"].get("labels") or {}).get(a) == b for a, b in wanted.items())
        ]
        return 200, {"kind": f"{kind}List", "apiVersion": "v1", "items": items}

    # ---- serving ---------------------------------------------------------------------

    def start(self) -> KubeStandIn:
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            app = tornado.web.Application([(r"/(api|apis)/(.*)", _Handler, {"stand_in": self})])
            sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
            self._server = tornado.httpserver.HTTPServer(app)
            self._server.add_sockets(sockets)
            self.url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}"
            ready.set()
            self._loop.run_forever()
            self._loop.close()

        self._thread = threading.Thread(target=serve, name="kube-stand-in", daemon=True)
        self._thread.start()
        ready.wait(30)
        return self

    def stop(self) -> None:
        def shutdown() -> None:
            self._server.stop()
            self._loop.stop()

        self._loop.call_soon_threadsafe(shutdown)
        self._thread.join(30)


def _content(obj: dict) -> Any:
    data = copy.deepcopy(obj)
    data.pop("status", None)
    return data


def _route(parts: list[str]) -> tuple[str, str | None, str | None] | None:
    """(kind, namespace, name) from the path after /api/v1 or /apis/<group>/<version>."""
    namespace = None
    if len(parts) >= 2 and parts[0] == "namespaces" and len(parts) >= 3:
        namespace, parts = parts[1], parts[2:]
    plural, name = parts[0], (parts[1] if len(parts) > 1 else None)
    kind = {**CORE, **APPS, **CUSTOM}.get(plural)
    if kind is None:
        return None
    if kind == "Namespace":
        return kind, None, name
    return kind, namespace, name


class _Handler(tornado.web.RequestHandler):
    def initialize(self, stand_in: KubeStandIn) -> None:
        self.stand_in = stand_in

    def _answer(self, code: int, body: dict) -> None:
        self.set_status(code)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def _handle(self, method: str, root: str, rest: str) -> None:
        si = self.stand_in
        query = {k: self.get_argument(k) for k in self.request.arguments}
        si.requests.append((method, self.request.path, query))
        if si.token and self.request.headers.get("Authorization") != f"Bearer {si.token}":
            return self._answer(401, status(401, "Unauthorized", "Unauthorized"))
        parts = rest.split("/")
        parts = parts[1:] if root == "api" else parts[2:]  # drop version / group+version
        route = _route(parts) if parts and parts[0] else None
        if route is None:
            return self._answer(404, status(404, "NotFound", "the server could not find it"))
        kind, namespace, name = route
        failure = si.failures.get((method, kind, name or ""))
        if failure is not None and (failure[3] or query.get("dryRun") != "All"):
            code, reason, message, _ = failure
            return self._answer(code, status(code, reason, message))
        if method == "GET" and name is None:
            return self._answer(*si.listing(kind, namespace, query.get("labelSelector")))
        if method == "GET":
            return self._answer(*si.read(kind, namespace, name))
        if method == "DELETE":
            return self._answer(*si.delete(kind, namespace, name))
        if method == "PATCH":
            if self.request.headers.get("Content-Type") != "application/apply-patch+yaml":
                return self._answer(415, status(415, "UnsupportedMediaType", "only apply"))
            if query.get("fieldManager") is None:
                return self._answer(422, status(422, "Invalid", "fieldManager is required"))
            body = yaml.safe_load(self.request.body)
            return self._answer(
                *si.apply(kind, namespace, name, body, query.get("dryRun") == "All")
            )
        return self._answer(405, status(405, "MethodNotAllowed", method))

    def get(self, root: str, rest: str) -> None:
        self._handle("GET", root, rest)

    def patch(self, root: str, rest: str) -> None:
        self._handle("PATCH", root, rest)

    def delete(self, root: str, rest: str) -> None:
        self._handle("DELETE", root, rest)
