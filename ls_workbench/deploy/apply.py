"""Send rendered objects to a cluster: dry run all, apply all, watch the rollout; undeploy.

    deployer = Deployer(kubeconfig.api_client(context))
    deployer.deploy(render_application(app), timeout=300, on_event=print)

Order of a deploy: every object is first sent with server-side apply and `dryRun=All`, and
every error is collected before anything changes (a namespace that does not exist yet is
created first, since the API server cannot dry-run objects in a missing namespace). Then
each object is applied for real with the field manager `ls-workbench`; an object whose
resourceVersion did not move is reported `unchanged`, so re-deploying an unchanged
application changes nothing. Then StatefulSets and Deployments are polled until every
replica is ready, or the timeout passes (with the pods' waiting reasons in the error).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kubernetes import client

from ls_workbench.deploy.errors import DeployError
from ls_workbench.deploy.k8s_http import KubeError, KubeHttp, ObjectRef
from ls_workbench.deploy.names import application_selector
from ls_workbench.deploy.render import RenderedApplication

FIELD_MANAGER = "ls-workbench"
APPLY_PATCH = "application/apply-patch+yaml"
WORKLOADS = ("StatefulSet", "Deployment")


@dataclass(frozen=True)
class DeployEvent:
    """One step of a deploy, for progress bars: `phase` is dry-run, apply, rollout, delete."""

    ref: ObjectRef
    phase: str
    state: str
    ready: int = 0
    desired: int = 0
    detail: str = ""

    def __str__(self) -> str:
        counts = f" {self.ready}/{self.desired}" if self.desired else ""
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.phase}: {self.ref} {self.state}{counts}{detail}"


EventHandler = Callable[[DeployEvent], None]


@dataclass
class DeployResult:
    """What a deploy did to each object (`created`, `configured`, `unchanged`)."""

    actions: dict[ObjectRef, str]
    ready: bool

    @property
    def changed(self) -> bool:
        return any(action != "unchanged" for action in self.actions.values())


def explain(ref: ObjectRef, error: KubeError, verb: str) -> str:
    """One line that says what the API server refused and how to get past it."""
    if error.status == 403:
        return (
            f"{ref}: forbidden to {verb} ({error.message}); ask a cluster admin for RBAC "
            f"rights on {ref.kind} objects, or pick another context or namespace"
        )
    if error.status == 409:
        return (
            f"{ref}: conflict ({error.message}); someone else changed fields deploy manages, "
            "deploy again forcing conflicts to take them over (--force-conflicts; "
            "force_conflicts=True in Python)"
        )
    if error.status == 422:
        causes = "; ".join(error.causes()) or error.message
        return f"{ref}: invalid ({causes})"
    if error.status == 401:
        return f"{ref}: unauthorized ({error.message}); refresh the kubeconfig credentials"
    return f"{ref}: {verb} failed with {error.status} {error.reason}: {error.message}"


class Deployer:
    """Applies, watches and deletes one application's objects through one API client."""

    def __init__(
        self,
        api_client: client.ApiClient,
        *,
        force_conflicts: bool = False,
        poll_interval: float = 2.0,
    ) -> None:
        self.http = KubeHttp(api_client)
        self.force_conflicts = force_conflicts
        self.poll_interval = poll_interval

    # ---- single objects ------------------------------------------------------------------

    def get(self, ref: ObjectRef) -> dict[str, Any] | None:
        """The object, or None when it does not exist; DeployError when it cannot be read."""
        try:
            return self.http.request("GET", ref.path)
        except KubeError as error:
            if error.status == 404:
                return None
            raise DeployError("cannot read the cluster", [explain(ref, error, "read")]) from error

    def server_side_apply(self, manifest: dict[str, Any], *, dry_run: bool) -> dict[str, Any]:
        query = {"fieldManager": FIELD_MANAGER, "force": str(self.force_conflicts).lower()}
        if dry_run:
            query["dryRun"] = "All"
        ref = ObjectRef.of(manifest)
        return self.http.request(
            "PATCH", ref.path, query=query, body=manifest, content_type=APPLY_PATCH
        )

    # ---- phases --------------------------------------------------------------------------

    def dry_run(self, manifests: list[dict[str, Any]], on_event: EventHandler) -> list[str]:
        """Every problem the API server finds, all objects checked before any is changed."""
        problems: list[str] = []
        for manifest in manifests:
            ref = ObjectRef.of(manifest)
            try:
                self.server_side_apply(manifest, dry_run=True)
            except KubeError as error:
                problems.append(explain(ref, error, "apply"))
                on_event(DeployEvent(ref, "dry-run", "failed", detail=error.message))
                continue
            on_event(DeployEvent(ref, "dry-run", "ok"))
        return problems

    def _missing_namespaces(self, manifests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            m for m in manifests if m["kind"] == "Namespace" and self.get(ObjectRef.of(m)) is None
        ]

    def apply(self, manifests: list[dict[str, Any]], on_event: EventHandler) -> dict:
        actions: dict[ObjectRef, str] = {}
        problems: list[str] = []
        for manifest in manifests:
            ref = ObjectRef.of(manifest)
            before = self.get(ref)
            try:
                after = self.server_side_apply(manifest, dry_run=False)
            except KubeError as error:
                problems.append(explain(ref, error, "apply"))
                on_event(DeployEvent(ref, "apply", "failed", detail=error.message))
                continue
            if before is None:
                action = "created"
            elif _version(before) == _version(after):
                action = "unchanged"
            else:
                action = "configured"
            actions[ref] = action
            on_event(DeployEvent(ref, "apply", action))
        if problems:
            raise DeployError("the cluster refused some objects", problems)
        return actions

    def rollout(
        self, manifests: list[dict[str, Any]], timeout: float, on_event: EventHandler
    ) -> None:
        """Poll workloads until every replica is ready; DeployError after `timeout` seconds."""
        pending = {ObjectRef.of(m) for m in manifests if m["kind"] in WORKLOADS}
        deadline = time.monotonic() + timeout
        last: dict[ObjectRef, tuple[int, int, str]] = {}
        while pending:
            for ref in sorted(pending, key=str):
                current = self.get(ref)
                ready, desired, state = _rollout_state(current)
                if last.get(ref) != (ready, desired, state):
                    on_event(DeployEvent(ref, "rollout", state, ready, desired))
                    last[ref] = (ready, desired, state)
                if state == "ready":
                    pending.discard(ref)
            if not pending:
                return
            if time.monotonic() >= deadline:
                waiting = self._waiting_reasons(next(iter(pending)).namespace, manifests)
                raise DeployError(
                    f"rollout not finished after {timeout:g}s",
                    [
                        f"{ref}: {last[ref][0]}/{last[ref][1]} ready"
                        for ref in sorted(pending, key=str)
                    ]
                    + waiting,
                )
            time.sleep(self.poll_interval)

    def _waiting_reasons(self, namespace: str | None, manifests: list[dict]) -> list[str]:
        """Why pods are not ready (ImagePullBackOff, CrashLoopBackOff ...), when the API says."""
        app = next((m["metadata"].get("labels", {}) for m in manifests), {})
        selector = app.get("langstream-application")
        if not namespace or not selector:
            return []
        path = ObjectRef("v1", "Pod", "-", namespace).collection_path()
        try:
            pods = self.http.request(
                "GET", path, query={"labelSelector": f"langstream-application={selector}"}
            )
        except (KubeError, DeployError):
            return []
        reasons = []
        for pod in pods.get("items") or []:
            for status in (pod.get("status") or {}).get("containerStatuses") or []:
                waiting = (status.get("state") or {}).get("waiting")
                if waiting:
                    reasons.append(
                        f"pod {pod['metadata']['name']}: {waiting.get('reason')} "
                        f"{waiting.get('message') or ''}".rstrip()
                    )
        return reasons

    # ---- the whole flow ------------------------------------------------------------------

    def deploy(
        self,
        rendered: RenderedApplication,
        *,
        timeout: float = 300.0,
        wait: bool = True,
        on_event: EventHandler | None = None,
    ) -> DeployResult:
        """Dry run, apply, then (when `wait`) watch the rollout."""
        handler = on_event or (lambda event: None)
        manifests = rendered.manifests()
        created_first = self._missing_namespaces(manifests)
        rest = [m for m in manifests if m not in created_first]
        problems = self.dry_run(created_first, handler)
        if problems:
            raise DeployError("the dry run found problems; nothing was changed", problems)
        actions = self.apply(created_first, handler) if created_first else {}
        problems = self.dry_run(rest, handler)
        if problems:
            raise DeployError("the dry run found problems; nothing was changed", problems)
        actions.update(self.apply(rest, handler))
        if wait:
            self.rollout(manifests, timeout, handler)
        return DeployResult(actions=actions, ready=wait)

    def undeploy(
        self,
        rendered: RenderedApplication,
        *,
        delete_volumes: bool = False,
        on_event: EventHandler | None = None,
    ) -> list[ObjectRef]:
        """Delete what deploy created, newest first. PVCs (agent state) and the namespace
        holding them stay unless `delete_volumes`. Returns what was deleted."""
        handler = on_event or (lambda event: None)
        deleted: list[ObjectRef] = []
        manifests = rendered.manifests()
        refs = [ObjectRef.of(m) for m in reversed(manifests) if m["kind"] != "Namespace"]
        if delete_volumes:
            refs += self._claims(rendered)
            refs += [ObjectRef.of(m) for m in manifests if m["kind"] == "Namespace"]
        problems: list[str] = []
        for ref in refs:
            try:
                self.http.request("DELETE", ref.path, query={"propagationPolicy": "Foreground"})
            except KubeError as error:
                if error.status == 404:
                    handler(DeployEvent(ref, "delete", "absent"))
                    continue
                problems.append(explain(ref, error, "delete"))
                continue
            deleted.append(ref)
            handler(DeployEvent(ref, "delete", "deleted"))
        if problems:
            raise DeployError("some objects could not be deleted", problems)
        return deleted

    def _claims(self, rendered: RenderedApplication) -> list[ObjectRef]:
        ref = ObjectRef("v1", "PersistentVolumeClaim", "*", rendered.namespace)
        path = ref.collection_path()
        try:
            claims = self.http.request(
                "GET", path, query={"labelSelector": application_selector(rendered.application_id)}
            )
        except KubeError as error:
            if error.status == 404:
                return []
            raise DeployError("cannot list the volumes", [explain(ref, error, "list")]) from error
        return [
            ObjectRef("v1", "PersistentVolumeClaim", item["metadata"]["name"], rendered.namespace)
            for item in claims.get("items") or []
        ]


def _version(obj: dict[str, Any] | None) -> str | None:
    return ((obj or {}).get("metadata") or {}).get("resourceVersion")


def _rollout_state(obj: dict[str, Any] | None) -> tuple[int, int, str]:
    """(ready, desired, state) of a StatefulSet or Deployment, as `kubectl rollout status`."""
    if obj is None:
        return 0, 0, "missing"
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    desired = int(spec.get("replicas", 1))
    generation = (obj.get("metadata") or {}).get("generation", 0)
    ready = int(status.get("readyReplicas") or 0)
    updated = int(status.get("updatedReplicas") or 0)
    if int(status.get("observedGeneration") or 0) < generation:
        return ready, desired, "pending"
    if obj.get("kind") == "Deployment":
        available = int(status.get("availableReplicas") or 0)
        done = updated >= desired and available >= desired and ready >= desired
    else:
        same_revision = status.get("currentRevision") == status.get("updateRevision")
        done = updated >= desired and ready >= desired and same_revision
    return ready, desired, "ready" if done else "progressing"


def refs_of(manifests: Iterable[dict[str, Any]]) -> list[ObjectRef]:
    return [ObjectRef.of(m) for m in manifests]
